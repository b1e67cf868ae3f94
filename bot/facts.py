"""Placeholder values for the responses, formatted for the reader's locale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal

from bot.district import District
from bot.i18n import Catalogs
from bot.languages import get_language

_Translate = Callable[[str, str], str]
"""``tr(context, message)``: extracted with the keyword ``tr:1c,2`` (see babel.cfg)."""


def district_facts(
    district: District, catalogs: Catalogs, language: str, *, now: datetime
) -> dict[str, str]:
    """Return the value of every ``{placeholder}`` the responses may use.

    Values the district has not set become a sentence saying that the coordination
    office will tell, never an invented figure.

    Args:
        district: The district's settings.
        catalogs: The message catalogs.
        language: Supported language code of the reader.
        now: The current time; only future information events are listed.
    """
    locale = get_language(language).babel_locale

    def tr(context: str, message: str) -> str:
        return catalogs.pgettext(language, context, message)

    unset = tr("unset", "das sagt Ihnen die Koordinationsstelle gern")

    def number(value: float) -> str:
        return format_decimal(value, locale=locale)

    def euros(value: float) -> str:
        return format_currency(value, "EUR", locale=locale, format_type="standard")

    if district.expenses == "actual_costs":
        expenses = tr("expenses", "Ausgaben werden gegen Beleg erstattet")
    elif district.expenses == "monthly_budget" and district.monthly_budget_eur is not None:
        expenses = tr("expenses", "Sie bekommen ein kleines Monatsbudget von {amount}").format(
            amount=euros(district.monthly_budget_eur)
        )
    else:
        expenses = unset

    return {
        "district_name": district.district_name,
        "office_name": district.office_name,
        "hours_per_week": tr("range", "{low} bis {high}").format(
            low=number(district.hours_per_week_min), high=number(district.hours_per_week_max)
        ),
        "minimum_months": number(district.minimum_months),
        "expenses": expenses,
        "volunteer_allowance": euros(district.volunteer_allowance_eur),
        "certificate_fee": euros(district.police_certificate_fee_eur),
        "insurer": district.insurer or unset,
        "municipality_count": number(len(district.municipalities)),
        "municipalities": format_list(list(district.municipalities), locale=locale),
        "info_events": _info_events(district, tr, locale_name=str(locale), now=now),
        "chat_retention_days": number(district.chat_retention_days),
        "registration_retention_days": number(district.registration_retention_days),
        "data_protection_officer": district.data_protection_officer or unset,
        "contact_details": _contact_details(district, tr),
    }


def _info_events(district: District, tr: _Translate, *, locale_name: str, now: datetime) -> str:
    upcoming = sorted(
        (event for event in district.info_events if event.start >= now), key=lambda e: e.start
    )
    if not upcoming:
        return tr(
            "info_events",
            "Die nächsten Termine stehen noch nicht fest. "
            "Die Koordinationsstelle sagt Ihnen gern, wann die nächste ist.",
        )
    lines = [
        tr("info_events", "{when}, {place}").format(
            when=format_datetime(event.start, format="medium", locale=locale_name),
            place=event.place,
        )
        for event in upcoming[:3]
    ]
    return "; ".join(lines)


def _contact_details(district: District, tr: _Translate) -> str:
    parts = []
    if district.phone:
        parts.append(tr("contact", "Telefon: {phone}").format(phone=district.phone))
    if district.email:
        parts.append(tr("contact", "E-Mail: {email}").format(email=district.email))
    if district.address:
        parts.append(tr("contact", "Adresse: {address}").format(address=district.address))
    if district.opening_hours:
        parts.append(tr("contact", "Sprechzeiten: {hours}").format(hours=district.opening_hours))
    if not parts:
        return tr(
            "contact",
            "Die Kontaktdaten hat der Landkreis hier noch nicht eingetragen. "
            "Bitte fragen Sie im Landratsamt oder im Rathaus Ihrer Gemeinde nach.",
        )
    return "; ".join(parts)
