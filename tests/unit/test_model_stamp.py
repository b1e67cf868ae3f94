"""`make train` asks Rasa only when what training reads has changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.model_stamp import fingerprint, is_up_to_date, write_stamp
from tests.helpers import ROOT


def a_project(root: Path) -> Path:
    (root / "nlu_data" / "de").mkdir(parents=True)
    (root / "nlu_data" / "de" / "faq.yml").write_text("nlu: []\n")
    (root / "domain.yml").write_text("version: '3.1'\n")
    (root / "config.yml").write_text("pipeline: []\n")
    (root / "requirements-rasa.txt").write_text("rasa==3.6.21\n")
    return root


def test_the_fingerprint_follows_training_inputs_only(tmp_path: Path) -> None:
    root = a_project(tmp_path)
    before = fingerprint(root)
    (root / "README.md").write_text("not read by training")
    (root / "nlu_data" / "de" / "__pycache__").mkdir()
    (root / "nlu_data" / "de" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert fingerprint(root) == before
    (root / "nlu_data" / "de" / "faq.yml").write_text("nlu: [x]\n")
    changed_data = fingerprint(root)
    assert changed_data != before
    (root / "nlu_data" / "de" / "faq.yml").write_text("nlu: []\n")
    assert fingerprint(root) == before
    (root / "nlu_data" / "de" / "faq.yml").rename(root / "nlu_data" / "de" / "general.yml")
    assert fingerprint(root) != before  # a renamed file is another input
    (root / "nlu_data" / "de" / "general.yml").rename(root / "nlu_data" / "de" / "faq.yml")
    for name in ("domain.yml", "config.yml", "requirements-rasa.txt"):
        original = (root / name).read_text()
        (root / name).write_text(original + "# changed\n")
        assert fingerprint(root) != before, name
        (root / name).write_text(original)


def test_the_stamp_names_the_model_it_was_written_for(tmp_path: Path) -> None:
    root = a_project(tmp_path / "project")
    models = tmp_path / "models"
    models.mkdir()
    assert not is_up_to_date(root, models)
    (models / "20260101-000000-a.tar.gz").write_bytes(b"model")
    write_stamp(root, models)
    assert is_up_to_date(root, models)
    (root / "domain.yml").write_text("version: '3.1'\nintents: [greet]\n")
    assert not is_up_to_date(root, models)
    write_stamp(root, models)
    (models / "20260101-000000-a.tar.gz").unlink()  # the model is gone: train again
    assert not is_up_to_date(root, models)


def test_a_second_make_train_does_not_start_rasa(tmp_path: Path) -> None:
    # A recorder in place of the rasa command: it notes each call and writes a model, as
    # `rasa train --out DIR` does, and prints Rasa's closing line on stdout.
    calls = tmp_path / "calls"
    rasa = tmp_path / "rasa"
    rasa.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        'while [ "$1" != "--out" ]; do shift; done\n'
        'touch "$2/$(date +%s%N).tar.gz"\n'
        'echo "Your Rasa model is trained and saved at $2."\n'
    )
    rasa.chmod(0o700)
    models = tmp_path / "models"
    models.mkdir()

    def make_train() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "-s", "train", f"RASA={rasa}", f"MODEL_DIR={models}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    first = make_train()
    assert len(calls.read_text().splitlines()) == 1
    assert first.stdout == ""  # Rasa's output goes to stderr: stdout carries the chat
    assert "Your Rasa model is trained" in first.stderr
    second = make_train()
    assert len(calls.read_text().splitlines()) == 1
    assert second.stdout == ""
    assert "up to date" in second.stderr
