"""The SVG charts: accessible, script-free, with their data as a table."""

from insights.charts import Series, bar_chart, funnel_chart, line_chart


def test_line_chart_has_title_desc_band_and_table():
    chart = line_chart(
        slug="goal",
        title="Managers engaged",
        description="By month, with the target band.",
        summary="12% of managers engaged by March.",
        labels=["Jan", "Feb", "Mar", "Apr"],
        series=[Series("Managers", [4.0, 8.0, 12.0, None])],
        band=(20, 25),
        unit="%",
    )
    svg = str(chart.svg)
    assert '<title id="goal-title">Managers engaged</title>' in svg
    assert '<desc id="goal-desc">By month, with the target band.</desc>' in svg
    assert 'aria-labelledby="goal-title goal-desc"' in svg
    assert 'class="chart-band"' in svg
    assert "<script" not in svg
    assert "style=" not in svg
    assert chart.columns == ["Month", "Managers"]
    assert chart.rows[2] == ["Mar", "12%"]
    # A month not reached is a gap in the line and a dash in the table.
    assert chart.rows[3][1] == "—"
    assert svg.count("<polyline") == 1


def test_a_gap_splits_the_line():
    chart = line_chart(
        slug="s",
        title="t",
        description="d",
        summary="s",
        labels=["a", "b", "c", "d"],
        series=[Series("x", [1.0, None, 2.0, 3.0])],
    )
    assert str(chart.svg).count("<polyline") == 2


def test_text_is_escaped():
    chart = bar_chart(
        slug="b",
        title="<b>Waitlist</b>",
        description="d & e",
        summary="s",
        labels=["<Jan>"],
        values=[3],
        value_name="Places",
    )
    svg = str(chart.svg)
    assert "&lt;b&gt;Waitlist&lt;/b&gt;" in svg
    assert "d &amp; e" in svg
    assert "<Jan>" not in svg


def test_funnel_gives_each_stage_its_share_of_the_first():
    chart = funnel_chart(
        slug="f",
        title="Funnel",
        description="d",
        summary="s",
        stages=[("Shown", 1000), ("Clicked", 80), ("Enrolled", 12)],
    )
    assert chart.rows == [
        ["Shown", "1,000", "100.0%"],
        ["Clicked", "80", "8.0%"],
        ["Enrolled", "12", "1.2%"],
    ]
    assert str(chart.svg).count('<rect class="chart-funnel') == 3


def test_funnel_with_nothing_shown_does_not_divide_by_zero():
    chart = funnel_chart(
        slug="f", title="t", description="d", summary="s", stages=[("Shown", 0), ("Clicked", 0)]
    )
    assert chart.rows[1] == ["Clicked", "0", "—"]
