"""Stairway test: every migration upgrades and downgrades cleanly, on both databases."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from bot.storage.database import alembic_config, downgrade_database, upgrade_database
from bot.storage.models import Base


def test_stairway_up_and_down_every_revision(engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config(engine.url))
    revisions = list(reversed(list(script.walk_revisions())))
    downgrade_database(engine, "base")
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    for revision in revisions:
        upgrade_database(engine, revision.revision)
        downgrade_database(engine, revision.down_revision or "base")
        upgrade_database(engine, revision.revision)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_models_and_migrations_agree(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
