"""`redline view`: the dashboard over run folders and report files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from redline.errors import InputError, PrerequisiteError

_DEFAULT_PORT = 7575
_DEFAULT_INSPECT = "http://127.0.0.1:7576"


def _view() -> Any:
    try:
        import uvicorn  # noqa: F401  (serves the app)

        from redline import view
    except ImportError as exc:
        raise PrerequisiteError(
            f"the dashboard needs {exc.name}: pip install 'redline[view]'"
        ) from None
    return view


@click.command("view")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=_DEFAULT_PORT, show_default=True
)
@click.option(
    "--inspect-url",
    default=_DEFAULT_INSPECT,
    show_default=True,
    help="Where `inspect view` serves the runs' logs; sample rows link there.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
def view_command(
    paths: tuple[Path, ...], host: str, port: int, inspect_url: str, no_browser: bool
) -> None:
    """Browse assessments, compare them and follow a model over time, in the browser.

    PATHS are run folders (searched for report.json) and report files, plain or
    signed; by default ./runs. Folders holding an economic index (`redline econ
    index --out DIR` writes DIR/index.json) and index files show on the economic
    index page. Read-only, no account.
    """
    chosen = list(paths) or [Path("runs")]
    if not paths and not chosen[0].is_dir():
        raise InputError(
            "runs: no such folder; run `redline assess` first, or give PATHS"
        )
    view = _view()
    click.echo(f"Redline dashboard on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    view.serve_view(
        chosen,
        host=host,
        port=port,
        inspect_url=inspect_url,
        open_browser=not no_browser,
    )
