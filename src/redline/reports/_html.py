"""Render a report as one self-contained HTML page."""

from __future__ import annotations

import jinja2

from redline.reports._schema import Report
from redline.reports._terminal import correction_line

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("redline.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render_html(report: Report) -> str:
    """HTML page with the decision, the per-threshold table and the suites run."""
    confidence = report.thresholds[0].confidence if report.thresholds else 0.95
    return _environment.get_template("report.html.j2").render(
        report=report,
        confidence=confidence,
        corrections=[
            line for v in report.thresholds if (line := correction_line(v)) is not None
        ],
    )
