"""The dashboard's charts: figures (bot/office/figures.py) named and drawn for one language.

The console's dashboard route calls :func:`dashboard_charts` and puts each chart's SVG
and its table (``Chart.rows``) into the page.
"""

from __future__ import annotations

from babel import Locale
from sqlalchemy.orm import Session

from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import get_language, is_supported
from bot.nlg.registration_texts import STATUS_LABELS
from bot.office import figures, texts
from bot.office.charts import Chart, bar_chart
from bot.office.figures import Period
from bot.registrations.coordinator_texts import (
    COORDINATOR_LANGUAGE,
    OTHER_MUNICIPALITY,
    OTHER_MUNICIPALITY_LABEL,
    coordinator_catalogs,
)

CHARTS = ("per_week", "funnel", "municipality", "language", "source")


def _language_name(code: str, locale: Locale) -> str:
    """Return a chat language's name in the reader's language, e.g. "Ukrainisch"."""
    if not is_supported(code):
        return str(locale.languages.get(code, code))
    supported = get_language(code)
    name = str(locale.languages.get(supported.locale.split("@")[0], code))
    return f"{name} ({supported.own_name})" if supported.own_name else name


def dashboard_charts(
    *,
    session: Session,
    period: Period,
    catalogs: Catalogs | None = None,
    language: str = COORDINATOR_LANGUAGE,
) -> dict[str, Chart]:
    """Return the dashboard's charts by key (:data:`CHARTS`), texts in ``language``.

    Five queries in all, each grouping in the database.
    """
    shown = catalogs if catalogs is not None else coordinator_catalogs()
    locale = get_language(language).babel_locale
    description = texts.tr(texts.CHART_DESCRIPTION, catalogs=shown, language=language)

    def chart(key: str, data: list[tuple[str, int]]) -> Chart:
        title = texts.tr(texts.CHART_TITLES[key], catalogs=shown, language=language)
        return bar_chart(
            chart_id=f"chart-{key.replace('_', '-')}",
            title=title,
            description=description,
            data=data,
            locale=locale,
        )

    weeks = figures.per_week(session=session, period=period)
    stages = figures.funnel(session=session, period=period)
    municipalities = figures.by_column(session=session, column="municipality", period=period)
    languages = figures.by_column(session=session, column="language", period=period)
    sources = figures.by_column(session=session, column="source", period=period)
    other = texts.tr(OTHER_MUNICIPALITY_LABEL, catalogs=shown, language=language)
    no_source = texts.tr(texts.NO_SOURCE_LABEL, catalogs=shown, language=language)
    return {
        "per_week": chart(
            "per_week",
            [
                (texts.week_label(monday, catalogs=shown, language=language), count)
                for monday, count in weeks
            ],
        ),
        "funnel": chart(
            "funnel",
            [(shown.gettext(language, STATUS_LABELS[stage]), count) for stage, count in stages],
        ),
        "municipality": chart(
            "municipality",
            [
                (other if value == OTHER_MUNICIPALITY else value, count)
                for value, count in municipalities
            ],
        ),
        "language": chart(
            "language", [(_language_name(code, locale), count) for code, count in languages]
        ),
        "source": chart("source", [(value or no_source, count) for value, count in sources]),
    }
