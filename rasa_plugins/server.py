"""``rasa run`` with the HTTP API's token taken from the environment.

``python -m rasa_plugins.server run …`` behaves like ``rasa run …`` plus
``--auth-token $PATENBOT_RASA_TOKEN``. The token is added here, inside the process,
because a process's command line is readable by every user of the machine
(``ps``, ``/proc/<pid>/cmdline``), its environment only by its owner.
"""

from __future__ import annotations

import os
import sys

TOKEN_VARIABLE = "PATENBOT_RASA_TOKEN"  # noqa: S105 - a variable name


def rasa_argv(arguments: list[str], token: str) -> list[str]:
    """Return Rasa's command line: ``arguments`` and the token as ``--auth-token=…``.

    One word with ``=``: a separate word starting with "-" (a generated token does one
    time in 64) would be taken by argparse for an option, and Rasa would not start.
    """
    return ["rasa", *arguments, f"--auth-token={token}"]


def main() -> None:
    """Run Rasa's command line with ``--auth-token`` appended."""
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        sys.exit(f"{TOKEN_VARIABLE} is not set; the Rasa server would accept anyone.")
    sys.argv = rasa_argv(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
