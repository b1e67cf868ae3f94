"""Runtime settings, read once from the environment (and ``.env``) at start."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.routing import Replica, replica_names

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _new_token() -> str:
    return secrets.token_urlsafe(32)


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
    # Rasa servers to start; replica i (from 0) listens on rasa_port + i. Conversations
    # are routed to them by rendezvous hashing (bot/core/routing.py).
    rasa_replicas: int = Field(default=1, ge=1, le=16)
    action_port: int = 5055
    data_dir: Path = Path("data")
    district_file: Path = Path("district.yml")
    domain_file: Path = Path("domain.yml")
    locale_dir: Path = Path("locale")
    model_dir: Path = Path("models")
    rasa_executable: Path = Path(".venv-rasa/bin/rasa")
    log_level: str = "INFO"
    # Secrets between the processes: the front end → Rasa (HTTP API and REST webhook),
    # and Rasa → the action server (actions and NLG). Generated per start unless set
    # (fixed values are needed only when the processes run on different hosts).
    rasa_token: SecretStr = Field(default_factory=lambda: SecretStr(_new_token()))
    action_token: SecretStr = Field(default_factory=lambda: SecretStr(_new_token()))
    # Rasa starts a new conversation session beyond this many events (0: never).
    session_max_events: int = 300
    rasa_timeout_seconds: float = 30.0
    # Requests in flight to one Rasa replica at a time; the others wait in the front end,
    # where no timeout runs (Rasa works one turn at a time, a longer queue there only
    # lets requests time out; docs/benchmarks.md, "200 users at once").
    rasa_concurrency: int = Field(default=4, ge=1)
    # A turn that waited this long for its turn to be sent is given up (the user is asked
    # to write again); nothing was sent to Rasa.
    rasa_queue_seconds: float = Field(default=120.0, gt=0)
    max_message_chars: int = 1000
    # A server that stops is restarted; after this many stops within the window the
    # bot gives up and stops (a server that cannot start would only loop).
    child_restart_limit: int = Field(default=5, ge=1)
    child_restart_window_seconds: float = Field(default=600.0, gt=0)
    # On SIGTERM, turns in progress get this long to finish before the servers stop.
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)
    # /healthz, /readyz and /metrics on loopback (0: not served); see docs/operations.md.
    metrics_port: int = 0
    database_url_override: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "PATENBOT_DATABASE_URL")
    )
    # Telegram (only used when TELEGRAM_BOT_TOKEN is set).
    telegram_api_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_API_BASE_URL")
    )
    bot_username: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    coordinator_chat_id: int | None = None
    coordinator_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    user_messages_per_minute: int = 20
    slow_reply_notice_seconds: float = 4.0
    # The web chat (bot/channels/web), served by ``python -m bot run`` next to the
    # terminal or Telegram. Behind a reverse proxy it stays on loopback.
    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # Signs the conversation cookie. Unset: generated once and kept in
    # data/web-secret (0600), so a restart keeps every open conversation.
    web_secret: SecretStr | None = None
    # Send the cookie only over HTTPS (set it when a TLS proxy is in front).
    web_secure_cookies: bool = False
    # Per client address: messages a minute, and new conversations an hour.
    web_address_messages_per_minute: int = 60
    web_new_conversations_per_hour: int = 20
    # Sites allowed to show the chat in an <iframe> (CSP frame-ancestors), e.g.
    # "'self' https://www.lrabb.de".
    web_frame_ancestors: str = "'self'"
    # Serve axe-core under /static/test/ (accessibility tests only).
    web_test_assets: bool = False
    # The coordinators' console (/office/ on the web server): minutes without a request
    # after which a login ends.
    office_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)

    @field_validator(
        "telegram_bot_token",
        "database_url_override",
        "telegram_api_base_url",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "coordinator_chat_id",
        "web_secret",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """Treat ``VAR=`` (as in .env.example) like an unset variable."""
        return None if value == "" else value

    @field_validator("rasa_token", "action_token", mode="before")
    @classmethod
    def _empty_is_generated(cls, value: object) -> object:
        """Treat ``PATENBOT_RASA_TOKEN=`` (as in .env.example) like an unset variable."""
        return _new_token() if value in ("", None) else value

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        """Read ``PATENBOT_COORDINATOR_IDS=123,456`` as a set of Telegram user ids."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    def path(self, value: Path) -> Path:
        """Return ``value`` resolved against the project folder if it is relative."""
        return value if value.is_absolute() else PROJECT_ROOT / value

    @property
    def rasa_url(self) -> str:
        """Return the base URL of the (first) Rasa server."""
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def rasa_replica_list(self) -> list[Replica]:
        """Return the Rasa replicas: stable names and addresses (ports from ``rasa_port``)."""
        return [
            Replica(name, f"http://{self.host}:{self.rasa_port + index}")
            for index, name in enumerate(replica_names(self.rasa_replicas))
        ]

    @property
    def action_url(self) -> str:
        """Return the base URL of the action server (custom actions and NLG)."""
        return f"http://{self.host}:{self.action_port}"

    @property
    def web_url(self) -> str:
        """Return the address of the web chat, as printed at start."""
        return f"http://{self.web_host}:{self.web_port}/"

    @property
    def database_url(self) -> str:
        """Return the database URL: ``DATABASE_URL``, else a SQLite file in the data folder.

        Registrations and Rasa's tracker store (conversations) share this database.
        """
        if self.database_url_override:
            return self.database_url_override
        return f"sqlite:///{self.path(self.data_dir) / 'patenbot.sqlite'}"
