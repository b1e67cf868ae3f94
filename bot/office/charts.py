"""Bar charts rendered on the server as SVG, with their numbers as table rows.

A pure function: no JavaScript, no library, no I/O. Every text is escaped; the SVG has
a ``<title>`` and ``<desc>`` and ``role="img"``; the page shows ``rows`` as a table
next to it, for screen readers and for reading exact numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from babel import Locale
from babel.numbers import format_decimal

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70
ROW_HEIGHT = 28
BAR_HEIGHT = 18
PADDING = 8
MAX_LABEL_CHARS = 30
BAR_COLOUR = "#0f4c81"


@dataclass(frozen=True)
class Chart:
    """A rendered chart and the same numbers for a table.

    Attributes:
        svg: The ``<svg>`` element, ready to put into a page.
        title: The caption (also the SVG's ``<title>``).
        rows: (label, number formatted for the locale) per bar, in the chart's order.
    """

    svg: str
    title: str
    rows: tuple[tuple[str, str], ...]


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    data: Sequence[tuple[str, int]],
    locale: str | Locale = "de",
) -> Chart:
    """Return a horizontal bar chart of ``data`` (label, count), one bar per row.

    Args:
        chart_id: A page-unique id (letters, digits, ``-``) for the title and description.
        title: The chart's caption, already translated.
        description: What the chart shows, already translated (the SVG's ``<desc>``).
        data: Labels (already shown names, not stored keys) and their counts.
        locale: The Babel locale that formats the numbers.
    """
    if not chart_id.replace("-", "").isalnum():
        raise ValueError(f"chart id {chart_id!r} must be letters, digits and '-'")
    shown = [(label, format_decimal(count, locale=locale)) for label, count in data]
    largest = max((count for _, count in data), default=0)
    bar_space = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    height = max(1, len(data)) * ROW_HEIGHT + 2 * PADDING
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="sans-serif" font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, ((label, count), (_, number)) in enumerate(zip(data, shown, strict=True)):
        top = PADDING + index * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2
        length = 0 if largest == 0 else round(bar_space * count / largest, 1)
        bar_x = LABEL_WIDTH + PADDING
        parts.append(
            "<g>"
            f'<text x="{LABEL_WIDTH}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" fill="currentColor">{escape(_short(label))}'
            f"<title>{escape(label)}</title></text>"
            f'<rect x="{bar_x}" y="{middle - BAR_HEIGHT / 2}" width="{length}" '
            f'height="{BAR_HEIGHT}" fill={quoteattr(BAR_COLOUR)}/>'
            f'<text x="{bar_x + length + PADDING}" y="{middle}" dominant-baseline="middle" '
            f'fill="currentColor">{escape(number)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Chart(svg="".join(parts), title=title, rows=tuple(shown))
