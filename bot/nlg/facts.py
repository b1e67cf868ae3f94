"""Placeholder values for the responses, formatted for the reader's locale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from babel.dates import format_datetime
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal

from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import get_language
from bot.nlg.district import District

_Translate = Callable[[str, str], str]
"""``tr(context, message)``: extracted with the keyword ``tr:1c,2`` (see babel.cfg)."""


def district_facts(
    district: District,
    catalogs: Catalogs,
    language: str,
    *,
    now: datetime,
    german_office_name: bool = False,
) -> dict[str, str]:
    """Return the value of every ``{placeholder}`` the responses may use.

    Values the district has not set become a sentence saying that the coordination
    office will tell, never an invented figure. Figures come with their noun in the
    plural form the reader's language uses for them ("1 bis 3 Stunden", Russian
    "от 1 до 3 часов"), and the district's and office's names in the reader's language
    (``names`` in ``district.yml``).

    Args:
        district: The district's settings.
        catalogs: The message catalogs.
        language: Supported language code of the reader.
        now: The current time; only future information events are listed.
        german_office_name: Add the office's German name in brackets (where people need
            it to find the office: contact details), if the reader's name differs.
    """
    locale = get_language(language).babel_locale

    def tr(context: str, message: str) -> str:
        return catalogs.pgettext(language, context, message)

    def ntr(context: str, singular: str, plural: str, n: int) -> str:
        """Translate a text with the number ``n`` (keyword ``ntr:1c,2,3``)."""
        return catalogs.npgettext(language, context, singular, plural, n)

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

    names = district.names_in(language)
    low, high = district.hours_per_week_min, district.hours_per_week_max
    if low == high:
        # Translators: time a mentorship takes, in "Meist sind es {hours_per_week} pro Woche".
        hours = ntr("hours_per_week", "{count} Stunde", "{count} Stunden", high).format(
            count=number(high)
        )
    else:
        # Translators: time a mentorship takes, in "Meist sind es {hours_per_week} pro
        # Woche". The form is chosen by {high}: Russian "от 1 до 3 часов".
        hours = ntr(
            "hours_per_week", "{low} bis {high} Stunde", "{low} bis {high} Stunden", high
        ).format(low=number(low), high=number(high))
    months = district.minimum_months
    chat_days = district.chat_retention_days
    registration_days = district.registration_retention_days
    municipalities = len(district.municipalities)
    return {
        "district_name": names.district,
        "office_name": office_name(district, language, with_german=german_office_name),
        "hours_per_week": hours,
        # Translators: in "Eine Patenschaft sollte {minimum_duration} dauern".
        "minimum_duration": ntr(
            "minimum_duration", "mindestens {count} Monat", "mindestens {count} Monate", months
        ).format(count=number(months)),
        "expenses": expenses,
        "volunteer_allowance": euros(district.volunteer_allowance_eur),
        "certificate_fee": euros(district.police_certificate_fee_eur),
        "insurer": district.insurer or unset,
        # Translators: in "Patenschaften gibt es im ganzen {district_name},
        # {in_all_municipalities}: <the list of towns>".
        "in_all_municipalities": ntr(
            "in_all_municipalities",
            "in {count} Stadt oder Gemeinde",
            "in allen {count} Städten und Gemeinden",
            municipalities,
        ).format(count=number(municipalities)),
        "municipalities": format_list(list(district.municipalities), locale=locale),
        "info_events": _info_events(district, tr, locale_name=str(locale), now=now),
        # Translators: when data is erased, in "… und lösche ihn {chat_retention}" and
        # "Ohne neuen Kontakt löschen wir sie {registration_retention}".
        "chat_retention": ntr(
            "retention", "nach {count} Tag", "nach {count} Tagen", chat_days
        ).format(count=number(chat_days)),
        "registration_retention": ntr(
            "retention", "nach {count} Tag", "nach {count} Tagen", registration_days
        ).format(count=number(registration_days)),
        "data_protection_officer": district.data_protection_officer or unset,
        "contact_details": _contact_details(district, tr),
    }


def office_name(district: District, language: str, *, with_german: bool = False) -> str:
    """Return the office's name for readers of ``language``.

    Args:
        district: The district's settings.
        language: Supported language code of the reader.
        with_german: Add the German name in brackets if the reader's name differs.
    """
    name = district.names_in(language).office
    if with_german and name != district.office_name:
        return f"{name} ({district.office_name})"
    return name


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
