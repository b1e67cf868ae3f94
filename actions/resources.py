"""What the actions need from the project (settings, catalogs, database), loaded once on use."""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from bot.i18n.catalogs import Catalogs
from bot.nlg.district import District, load_district
from bot.nlg.responses import SourceResponse, load_responses
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory


@cache
def settings() -> Settings:
    """Return the settings of the action server process."""
    return Settings()


@cache
def catalogs() -> Catalogs:
    """Return the compiled message catalogs."""
    return Catalogs(settings().path(settings().locale_dir))


@cache
def district() -> District:
    """Return the district's facts."""
    return load_district(settings().path(settings().district_file))


@cache
def responses() -> dict[str, SourceResponse]:
    """Return the German source responses of the domain."""
    return load_responses(settings().path(settings().domain_file))


@cache
def session_factory() -> sessionmaker[Session]:
    """Return the database session factory (the schema is migrated at start)."""
    return make_session_factory(make_engine(settings().database_url))
