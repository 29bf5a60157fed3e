"""The HTML report says, in one sentence, what a "below" verdict guarantees."""

from __future__ import annotations

from typing import Any

from redline.reports import Report, render_html


def test_the_html_report_states_the_below_guarantee(
    report_data: dict[str, Any],
) -> None:
    page = render_html(Report.model_validate(report_data))
    assert 'What a "below" guarantees' in page
    # At the default 95% confidence: 2.5% per side, at the worst case.
    assert "at most 2.5% of the time" in page
    assert "unscored samples read as unsafe" in page
