"""Server-side SVG charts (R-RPT-5: the same chart on the page and in the PDF): labels escaped, bars scaled."""

import re

from betterwork.common.charts import BAR_AREA, Bar, bar_chart


def test_bars_scale_to_the_largest_value_and_labels_are_escaped():
    svg = str(bar_chart([Bar("<script>alert(1)</script>", 2), ("OSH", 4)], title='Non-compliances "per" cluster'))
    assert svg.startswith('<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg"')
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&quot;per&quot;" in svg
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths == [BAR_AREA // 2, BAR_AREA]


def test_no_rows_no_chart_and_zeroes_draw_nothing():
    assert bar_chart([], title="Empty") == ""
    svg = str(bar_chart([("A", 0), ("B", 0)], title="Zeroes"))
    assert re.findall(r'<rect [^>]*width="(\d+)"', svg) == ["0", "0"]
