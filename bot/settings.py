"""Runtime settings, read once from the environment (and ``.env``) at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Settings of the three processes; see ``.env.example`` for each variable.

    Relative paths are taken relative to the project folder, so the commands work
    from any working directory.
    """

    model_config = SettingsConfigDict(
        env_prefix="PATENBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    data_dir: Path = Path("data")
    district_file: Path = Path("district.yml")
    domain_file: Path = Path("domain.yml")
    locale_dir: Path = Path("locale")
    model_dir: Path = Path("models")
    rasa_executable: Path = Path(".venv-rasa/bin/rasa")
    log_level: str = "INFO"
    rasa_timeout_seconds: float = 30.0
    max_message_chars: int = 1000
    database_url_override: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "PATENBOT_DATABASE_URL")
    )

    @field_validator("telegram_bot_token", "database_url_override", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """Treat ``VAR=`` (as in .env.example) like an unset variable."""
        return None if value == "" else value

    def path(self, value: Path) -> Path:
        """Return ``value`` resolved against the project folder if it is relative."""
        return value if value.is_absolute() else PROJECT_ROOT / value

    @property
    def rasa_url(self) -> str:
        """Return the base URL of the Rasa server."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        """Return the base URL of the action server (custom actions and NLG)."""
        return f"http://{self.host}:{self.action_port}"

    @property
    def database_url(self) -> str:
        """Return the database URL: ``DATABASE_URL``, else a SQLite file in the data folder.

        Registrations and Rasa's tracker store (conversations) share this database.
        """
        if self.database_url_override:
            return self.database_url_override
        return f"sqlite:///{self.path(self.data_dir) / 'patenbot.sqlite'}"
