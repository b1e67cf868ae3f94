"""Owner-only files: the data folder holds personal data (database, logs, exports)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# New files 0600 and folders 0700 for this process and every process it starts
# (the servers inherit the mask, so Rasa's files and the logs are private too).
PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700


def restrict_new_files() -> None:
    """Make every file this process (and its children) creates readable by the owner only."""
    os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """Create ``path`` for the owner only, and take group and others' access off its contents.

    A folder made by an older version (or by hand) may hold files readable by everyone;
    they are fixed at every start, so an upgrade needs no manual step. Symbolic links are
    not followed: they may point at files that are not ours. The data folder must be a
    folder of its own (everything in it is made private).

    Returns:
        The folder.
    """
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _restrict(path)
    for folder, subfolders, files in os.walk(path):
        for name in (*subfolders, *files):
            _restrict(Path(folder) / name)
    return path


def _restrict(path: Path) -> None:
    status = path.lstat()
    mode = status.st_mode
    # Another user's file (a data folder set to a shared place by mistake) is left alone.
    if stat.S_ISLNK(mode) or status.st_uid != os.getuid():
        return
    wanted = stat.S_IMODE(mode) & ~PRIVATE_UMASK
    if stat.S_ISDIR(mode):
        wanted |= FOLDER_MODE
    if wanted != stat.S_IMODE(mode):
        path.chmod(wanted)
