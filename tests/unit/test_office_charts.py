"""The server-side SVG bar chart: valid, escaped, labelled, and its numbers as rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.office.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_proportional_and_the_numbers_are_rows_formatted_for_the_locale() -> None:
    chart = bar_chart(
        chart_id="by-municipality",
        title="Anmeldungen nach Gemeinde",
        description="Balkendiagramm.",
        data=[("Leonberg", 1200), ("Böblingen", 600), ("Aidlingen", 0)],
    )
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "by-municipality-title by-municipality-desc"
    assert root.find(f"{SVG}title").text == "Anmeldungen nach Gemeinde"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Balkendiagramm."  # type: ignore[union-attr]
    widths = [float(rect.get("width", "")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0 and widths[0] > 0
    assert chart.rows == (("Leonberg", "1.200"), ("Böblingen", "600"), ("Aidlingen", "0"))
    english = bar_chart(chart_id="c", title="t", description="d", data=[("x", 1200)], locale="en")
    assert english.rows == (("x", "1,200"),)


def test_text_is_escaped_and_long_labels_keep_their_full_text() -> None:
    hostile = '<script>alert("x")</script> & a very long municipality name indeed'
    chart = bar_chart(
        chart_id="c1", title="A < B & C", description="</desc><script>", data=[(hostile, 3)]
    )
    assert "<script>" not in chart.svg
    root = ET.fromstring(chart.svg)  # still well-formed
    texts = list(root.iter(f"{SVG}text"))
    assert texts[0].text is not None and texts[0].text.endswith("…")
    assert texts[0].find(f"{SVG}title").text == hostile  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").text == "A < B & C"  # type: ignore[union-attr]


def test_no_data_is_an_empty_chart_and_a_bad_id_is_refused() -> None:
    chart = bar_chart(chart_id="empty", title="t", description="d", data=[])
    assert chart.rows == () and not list(ET.fromstring(chart.svg).iter(f"{SVG}rect"))
    with pytest.raises(ValueError, match="chart id"):
        bar_chart(chart_id='x" onload="alert(1)', title="t", description="d", data=[])
