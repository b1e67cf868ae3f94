"""Train the linear NLU and the DIET configuration on the same data and compare them.

Run: ``.venv/bin/python -m tests.benchmarks.nlu_compare`` (``make benchmark-nlu``;
``--configs config.yml`` compares fewer). For each configuration it trains a model from an
empty Rasa cache (``rasa train``, core policies included), starts a Rasa server on it and
sends every held-out message to ``/model/parse``: the held-out sets (``tests/nlu/<lang>*.yml``),
the hard sets (``tests/nlu/hard/``) and the out-of-scope sets (``tests/nlu/oos/``). It
prints one Markdown table: training time, model size, parse p50/p95, and per language
intent / exact accuracy on the held-out and hard sets and the share of out-of-scope
messages answered with a fallback or ``out_of_scope``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.i18n.evaluation import Example, held_out_examples, load_examples, predicted_label
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru")
OUT_OF_SCOPE_ANSWERS = {"out_of_scope", "nlu_fallback"}


@dataclass
class Result:
    """What one configuration achieved."""

    config: str
    train_seconds: float = 0.0
    model_mb: float = 0.0
    latencies: list[float] = field(default_factory=list)
    # per language: (intent right, exact right, total) for held-out and hard sets
    held_out: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    hard: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # per language: (fallback or out_of_scope, total)
    oos: dict[str, tuple[int, int]] = field(default_factory=dict)


def rasa_env(cache: Path) -> dict[str, str]:
    """Environment for Rasa: its own cache folder, so training starts from empty."""
    return {
        **os.environ,
        # credentials.yml's REST channel refuses to start without a token; the benchmark
        # only calls /model/parse, so any throw-away value does.
        "PATENBOT_RASA_TOKEN": os.environ.get("PATENBOT_RASA_TOKEN") or secrets.token_urlsafe(24),
        "RASA_CACHE_DIRECTORY": str(cache),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONPATH": str(ROOT),
    }


def train(config: str, folder: Path) -> tuple[Path, float]:
    """Train a model for ``config`` from an empty cache; return its file and seconds."""
    started = time.perf_counter()
    subprocess.run(
        [
            str(RASA), "train", "--data", "nlu_data", "--config", config,
            "--domain", "domain.yml", "--out", str(folder), "--quiet",
        ],
        cwd=ROOT,
        env=rasa_env(folder / "cache"),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return next(folder.glob("*.tar.gz")), seconds


def parse_all(client: httpx.Client, examples: list[Example], latencies: list[float]) -> list[str]:
    """Parse every example; return the predicted labels and record the latencies."""
    labels = []
    for example in examples:
        started = time.perf_counter()
        answer = client.post("/model/parse", json={"text": example.text})
        latencies.append(time.perf_counter() - started)
        answer.raise_for_status()
        labels.append(predicted_label(answer.json()))
    return labels


def score(examples: list[Example], labels: list[str]) -> tuple[int, int, int]:
    """Return (intent right, exact right, total)."""
    intent = sum(
        e.label.split("/")[0] == label.split("/")[0]
        for e, label in zip(examples, labels, strict=True)
    )
    exact = sum(e.label == label for e, label in zip(examples, labels, strict=True))
    return intent, exact, len(examples)


def evaluate(model: Path, result: Result, folder: Path, show_errors: bool = False) -> None:
    """Start a Rasa server on the model and parse all held-out sets."""
    port = free_port()
    # Parsing needs no action server, tracker store or NLG: no endpoints at all.
    endpoints = folder / "endpoints.yml"
    endpoints.write_text("{}\n", encoding="utf-8")
    log = (folder / "rasa.log").open("wb")
    server = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--enable-api",
            "-m",
            str(model.resolve()),
            "--port",
            str(port),
            "--endpoints",
            str(endpoints),
        ],
        cwd=ROOT,
        env=rasa_env(folder / "cache"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if client.get("/status").json().get("model_file"):
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"Rasa server did not start; see {folder}/rasa.log")
                time.sleep(1)
            parse_all(client, [Example("warm up", "greet")] * 5, [])
            for language in LANGUAGES:
                held = held_out_examples(ROOT / "tests" / "nlu", language)
                labels = parse_all(client, held, result.latencies)
                result.held_out[language] = score(held, labels)
                hard = load_examples(ROOT / "tests" / "nlu" / "hard" / f"{language}.yml")
                hard_labels = parse_all(client, hard, result.latencies)
                result.hard[language] = score(hard, hard_labels)
                oos = load_examples(ROOT / "tests" / "nlu" / "oos" / f"{language}.yml")
                labels = parse_all(client, oos, result.latencies)
                caught = sum(label.split("/")[0] in OUT_OF_SCOPE_ANSWERS for label in labels)
                if show_errors:
                    for example, label in zip(hard, hard_labels, strict=True):
                        if label != example.label:
                            print(f"{language} hard: {example.label} → {label}: {example.text}")
                    for example, label in zip(oos, labels, strict=True):
                        if label not in OUT_OF_SCOPE_ANSWERS:
                            print(f"{language} out of scope → {label}: {example.text}")
                result.oos[language] = (caught, len(oos))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` percentile (0-1) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def table(results: list[Result]) -> str:
    """Return the comparison as Markdown."""
    lines = [
        "| | " + " | ".join(r.config for r in results) + " |",
        "|---|" + "---|" * len(results),
        "| training from empty cache | "
        + " | ".join(f"{r.train_seconds / 60:.1f} min" for r in results)
        + " |",
        "| model file | " + " | ".join(f"{r.model_mb:.0f} MB" for r in results) + " |",
        "| /model/parse p50 / p95 | "
        + " | ".join(
            f"{percentile(r.latencies, 0.5) * 1000:.0f} / "
            f"{percentile(r.latencies, 0.95) * 1000:.0f} ms"
            for r in results
        )
        + " |",
    ]
    for language in LANGUAGES:
        cells = []
        for r in results:
            i, e, n = r.held_out[language]
            cells.append(f"{i / n:.3f} / {e / n:.3f}")
        lines.append(f"| {language} held-out: intent / exact | " + " | ".join(cells) + " |")
    for language in LANGUAGES:
        cells = []
        for r in results:
            i, e, n = r.hard[language]
            cells.append(f"{i / n:.3f} / {e / n:.3f}")
        lines.append(f"| {language} hard set: intent / exact | " + " | ".join(cells) + " |")
    for language in LANGUAGES:
        cells = [f"{r.oos[language][0]} of {r.oos[language][1]}" for r in results]
        lines.append(
            f"| {language} out of scope: fallback or out_of_scope | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)


def main() -> None:
    """Train and evaluate each configuration; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", default=["config.yml", "config-diet.yml"])
    parser.add_argument(
        "--model", type=Path, help="evaluate this trained model instead of training (one config)"
    )
    parser.add_argument(
        "--show-errors", action="store_true", help="print the hard and out-of-scope misses"
    )
    args = parser.parse_args()
    results = []
    for config in args.configs:
        with tempfile.TemporaryDirectory(prefix="benchmark-nlu-") as name:
            folder = Path(name)
            result = Result(config)
            if args.model:
                model = args.model
            else:
                model, result.train_seconds = train(config, folder)
            result.model_mb = model.stat().st_size / 1e6
            evaluate(model, result, folder, args.show_errors)
            results.append(result)
            print(table([result]), flush=True)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
