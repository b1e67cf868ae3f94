"""Programme facts of the district, read from ``district.yml``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class InfoEvent(BaseModel):
    """An information event for prospective mentors."""

    model_config = ConfigDict(frozen=True)

    start: datetime
    place: str


class LocalNames(BaseModel):
    """How readers of one language see the district's and the office's names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    district: str
    office: str


class District(BaseModel):
    """Facts the answers refer to; ``None`` means the district has not set it yet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    district_name: str
    office_name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    opening_hours: str | None = None
    data_protection_officer: str | None = None
    hours_per_week_min: int
    hours_per_week_max: int
    minimum_months: int
    expenses: Literal["actual_costs", "monthly_budget"] | None = None
    monthly_budget_eur: float | None = None
    volunteer_allowance_eur: float
    police_certificate_fee_eur: float
    insurer: str | None = None
    info_events: tuple[InfoEvent, ...] = ()
    registration_retention_days: int = 365
    chat_retention_days: int = 30
    municipalities: tuple[str, ...] = Field(min_length=1)
    names: dict[str, LocalNames] = Field(default_factory=dict)

    def names_in(self, language: str) -> LocalNames:
        """Return the names for readers of ``language``; the German ones if none are set."""
        return self.names.get(language) or LocalNames(
            district=self.district_name, office=self.office_name
        )


def load_district(path: Path) -> District:
    """Read and validate the district settings file.

    Args:
        path: Path to a YAML file such as ``district.yml``.

    Raises:
        pydantic.ValidationError: If a value is missing or of the wrong kind.
    """
    with path.open(encoding="utf-8") as handle:
        return District.model_validate(yaml.safe_load(handle))
