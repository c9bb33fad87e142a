"""The dashboards' SVG charts: accessible (role, title, description), escaped, drawn to scale, empty when
there is nothing to draw (the table beside them always shows the numbers)."""

from fractions import Fraction

from reporting.charts_dashboards import line_chart, percent_bars


def test_percent_bars_are_labelled_escaped_and_scaled_to_100_percent():
    svg = str(percent_bars([("<b>OSH</b>", Fraction(1, 2)), ("Skipped", None)], title="Shares", description="Why"))
    assert 'role="img"' in svg
    assert "<title>Shares</title>" in svg
    assert "<desc>Why</desc>" in svg
    assert "&lt;b&gt;OSH&lt;/b&gt;" in svg
    assert "<b>" not in svg
    assert 'width="150"' in svg  # half of the 300-pixel bar area
    assert "50.0%" in svg
    assert "Skipped" not in svg


def test_line_chart_draws_a_point_per_period_and_nothing_without_data():
    svg = str(line_chart([("2025", Fraction(1)), ("2026", Fraction(19, 48))], title="Headline rate"))
    assert svg.count("<circle") == 2
    assert "39.6%" in svg
    assert "100.0%" in svg
    assert "<title>Headline rate</title>" in svg
    assert str(line_chart([("2025", None)], title="Nothing")) == ""
    assert str(percent_bars([], title="Nothing")) == ""
