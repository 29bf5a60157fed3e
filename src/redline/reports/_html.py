"""Render a report as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from redline.reports._schema import Report
from redline.reports._terminal import correction_line, smoke_note

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("redline.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def log_href(location: str) -> str:
    """A link to a log: Inspect's locations are URLs already, plain paths become file URLs."""
    if urlsplit(location).scheme:
        return location
    return Path(location).resolve().as_uri()


def log_name(location: str) -> str:
    """The log's file name: the folder is in the link and in `run.log_dir`."""
    return location.rstrip("/").rsplit("/", 1)[-1]


_environment.filters["log_href"] = log_href
_environment.filters["log_name"] = log_name


def render_html(report: Report) -> str:
    """HTML page with the decision, the per-threshold table and the suites run."""
    confidence = report.thresholds[0].confidence if report.thresholds else 0.95
    return _environment.get_template("report.html.j2").render(
        report=report,
        confidence=confidence,
        smoke_note=smoke_note(report).removeprefix("Smoke run: "),
        corrections=[
            line for v in report.thresholds if (line := correction_line(v)) is not None
        ],
    )
