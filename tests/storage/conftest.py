"""Storage tests run on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.storage.database import downgrade_database, make_engine, upgrade_database
from tests.storage.postgres import PostgresUnavailableError, temporary_postgres


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A PostgreSQL URL: TEST_DATABASE_URL, else a server started here.

    Without PostgreSQL a developer's run says so loudly and skips those tests; on CI
    (``CI=true``) that is a failure.
    """
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    try:
        with temporary_postgres() as url:
            yield url
    except PostgresUnavailableError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required on CI: {error}")
        sys.stderr.write(f"\n*** PostgreSQL tests are NOT run: {error} ***\n")
        yield None


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None
) -> Iterator[Engine]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        if postgres_url is None:
            pytest.skip("PostgreSQL tests NOT run: PostgreSQL is not installed here")
        url = postgres_url
    engine = make_engine(url)
    downgrade_database(engine, "base")
    upgrade_database(engine)
    try:
        yield engine
    finally:
        downgrade_database(engine, "base")
        engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
