"""Settings from the environment and the district file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.nlg.district import District, load_district
from bot.settings import PROJECT_ROOT, Settings
from tests.helpers import ROOT


def test_defaults_run_on_loopback_with_relative_paths_in_the_project(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'patenbot.sqlite'}"
    assert settings.path(Path("/abs")) == Path("/abs")


def test_environment_overrides_and_token_stays_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("PATENBOT_RASA_PORT", "6000")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.rasa_port == 6000
    assert settings.telegram_bot_token is not None
    assert "123:abc" not in repr(settings)


def test_shipped_district_has_the_26_municipalities_and_no_invented_contacts(
    district: District,
) -> None:
    assert len(district.municipalities) == 26
    assert {"Böblingen", "Weil im Schönbuch", "Weissach"} <= set(district.municipalities)
    assert district.phone is None and district.email is None


def test_district_file_with_unknown_or_missing_fields_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "district.yml"
    text = (ROOT / "district.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("district_name:", "districtname:"), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_district(broken)


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("DATABASE_URL", "")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None
    assert settings.database_url.startswith("sqlite:///")
