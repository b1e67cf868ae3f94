"""``python -m bot coordinator add|disable|list|reset-password|require-totp|reset-totp``.

Accounts of the coordinators' console are created on the command line only: whoever
runs these commands on the server is trusted like an admin. Like the other
coordinators' commands (bot/admin_cli.py) the lines are English; the one-time password
is printed once and stored only as its Argon2 hash. Self-contained: one function adds
the parser, one runs the command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.office import accounts
from bot.office.accounts import ChangeResult, ChangeStatus
from bot.private_files import private_folder
from bot.registrations.coordination import local_actor
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory, upgrade_database

COMMAND = "coordinator"
REFUSALS = {
    ChangeStatus.NOT_FOUND: "There is no account {name!r}.",
    ChangeStatus.INVALID_NAME: (
        "{name!r} is not a valid account name: 2 to 64 characters a-z, 0-9, '.', '_' or '-', "
        "starting with a letter or digit."
    ),
    ChangeStatus.INVALID_ROLE: "The role must be one of: " + ", ".join(accounts.ROLES) + ".",
    ChangeStatus.NAME_TAKEN: "An account {name!r} exists already.",
}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``coordinator`` command and its subcommands to the main parser."""
    parser = commands.add_parser(COMMAND, help="manage the accounts of the coordinators' console")
    actions = parser.add_subparsers(dest="coordinator_command", required=True)
    add = actions.add_parser("add", help="create an account; prints its one-time password")
    add.add_argument("name")
    add.add_argument("--role", choices=accounts.ROLES, default="coordinator")
    add.add_argument(
        "--require-totp", action="store_true", help="the account must enrol a second factor"
    )
    disable = actions.add_parser("disable", help="disable an account (it cannot log in)")
    disable.add_argument("name")
    actions.add_parser("list", help="list the accounts")
    reset = actions.add_parser(
        "reset-password", help="set a new one-time password and lift a lockout"
    )
    reset.add_argument("name")
    require = actions.add_parser(
        "require-totp", help="make the second factor (TOTP) mandatory for an account"
    )
    require.add_argument("name")
    require.add_argument("--off", action="store_true", help="make it optional again")
    reset_totp = actions.add_parser(
        "reset-totp", help="remove an account's second factor (lost phone)"
    )
    reset_totp.add_argument("name")


def run_coordinator_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run one ``coordinator`` subcommand; return the exit code."""
    private_folder(settings.path(settings.data_dir))
    engine = make_engine(settings.database_url)
    try:
        upgrade_database(engine)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            return _run(session, args, actor=local_actor())
    finally:
        engine.dispose()


def _run(session: Session, args: argparse.Namespace, *, actor: str) -> int:
    command: str = args.coordinator_command
    if command == "list":
        _list(session)
        return 0
    steps: dict[str, Callable[[], ChangeResult]] = {
        "add": lambda: accounts.create_account(
            session=session, name=args.name, role=args.role, actor=actor
        ),
        "disable": lambda: accounts.disable_account(session=session, name=args.name, actor=actor),
        "reset-password": lambda: accounts.reset_password(
            session=session, name=args.name, actor=actor
        ),
        "require-totp": lambda: accounts.set_totp_required(
            session=session, name=args.name, required=not args.off, actor=actor
        ),
        "reset-totp": lambda: accounts.reset_totp(session=session, name=args.name, actor=actor),
    }
    result = steps[command]()
    if result.status is not ChangeStatus.OK or result.account is None:
        sys.stderr.write(REFUSALS[result.status].format(name=args.name) + "\n")
        return 1
    name = result.account.name
    if command == "add" and args.require_totp:
        accounts.set_totp_required(session=session, name=name, required=True, actor=actor)
    if result.one_time_password is not None:
        what = "created" if command == "add" else "given a new one-time password"
        sys.stdout.write(
            f"Account {name!r} {what}. One-time password (shown only now, valid for "
            f"{accounts.ONE_TIME_PASSWORD_DAYS} days, to be changed at the first login):\n"
            f"{result.one_time_password}\n"
        )
    elif command == "disable":
        sys.stdout.write(f"Account {name!r} is disabled.\n")
    elif command == "require-totp":
        duty = "optional" if args.off else "mandatory"
        sys.stdout.write(f"The second factor is now {duty} for {name!r}.\n")
    else:
        sys.stdout.write(f"The second factor of {name!r} is removed; it can enrol again.\n")
    return 0


def _list(session: Session) -> None:
    shown = accounts.list_accounts(session=session)
    for account in shown:
        flags = [
            "disabled" if account.disabled else "active",
            "totp" if account.totp_enabled else "no totp",
        ]
        if account.totp_required:
            flags.append("totp required")
        if account.must_change_password:
            flags.append("one-time password")
        last = f"{account.last_login_at:%Y-%m-%d %H:%M}" if account.last_login_at else "never"
        sys.stdout.write(
            f"{account.name}\t{account.role}\t{', '.join(flags)}\tlast login: {last}\n"
        )
    sys.stdout.write(f"{len(shown)} accounts\n")
