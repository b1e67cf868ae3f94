"""The files under deploy/: the systemd unit passes systemd-analyze verify."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    # The unit as installed would name /opt/patenbot; verify checks that ExecStart runs,
    # so point it at this checkout.
    unit = (DEPLOY / "patenbot.service").read_text()
    assert "User=patenbot" in unit and "UMask=0077" in unit and "KillMode=mixed" in unit
    local = unit.replace("/etc/patenbot/patenbot.env", str(DEPLOY / "patenbot.env.example"))
    (tmp_path / "patenbot.service").write_text(local.replace("/opt/patenbot", str(ROOT)))
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / "patenbot.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "patenbot.service" not in result.stderr, result.stderr  # no warnings about it


def test_the_environment_example_names_only_known_settings() -> None:
    from bot.settings import Settings

    known = {f"PATENBOT_{name.upper()}" for name in Settings.model_fields}
    known |= {"DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL"}
    names = [
        line.split("=", 1)[0]
        for line in (DEPLOY / "patenbot.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert names and not [name for name in names if name not in known]
