"""Rasa's own checks: test stories pass with --fail-on-prediction-errors."""

from __future__ import annotations

import subprocess

import pytest

from bot.settings import Settings
from bot.supervision.servers import latest_model, server_environment
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e


def test_stories_pass_without_prediction_errors(
    servers: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("story-results")
    command = [
        str(servers.path(servers.rasa_executable)), "test", "core",
        "--stories", "tests/stories", "--model", str(latest_model(servers)),
        "--endpoints", "endpoints.yml", "--out", str(out), "--fail-on-prediction-errors",
    ]  # fmt: skip
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=server_environment(servers),
        capture_output=True,
        text=True,
        timeout=600,
    )
    failed = (
        (out / "failed_test_stories.yml").read_text(encoding="utf-8")
        if (out / "failed_test_stories.yml").exists()
        else ""
    )
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n{failed}"
    assert "None of the test stories failed" in failed or not failed.strip()
