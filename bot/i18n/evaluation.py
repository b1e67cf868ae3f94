"""NLU evaluation on the held-out sets in ``tests/nlu/``, against a running Rasa server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from bot.i18n.detection import LanguageDetection

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    """A held-out message and its true label (intent or ``faq/<topic>``)."""

    text: str
    label: str


@dataclass
class LanguageReport:
    """Evaluation figures of one language."""

    language: str
    total: int = 0
    correct: int = 0
    intent_correct: int = 0
    fallbacks: int = 0
    language_detected: int = 0
    language_wrong: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        """Share of messages answered exactly right: intent and, for FAQs, the topic."""
        return self.correct / self.total if self.total else 0.0

    @property
    def intent_accuracy(self) -> float:
        """Share of messages with the right intent, the FAQ counting as one intent.

        This is Rasa's intent accuracy (``rasa test nlu``); the FAQ topic is the
        ResponseSelector's separate task, measured by :attr:`accuracy`.
        """
        return self.intent_correct / self.total if self.total else 0.0


def load_examples(path: Path) -> list[Example]:
    """Read a Rasa NLU YAML file into examples."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for block in data.get("nlu") or ():
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip()
            if text.startswith("- "):
                examples.append(Example(text=text[2:].strip(), label=str(block["intent"])))
    return examples


def held_out_examples(folder: Path, language: str) -> list[Example]:
    """Return a language's held-out examples: ``<language>.yml`` and ``<language>.*.yml``."""
    paths = sorted(folder.glob(f"{language}.yml")) + sorted(folder.glob(f"{language}.*.yml"))
    return [example for path in paths for example in load_examples(path)]


def training_examples(folder: Path, language: str) -> list[Example]:
    """Return a language's training examples: ``<folder>/<language>/*.yml``."""
    paths = sorted((folder / language).glob("*.yml"))
    return [example for path in paths for example in load_examples(path)]


def predicted_label(parse: dict[str, Any]) -> str:
    """Return the label Rasa predicted: the intent, with the topic for FAQs."""
    intent = str((parse.get("intent") or {}).get("name") or "")
    if intent != "faq":
        return intent
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return str(key) if key else intent


def evaluate_language(
    rasa_url: str,
    language: str,
    examples: list[Example],
    detection: LanguageDetection,
    *,
    token: str,
) -> LanguageReport:
    """Parse every example with the Rasa server and count right and wrong labels.

    A fallback (the assistant asks "did you mean …?") counts as wrong. ``token`` is the
    Rasa server's API token (``Settings.rasa_token``).
    """
    report = LanguageReport(language=language)
    with httpx.Client(base_url=rasa_url, timeout=30.0, params={"token": token}) as client:
        for example in examples:
            answer = client.post("/model/parse", json={"text": example.text})
            answer.raise_for_status()
            label = predicted_label(answer.json())
            report.total += 1
            if label.split("/")[0] == example.label.split("/")[0]:
                report.intent_correct += 1
            if label == example.label:
                report.correct += 1
            else:
                report.confusions[(example.label, label)] += 1
                if label == FALLBACK_INTENT:
                    report.fallbacks += 1
            detected = detection.detect(example.text)
            if detected is not None:
                report.language_detected += 1
                if detected.supported_code != language.split("-")[0]:
                    report.language_wrong += 1
    return report


def markdown_table(reports: list[LanguageReport]) -> str:
    """Return the reports as a Markdown table for docs/benchmarks.md."""
    lines = [
        "| language | examples | intent accuracy | exact (intent + FAQ topic) | "
        "asked back (fallback) | language detected | detected wrongly |",
        "|---|---|---|---|---|---|---|",
    ]
    for report in reports:
        lines.append(
            f"| {report.language} | {report.total} | {report.intent_accuracy:.3f} | "
            f"{report.accuracy:.3f} | {report.fallbacks} | {report.language_detected} | "
            f"{report.language_wrong} |"
        )
    return "\n".join(lines)
