"""What the servers are started with: environment, model, ports, command lines, names.

``PATENBOT_RASA_REPLICAS=N`` starts N Rasa servers (replicas) on the ports from
``PATENBOT_RASA_PORT`` up, all on the shared SQL tracker store and the one action server.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

from bot.core.routing import Replica
from bot.private_files import private_folder
from bot.settings import Settings
from bot.storage.database import rasa_tracker_url
from bot.supervision.children import ChildFailedError

PINNED_MODEL_FOLDER = "rasa-model"


def server_environment(settings: Settings) -> dict[str, str]:
    """Return the environment the servers need (read by ``endpoints.yml``)."""
    env = dict(os.environ)
    # The action server reads its settings from the environment: hand ours down, so a
    # supervisor started with other ports or folders (tests, evaluation) is obeyed.
    env.update(
        PATENBOT_HOST=settings.host,
        PATENBOT_ACTION_PORT=str(settings.action_port),
        PATENBOT_RASA_PORT=str(settings.rasa_port),
        PATENBOT_DATA_DIR=str(settings.path(settings.data_dir)),
        PATENBOT_DISTRICT_FILE=str(settings.path(settings.district_file)),
        PATENBOT_DOMAIN_FILE=str(settings.path(settings.domain_file)),
        PATENBOT_LOCALE_DIR=str(settings.path(settings.locale_dir)),
        PATENBOT_LOG_LEVEL=settings.log_level,
        DATABASE_URL=settings.database_url,
    )
    env["PATENBOT_ACTION_URL"] = settings.action_url
    env["PATENBOT_TRACKER_URL"] = rasa_tracker_url(settings.database_url)
    # The servers' secrets travel only in the environment (readable by this user alone,
    # unlike a command line): rasa_plugins.server and the REST channel read the Rasa
    # token, endpoints.yml and the action server the action token.
    env["PATENBOT_RASA_TOKEN"] = settings.rasa_token.get_secret_value()
    env["PATENBOT_ACTION_TOKEN"] = settings.action_token.get_secret_value()
    env["PATENBOT_SESSION_MAX_EVENTS"] = str(settings.session_max_events)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def latest_model(settings: Settings) -> Path:
    """Return the newest trained model.

    Raises:
        ChildFailedError: If there is none yet.
    """
    models = sorted(settings.path(settings.model_dir).glob("*.tar.gz"), key=os.path.getmtime)
    if not models:
        raise ChildFailedError("No trained model found. Run 'make train' (or 'make run') first.")
    return models[-1]


def pin_model(model: Path, data_dir: Path) -> Path:
    """Keep the model this bot starts with in the data folder, for restarts of the Rasa server.

    ``make train`` may write newer models and delete old ones while the bot runs; a Rasa
    server restarted after a crash must load the same model as before (the conversation's
    slots and forms belong to it). A hard link costs no space while ``models/`` still has
    the file; on another file system the model is copied.

    Returns:
        The pinned model file.
    """
    folder = private_folder(data_dir / PINNED_MODEL_FOLDER)
    pinned = folder / model.name
    if not pinned.exists():
        partial = folder / f"{model.name}.partial"
        partial.unlink(missing_ok=True)
        try:
            os.link(model, partial)
        except OSError:
            shutil.copyfile(model, partial)
        partial.replace(pinned)
    for old in folder.iterdir():
        if old != pinned:
            old.unlink()
    return pinned


def port_in_use(host: str, port: int) -> bool:
    """Return whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the servers bind: SO_REUSEADDR ignores connections of an earlier run that
        # are still closing (TIME_WAIT), but not a socket that listens.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def refuse_taken_ports(settings: Settings) -> None:
    """Refuse to start when a port of a Rasa replica or of the action server is taken.

    Raises:
        ChildFailedError: If a port is taken (by servers of an earlier start that still
            run, or by another program), with the port and a hint.
    """
    replicas = settings.rasa_replica_list
    ports = [
        (replica_label(replica, len(replicas)), settings.rasa_port + index)
        for index, replica in enumerate(replicas)
    ]
    for label, port in (*ports, ("action server", settings.action_port)):
        if port_in_use(settings.host, port):
            raise ChildFailedError(
                f"Port {port} on {settings.host}, which the {label} needs, is already in "
                "use. Is Patenbot already running (or were its servers left over)? Stop "
                f"that first, e.g. find it with 'ss -ltnp sport = :{port}', or set other "
                "ports (PATENBOT_RASA_PORT, PATENBOT_ACTION_PORT)."
            )


def action_server_command() -> list[str]:
    """Return the command line of the action server (our Python, ``python -m bot``)."""
    return [sys.executable, "-m", "bot", "action-server"]


def rasa_command(settings: Settings, index: int, model: Path) -> list[str]:
    """Return the command line of the Rasa replica with this index.

    ``rasa_plugins.server`` is ``rasa run`` plus the API token from the environment; it
    runs on the Python beside ``PATENBOT_RASA_EXECUTABLE`` (``.venv-rasa``).
    """
    python = str(settings.path(settings.rasa_executable).parent / "python")
    return [
        python, "-m", "rasa_plugins.server", "run", "--enable-api",
        "--interface", settings.host,
        "--port", str(settings.rasa_port + index), "--model", str(model),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
    ]  # fmt: skip


def replica_label(replica: Replica, count: int) -> str:
    """Return how logs and messages name a Rasa replica ("Rasa server" if it is the only one)."""
    return "Rasa server" if count == 1 else f"Rasa server {replica.name}"


def replica_log_name(index: int) -> str:
    """Return the log file of the replica with this index (``rasa.log``, ``rasa-2.log`` …)."""
    return "rasa.log" if index == 0 else f"rasa-{index + 1}.log"
