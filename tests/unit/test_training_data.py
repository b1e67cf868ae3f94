"""Training data covers every intent in every language and stays apart from the test sets."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from bot.i18n.evaluation import held_out_examples, load_examples, training_examples
from bot.i18n.languages import LANGUAGES
from tests.helpers import ROOT

LANGUAGE_CODES = [language.code for language in LANGUAGES if language.detector_name]


def domain_labels() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    # inform is sent only by buttons (a form choice), never typed.
    names = {next(iter(item)) if isinstance(item, dict) else item for item in domain["intents"]}
    labels = names - {"faq", "inform"}
    labels.update(
        name.removeprefix("utter_")
        for name in domain["responses"]
        if name.startswith("utter_faq/")
    )
    return labels


def comparable(text: str) -> str:
    """A message without case, punctuation or emoji: "Hey, merhaba!" equals "hey merhaba"."""
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


def test_faq_topics_are_exactly_the_agreed_ones() -> None:
    topics = {label for label in domain_labels() if label.startswith("faq/")}
    assert len(topics) == 22


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_every_intent_has_training_examples(language: str) -> None:
    counts = Counter(example.label for example in training_examples(ROOT / "nlu_data", language))
    assert set(counts) == domain_labels()
    assert min(counts.values()) >= 8, counts.most_common()[-3:]


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_held_out_set_covers_every_intent_and_is_not_trained_on(language: str) -> None:
    held_out = held_out_examples(ROOT / "tests" / "nlu", language)
    counts = Counter(example.label for example in held_out)
    assert set(counts) == domain_labels()
    assert min(counts.values()) >= 4
    trained = {
        comparable(example.text)
        for code in LANGUAGE_CODES
        for example in training_examples(ROOT / "nlu_data", code)
    }
    leaked = [example.text for example in held_out if comparable(example.text) in trained]
    assert not leaked


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_hard_and_out_of_scope_sets_are_not_trained_on(language: str) -> None:
    trained = {
        comparable(example.text)
        for code in LANGUAGE_CODES
        for example in training_examples(ROOT / "nlu_data", code)
    }
    for kind, minimum in (("hard", 30), ("oos", 30)):
        examples = load_examples(ROOT / "tests" / "nlu" / kind / f"{language}.yml")
        assert len(examples) >= minimum, kind
        assert set(example.label for example in examples) <= domain_labels(), kind
        leaked = [example.text for example in examples if comparable(example.text) in trained]
        assert not leaked, kind


@pytest.mark.parametrize("folder", ["blind", "blind2", "reported"])
def test_blind_and_reported_sets_are_not_trained_on(folder: str) -> None:
    trained = {
        comparable(example.text)
        for code in LANGUAGE_CODES
        for example in training_examples(ROOT / "nlu_data", code)
    }
    paths = sorted((ROOT / "tests" / "nlu" / folder).glob("*.yml"))
    assert paths
    for path in paths:
        examples = load_examples(path)
        assert set(example.label for example in examples) <= domain_labels(), path.name
        leaked = [example.text for example in examples if comparable(example.text) in trained]
        assert not leaked, path.name
