"""Engine, sessions and schema migrations for the project's database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.private_files import private_folder
from bot.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# How long a SQLite connection waits for another writer before "database is locked".
# With WAL (see enable_wal) only writers wait for writers, and those transactions are
# short; the same wait is given to Rasa's connections (rasa_tracker_url).
SQLITE_BUSY_TIMEOUT_SECONDS = 10


def _enable_sqlite_foreign_keys(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.close()


def make_engine(url: str | URL) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout."""
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def enable_wal(engine: Engine) -> None:
    """Put a SQLite database into write-ahead-log mode (nothing to do elsewhere).

    In the default rollback journal a reader (a long export) blocks every writer, and
    Rasa could not store a user's turn. With WAL readers and the writer do not block
    each other. The mode is stored in the database file, so Rasa's connections use it
    too.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


def prepare_database(settings: Settings) -> None:
    """Create the data folder (owner only) and bring the database schema up to date.

    Every command that touches the database starts with this (the bot's start, the
    coordinators' commands, the evaluation), so none writes to an outdated schema.
    """
    private_folder(settings.path(settings.data_dir))
    engine = make_engine(settings.database_url)
    enable_wal(engine)
    upgrade_database(engine)
    engine.dispose()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory; callers open sessions and own their transactions."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | URL) -> Config:
    """Return an Alembic configuration for our migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url_text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url_text.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    with engine.begin() as connection:
        config = alembic_config(engine.url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``"base"`` removes every table of ours)."""
    with engine.begin() as connection:
        config = alembic_config(engine.url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def rasa_tracker_url(url: str | URL) -> str:
    """Return the URL Rasa's SQL tracker store uses for the same database.

    Rasa runs SQLAlchemy 1.4 with psycopg2; our code runs psycopg 3. For SQLite the
    URL carries the busy timeout, which SQLAlchemy's pysqlite dialect hands to
    ``sqlite3.connect(timeout=…)`` (Python's default is 5 s).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql")
    if parsed.get_backend_name() == "sqlite" and "timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"timeout": str(SQLITE_BUSY_TIMEOUT_SECONDS)})
    return parsed.render_as_string(hide_password=False)
