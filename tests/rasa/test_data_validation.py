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
    "utter_nothing_to_cancel": "used in a rule",
    "utter_my_data": "actions/my_data.py",
    "utter_my_data_none": "actions/my_data.py",
    "utter_ask_delete_confirm": "actions/my_data.py",
    "utter_data_deleted": "actions/my_data.py",
    "utter_registration_saved": "actions/registration.py",
    "utter_registration_updated": "actions/registration.py",
    "utter_registration_no_consent": "actions/registration.py",
    "utter_registration_not_adult": "actions/registration.py",
    "utter_registration_cancelled": "actions/registration.py",
    "utter_invalid_twice": "actions/registration.py",
    "utter_invalid_yes_no": "actions/registration.py",
    "utter_invalid_choice": "actions/registration.py",
    "utter_invalid_languages": "actions/registration.py",
    "utter_invalid_reg_name": "actions/registration.py",
    "utter_invalid_reg_name_question": "actions/registration.py",
    "utter_costs_for_everyone": "actions/faq.py",
    "utter_invalid_reg_phone": "actions/registration.py",
    "utter_invalid_reg_email": "actions/registration.py",
    "utter_invalid_reg_municipality": "actions/registration.py",
    "utter_invalid_reg_contact_method_web": "actions/registration.py (web chat)",
    **{
        f"utter_ask_{slot}": "asked by registration_form"
        for slot in (
            "reg_consent",
            "reg_name",
            "reg_contact_method",
            "reg_phone",
            "reg_email",
            "reg_municipality",
            "reg_adult",
            "reg_interests",
            "reg_languages",
            "reg_hours",
            "reg_heard_from",
            "reg_child_age",
            "reg_home_languages",
            "reg_support",
            "reg_wishes",
            "reg_confirm",
            "reg_edit_field",
        )
    },
}
# Other warnings we understand and accept, with the reason.
EXPLAINED_WARNINGS = {
    # Rasa 3.6 derives the retrieval intent from nlu_data and warns that the domain
    # declares it too; without the declaration the rules cannot name the intent.
    "The following duplicated intents have been found across multiple domain files: faq",
    # inform carries only button choices of the registration form; it is never typed.
    "The intent 'inform' is listed in the domain file, but is not found in the NLU training data.",
    "The intent 'inform' is not used in any story or rule.",
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
        and warning.strip() not in EXPLAINED_WARNINGS
    ]
    assert not unexplained, unexplained
    assert unused <= set(SENT_BY_CUSTOM_ACTIONS), unused - set(SENT_BY_CUSTOM_ACTIONS)
