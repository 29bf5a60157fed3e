"""The web dashboard: assessments, one assessment, compare, model history, econ index.

`redline view` serves it over run folders; the registry serves the same pages at
`/ui` over what the caller's token may read. The pages read only a `ReportSource`
(and, in the registry, a `RegistryData`), so the UI holds no visibility rule of its own.
"""

from redline.view._app import DEFAULT_PORT, create_view_app, serve_view
from redline.view._charts import VERDICT_COLOURS
from redline.view._econ import EconEntry, EconFolder
from redline.view._pages import inspect_link, plotly_js_path, view_router
from redline.view._source import (
    TOKEN_COOKIE,
    VERDICTS,
    FolderSource,
    NotFound,
    RegistryData,
    ReportEntry,
    ReportSource,
    TokenGate,
    entry_of,
    verdict_counts,
)

__all__ = [
    "DEFAULT_PORT",
    "EconEntry",
    "EconFolder",
    "TOKEN_COOKIE",
    "VERDICTS",
    "VERDICT_COLOURS",
    "FolderSource",
    "NotFound",
    "RegistryData",
    "ReportEntry",
    "ReportSource",
    "TokenGate",
    "create_view_app",
    "entry_of",
    "inspect_link",
    "plotly_js_path",
    "serve_view",
    "verdict_counts",
    "view_router",
]
