from decimal import Decimal
from xml.etree import ElementTree

from fees.charts import Bar, bar_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def test_nice_ticks_cover_the_maximum_in_round_steps():
    assert nice_ticks(Decimal("123456"))[-1] == Decimal("200000")
    assert nice_ticks(Decimal(0)) == [Decimal(0), Decimal(1)]
    ticks = nice_ticks(Decimal("9000"))
    assert ticks[0] == 0 and ticks[-1] >= 9000


def test_bar_chart_is_valid_accessible_svg_without_inline_styles():
    bars = [Bar("Apr", Decimal("1000"), "April 2026"), Bar("<May>", Decimal("0"), "May 2026")]
    svg = str(bar_chart(bars, chart_id="c1", title="Collections <2026>", description="d"))
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)  # well-formed, names escaped
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Collections <2026>"
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == 2
    assert rects[0].find(f"{SVG}title").text == "April 2026: 1000"
    assert float(rects[0].get("height")) > 0 and float(rects[1].get("height")) == 0
    assert "style" not in svg


def test_empty_chart_still_draws():
    svg = str(bar_chart([], chart_id="c", title="t", description="d"))
    ElementTree.fromstring(svg)  # noqa: S314 (our own output)
