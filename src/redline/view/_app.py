"""`redline view`: the dashboard as its own app over run folders and report files."""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request

from redline._version import __version__
from redline.view._econ import INDEX_FILE, EconFolder
from redline.view._pages import view_router
from redline.view._source import FolderSource

DEFAULT_PORT = 7575
"""The dashboard's default port."""


def create_view_app(
    paths: Sequence[Path], *, inspect_url: str | None = None
) -> FastAPI:
    """The local dashboard over run folders and report files.

    Args:
        paths: Run folders (searched for `report.json` and for economic indexes'
            `index.json`), report files and index files.
        inspect_url: Base URL of an `inspect view` over the runs' logs; sample rows
            link there.

    Raises:
        InputError: A path does not exist.
    """
    # An index file given by name is an economic index, not a report; folders are
    # searched for both.
    reports = [p for p in paths if not (p.is_file() and p.name == INDEX_FILE)]
    source = FolderSource(reports, inspect_url=inspect_url)
    econ = EconFolder(
        [p.resolve() for p in paths if p.is_dir() or p.name == INDEX_FILE]
    )
    app = FastAPI(title="Redline dashboard", version=__version__, docs_url=None,
                  redoc_url=None, openapi_url=None)  # fmt: skip

    def source_for(_request: Request) -> FolderSource:
        return source

    def econ_for(_request: Request) -> EconFolder:
        return econ

    app.include_router(
        view_router(source_for, econ_for=econ_for, title="Redline (local runs)")
    )
    return app


def serve_view(
    paths: Sequence[Path],
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    inspect_url: str | None = None,
    open_browser: bool = True,
) -> None:
    """Serve the dashboard until interrupted, opening it in the browser once up."""
    import uvicorn

    app = create_view_app(paths, inspect_url=inspect_url)
    if open_browser:
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
