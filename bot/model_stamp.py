"""Skip ``rasa train`` when nothing it reads has changed (``make train`` calls this).

Rasa decides about retraining only after loading itself and the training data (20-30 s)
and then writes a new 120 MB model anyway. A fingerprint of everything training reads,
stored next to the model, answers in a fraction of a second.

    python -m bot.model_stamp check models   # exit 0: the newest model is up to date
    python -m bot.model_stamp write models   # after training: stamp the newest model
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.settings import PROJECT_ROOT

# What `rasa train` reads (data, domain, pipeline, the components' code) and the Rasa
# version it runs (a new Rasa may read the same files differently).
TRAINING_INPUTS = ("nlu_data", "domain.yml", "config.yml", "requirements-rasa.txt", "rasa_plugins")
STAMP_NAME = "fingerprint.json"


def training_inputs(root: Path) -> Iterator[Path]:
    """Yield every file training reads, in a fixed order."""
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                file
                for file in path.rglob("*")
                if file.is_file() and "__pycache__" not in file.parts
            )


def fingerprint(root: Path) -> str:
    """Return a hash of the names and contents of the training inputs under ``root``."""
    digest = hashlib.sha256()
    for path in training_inputs(root):
        content = path.read_bytes()
        name = path.relative_to(root).as_posix().encode()
        # Lengths first, so no two different sets of files give the same byte stream.
        digest.update(f"{len(name)}:{len(content)}:".encode())
        digest.update(name)
        digest.update(content)
    return digest.hexdigest()


def newest_model(models: Path) -> Path | None:
    """Return the newest model file in ``models`` (the one the bot starts with)."""
    candidates = sorted(models.glob("*.tar.gz"), key=os.path.getmtime)
    return candidates[-1] if candidates else None


def is_up_to_date(root: Path, models: Path) -> bool:
    """Return whether the newest model was trained from the current inputs."""
    model = newest_model(models)
    stamp = models / STAMP_NAME
    if model is None or not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(
        isinstance(recorded, dict)
        and recorded.get("model") == model.name
        and recorded.get("fingerprint") == fingerprint(root)
    )


def write_stamp(root: Path, models: Path) -> Path:
    """Record that the newest model was trained from the current inputs.

    Raises:
        FileNotFoundError: If there is no model.
    """
    model = newest_model(models)
    if model is None:
        raise FileNotFoundError(f"No model in {models}.")
    stamp = models / STAMP_NAME
    stamp.write_text(
        json.dumps({"model": model.name, "fingerprint": fingerprint(root)}) + "\n",
        encoding="utf-8",
    )
    return stamp


def main(argv: list[str] | None = None) -> int:
    """Run ``check`` or ``write``; messages go to stderr (stdout carries the chat)."""
    parser = argparse.ArgumentParser(prog="python -m bot.model_stamp")
    parser.add_argument("action", choices=("check", "write"))
    parser.add_argument("models", type=Path, help="the model folder, e.g. models")
    args = parser.parse_args(argv)
    models = args.models if args.models.is_absolute() else Path.cwd() / args.models
    if args.action == "check":
        if is_up_to_date(PROJECT_ROOT, models):
            sys.stderr.write("The model is up to date with nlu_data/, domain and config.\n")
            return 0
        sys.stderr.write("Training data, domain or config changed (or no model): training.\n")
        return 1
    write_stamp(PROJECT_ROOT, models)
    return 0


if __name__ == "__main__":
    sys.exit(main())
