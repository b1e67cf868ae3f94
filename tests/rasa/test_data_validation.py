"""`rasa data validate` on the project's data: no errors, no unexplained warnings."""

from __future__ import annotations

import os
import re
import subprocess

from tests.conftest import ROOT

# Responses sent by custom actions rather than named in rules; Rasa's validator only
# looks at rules and stories, so it reports them as unused.
SENT_BY_CUSTOM_ACTIONS = {
    "utter_choose_language": "actions/language.py",
    "utter_language_changed": "actions/language.py",
    "utter_did_you_mean": "actions/fallback.py",
    "utter_rephrase": "actions/fallback.py and actions/faq.py",
    "utter_faq": "Rasa's implicit retrieval action; actions/faq.py answers instead",
    "utter_default": "Rasa's default fallback action",
}


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [
            str(ROOT / ".venv-rasa" / "bin" / "rasa"),
            "data",
            "validate",
            "--data",
            "nlu_data",
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
        ],
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = re.findall(r"UserWarning: (.+)", output)
    unused = {
        match.group(1)
        for warning in warnings
        if (match := re.match(r"The utterance '(.+)' is not used in any story or rule\.", warning))
    }
    unexplained = [
        warning
        for warning in warnings
        if not re.match(r"The utterance '(.+)' is not used in any story or rule\.", warning)
    ]
    assert not unexplained, unexplained
    assert unused <= set(SENT_BY_CUSTOM_ACTIONS), unused - set(SENT_BY_CUSTOM_ACTIONS)
