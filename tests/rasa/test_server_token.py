"""The Rasa server takes any token from the environment, one that starts with "-" too."""

from __future__ import annotations

import subprocess

from tests.helpers import ROOT

PARSE = """
import sys
from rasa.__main__ import create_argument_parser
from rasa_plugins.server import rasa_argv
argv = rasa_argv(["run", "--enable-api"], sys.argv[1])
print(create_argument_parser().parse_args(argv[1:]).auth_token)
"""


def test_a_token_starting_with_a_dash_reaches_rasa_as_the_token() -> None:
    # secrets.token_urlsafe starts with "-" one time in 64: Rasa's own argument parser
    # (in the Rasa environment) must read it as the value, not as an option.
    result = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "-c", PARSE, "-Ab3_x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert result.stdout.strip() == "-Ab3_x"
