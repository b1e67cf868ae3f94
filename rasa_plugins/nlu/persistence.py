"""Saving and loading trained text models with skops (no pickle of arbitrary code)."""

from __future__ import annotations

import json
from pathlib import Path

import skops.io as sio

from rasa_plugins.nlu.text_model import TextModel, TextModelConfig

# Only classes from these packages are loaded from a model file; anything else means the
# file was not written by this code, and loading refuses it.
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def save(model: TextModel, folder: Path, name: str) -> None:
    """Write a trained model to ``<folder>/<name>.skops`` and its settings to JSON."""
    sio.dump(model.pipeline, folder / f"{name}.skops")
    (folder / f"{name}.config.json").write_text(
        json.dumps(
            {"config": model.config.as_dict(), "temperature": model.temperature}, sort_keys=True
        ),
        encoding="utf-8",
    )


def load(folder: Path, name: str) -> TextModel:
    """Read a model written by :func:`save`.

    Raises:
        FileNotFoundError: No model of that name in the folder.
        ValueError: The file holds types from outside scikit-learn, NumPy and SciPy.
    """
    path = folder / f"{name}.skops"
    if not path.exists():
        raise FileNotFoundError(path)
    untrusted: list[str] = list(sio.get_untrusted_types(file=path))
    refused = [name for name in untrusted if not name.startswith(_TRUSTED_PREFIXES)]
    if refused:
        raise ValueError(f"refusing to load {path.name}: untrusted types {refused}")
    pipeline = sio.load(path, trusted=untrusted)
    meta = json.loads((folder / f"{name}.config.json").read_text(encoding="utf-8"))
    config = TextModelConfig.from_mapping(meta["config"])
    return TextModel(config, pipeline, float(meta["temperature"]))
