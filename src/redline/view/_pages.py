"""The dashboard's pages: one router, server-rendered with Jinja2, over any source.

`redline view` mounts the router at `/` over run folders; the registry mounts it at
`/ui` over what the caller's token may read. The router asks its source for reports
on every request and renders nothing else, so a page can never show what the source
did not give it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from redline.econ import compare_tables
from redline.errors import InputError, RedlineError
from redline.frameworks import DeclaredPropertyRule, EvidenceRule, ThresholdVerdict
from redline.reports import Report, compare_reports
from redline.view._charts import (
    VERDICT_COLOURS,
    comparison_chart,
    forest_plot,
    history_chart,
    sequence_chart,
    share_chart,
    trend_chart,
)
from redline.view._econ import EconFolder
from redline.view._source import (
    TOKEN_COOKIE,
    VERDICTS,
    NotFound,
    RegistryData,
    ReportEntry,
    ReportSource,
    TokenGate,
)

SourceFor = Callable[[Request], ReportSource]
RegistryFor = Callable[[Request], RegistryData]
EconFor = Callable[[Request], EconFolder]

_SORT_KEYS: dict[str, Callable[[ReportEntry], Any]] = {
    "date": lambda e: e.created_at,
    "model": lambda e: e.model.lower(),
    "framework": lambda e: e.framework.lower(),
    "decision": lambda e: e.decision,
}
_STATIC = {"view.css": "text/css", "view.js": "text/javascript"}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("redline.view", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["tojson_compact"] = lambda v: json.dumps(v, separators=(",", ":"))
    env.globals["verdict_colours"] = VERDICT_COLOURS
    env.globals["decision_label"] = _decision_label
    return env


def _decision_label(decision: str) -> str:
    return str(decision).replace("_", " ").capitalize()


def _num(value: float | None, digits: int = 3, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def plotly_js_path() -> Path:
    """plotly.js as the `plotly` Python package ships it (no CDN, no network)."""
    try:
        root = resources.files("plotly")
    except ModuleNotFoundError:
        from redline.errors import PrerequisiteError

        raise PrerequisiteError(
            "the dashboard's charts need plotly: pip install 'redline[view]'"
        ) from None
    return Path(str(root / "package_data" / "plotly.min.js"))


def inspect_link(base: str | None, log_file: str, sample_id: str, epoch: int) -> str:
    """Inspect View's address of one sample of a log (its hash route)."""
    if not base or not log_file:
        return ""
    name = quote(Path(log_file).name, safe="")
    return f"{base.rstrip('/')}/#/logs/{name}/samples/sample/{quote(sample_id, safe='')}/{epoch}/"


def _samples(
    report: Report, filters: Mapping[str, str], inspect_url: str | None
) -> list[dict[str, Any]]:
    rows = []
    for run in report.suites:
        for s in run.samples:
            if filters.get("suite") and run.suite != filters["suite"]:
                continue
            if filters.get("category") and s.category != filters["category"]:
                continue
            unscored = s.score is None
            wanted = filters.get("unscored")
            if (wanted == "yes" and not unscored) or (wanted == "no" and unscored):
                continue
            if filters.get("score") and (
                unscored or f"{s.score:g}" != filters["score"]
            ):
                continue
            rows.append(
                {
                    "suite": run.suite,
                    "sample": s,
                    "link": inspect_link(inspect_url, run.log_file, s.id, s.epoch),
                }
            )
    return rows


def _unscored(report: Report) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for run in report.suites:
        for s in run.samples:
            if s.score is None:
                key = (run.suite, s.unscored_reason or "unknown")
                counts[key] = counts.get(key, 0) + 1
    return [(suite, reason, n) for (suite, reason), n in sorted(counts.items())]


def _rules(threshold: ThresholdVerdict) -> list[EvidenceRule | DeclaredPropertyRule]:
    """Every rule of a threshold (a report lists them when there are several)."""
    return [r.rule for r in threshold.rules] or [threshold.rule]


def _evidence(threshold: ThresholdVerdict) -> list[str]:
    """What each rule of a threshold reads, naming the Inspect task a rule binds."""
    out = []
    for rule in _rules(threshold):
        text = rule.describe()
        if isinstance(rule, EvidenceRule) and rule.task is not None:
            args = ", ".join(f"{k}={v}" for k, v in sorted(rule.args.items()))
            text += f" (task {rule.task}{f'; {args}' if args else ''})"
        out.append(text)
    return out


def _reads(threshold: ThresholdVerdict, suite: str) -> bool:
    """Whether a threshold reads the evidence a suite run produced."""
    return any(
        isinstance(rule, EvidenceRule) and rule.binding == suite
        for rule in _rules(threshold)
    )


def _sequences(report: Report) -> list[dict[str, Any]]:
    out = []
    for run in report.suites:
        if run.sequential is None:
            continue
        # Suites are named by the evidence binding their rules read (task plus args
        # digest for a bound task), so a rule's own binding finds its run.
        mine = [t for t in report.thresholds if _reads(t, run.suite)]
        cutoffs = [
            (f"{t.threshold_id} cutoff", rule.cutoff)
            for t in mine
            for rule in _rules(t)
            if isinstance(rule, EvidenceRule) and rule.binding == run.suite
        ]
        confidence = mine[0].confidence if mine else 0.95
        chart = sequence_chart(run, confidence, cutoffs)
        if chart is not None:
            grouped = any(s.group is not None for s in run.samples)
            out.append(
                {
                    "run": run,
                    "chart": chart,
                    "confidence": confidence,
                    "observed": "group means" if grouped else "scores",
                }
            )
    return out


def view_router(
    source_for: SourceFor,
    registry_for: RegistryFor | None = None,
    *,
    gate: TokenGate | None = None,
    econ_for: EconFor | None = None,
    base: str = "",
    title: str = "Redline",
) -> APIRouter:
    """The dashboard's routes.

    Args:
        source_for: The report source for a request (scoped to its reader).
        registry_for: The registry-only data for a request; None hides those pages.
        econ_for: Economic indexes for a request; None hides the economic index pages.
        gate: Checks API tokens; given, `/login` keeps one in a cookie.
        base: The path the router is mounted under (`""` or `/ui`), for links.
        title: Shown in every page's header.
    """
    # HTML pages, not API: kept out of the registry's OpenAPI spec. The registry's
    # visibility walk (tests/registry/test_visibility_everywhere.py) covers them
    # against this router's own routes instead.
    router = APIRouter(include_in_schema=False)
    env = _environment()
    rows = _RowCache(env, base)

    def render(
        request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        html = env.get_template(template).render(
            base=base,
            title=title,
            registry=registry_for is not None,
            econ=econ_for is not None,
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def failed(request: Request, exc: RedlineError) -> HTMLResponse:
        status = getattr(exc, "status", None)
        if isinstance(exc, NotFound):
            status = 404
        elif status is None:
            status = 422 if isinstance(exc, InputError) else 500
        return render(request, "error.html", status=status, message=str(exc))

    @router.get("/static/plotly.min.js")
    def plotly_js() -> FileResponse:
        return FileResponse(
            plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "max-age=86400"},
        )

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in _STATIC:
            return Response("not found", status_code=404)
        text = resources.files("redline.view").joinpath("static", name).read_text()
        return Response(text, media_type=_STATIC[name])

    @router.get("/", response_class=HTMLResponse)
    def assessments(
        request: Request,
        model: str = "",
        framework: str = "",
        decision: str = "",
        date_from: str = "",
        date_to: str = "",
        sort: str = "date",
        order: str = "desc",
        cursor: str = "",
    ) -> HTMLResponse:
        filters = {
            "model": model, "framework": framework, "decision": decision,
            "date_from": date_from, "date_to": date_to,
        }  # fmt: skip
        try:
            source = source_for(request)
            page, next_cursor = source.listing(filters, cursor or None)
            problems = list(source.problems())
        except RedlineError as exc:
            return failed(request, exc)
        shown = list(page)
        key = _SORT_KEYS.get(sort, _SORT_KEYS["date"])
        shown.sort(key=key, reverse=order != "asc")
        return render(
            request,
            "list.html",
            rows=rows.render(shown),
            entries=shown,
            filters=filters,
            sort=sort if sort in _SORT_KEYS else "date",
            order="asc" if order == "asc" else "desc",
            next_cursor=next_cursor,
            first_page=not cursor,
            models=sorted({e.model for e in shown} | ({model} - {""})),
            frameworks=sorted({e.framework for e in shown} | ({framework} - {""})),
            decisions=sorted({e.decision for e in shown} | ({decision} - {""})),
            verdicts=VERDICTS,
            problems=problems,
        )

    @router.get("/reports/{entry_id}", response_class=HTMLResponse)
    def assessment(
        request: Request,
        entry_id: str,
        suite: str = "",
        category: str = "",
        score: str = "",
        unscored: str = "",
    ) -> HTMLResponse:
        try:
            source = source_for(request)
            entry, report = source.report(entry_id)
        except RedlineError as exc:
            return failed(request, exc)
        filters = {
            "suite": suite,
            "category": category,
            "score": score,
            "unscored": unscored,
        }
        all_samples = [s for run in report.suites for s in run.samples]
        return render(
            request,
            "report.html",
            entry=entry,
            report=report,
            forest=forest_plot(report),
            sequences=_sequences(report),
            unscored_rows=_unscored(report),
            samples=_samples(report, filters, source.inspect_url),
            sample_total=len(all_samples),
            filters=filters,
            suites=[run.suite for run in report.suites],
            categories=sorted({s.category for s in all_samples if s.category}),
            scores=sorted({f"{s.score:g}" for s in all_samples if s.score is not None}),
            inspect_url=source.inspect_url,
            log_dir=report.run.log_dir,
            evidence={t.threshold_id: _evidence(t) for t in report.thresholds},
            safeguards=[(t, g) for t in report.thresholds for g in t.safeguards],
            corrections=[t for t in report.thresholds if t.correction is not None],
        )

    @router.get("/compare", response_class=HTMLResponse)
    def compare(
        request: Request,
        ids: list[str] = Query(default=[], alias="id"),  # noqa: B008
        allow_incomparable: bool = False,
    ) -> HTMLResponse:
        try:
            source = source_for(request)
            chosen = [source.report(i) for i in dict.fromkeys(ids)]
            if len(chosen) < 2:
                entries = list(source.listing({}, None)[0])
        except RedlineError as exc:
            return failed(request, exc)
        if len(chosen) < 2:
            entries.sort(key=_SORT_KEYS["date"], reverse=True)
            return render(request, "compare_pick.html", entries=entries, chosen=ids)
        labels = [e.label for e, _ in chosen]
        if len(set(labels)) != len(labels):
            labels = [f"{e.label} ({e.id[:6]})" for e, _ in chosen]
        try:
            comparison = compare_reports(
                [(label, r) for label, (_, r) in zip(labels, chosen, strict=True)],
                allow_incomparable=allow_incomparable,
            )
        except InputError as exc:
            return render(
                request, "compare_refused.html", status=422, message=str(exc),
                ids=ids,
            )  # fmt: skip
        return render(
            request,
            "compare.html",
            comparison=comparison,
            chosen=chosen,
            labels=labels,
            flipped=_flipped(chosen, labels),
            ids=ids,
            allow_incomparable=allow_incomparable,
        )

    @router.get("/history", response_class=HTMLResponse)
    def history(request: Request, model: str = "") -> HTMLResponse:
        try:
            source = source_for(request)
            entries = [e for e in source.entries() if not model or e.model == model]
            models = sorted({e.model for e in source.entries()})
            if not model:
                return render(request, "history_pick.html", models=models)
            entries.sort(key=_SORT_KEYS["date"])
            reports = [source.report(e.id) for e in entries]
        except RedlineError as exc:
            return failed(request, exc)
        points, cutoffs, rows = [], {}, []
        for entry, report in reports:
            when = entry.created_at.isoformat()
            for t in report.thresholds:
                points.append(
                    (t.threshold_id, when, t.estimate, t.ci_lower, t.ci_upper)
                )
                cutoff = getattr(t.rule, "cutoff", None)
                if cutoff is not None:
                    cutoffs[t.threshold_id] = float(cutoff)
                rows.append((entry, t))
        return render(
            request,
            "history.html",
            model=model,
            models=models,
            history_spec=history_chart(points, cutoffs),
            rows=rows,
            entries=entries,
        )

    if registry_for is not None:
        _registry_routes(router, registry_for, render, failed)
    if econ_for is not None:
        _econ_routes(router, econ_for, render, failed)
    if gate is not None:
        _login_routes(router, gate, render, base)
    return router


def _login_routes(
    router: APIRouter,
    gate: TokenGate,
    render: Callable[..., HTMLResponse],
    base: str,
) -> None:
    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> HTMLResponse:
        try:
            who = gate.who(request)
        except RedlineError as exc:
            return render(request, "login.html", status=401, who=None, message=str(exc))
        return render(request, "login.html", who=who, message="")

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        # Parsed by hand: one field does not justify a multipart dependency.
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        try:
            gate.check(token)
        except RedlineError as exc:
            return render(request, "login.html", status=401, who=None, message=str(exc))
        response = RedirectResponse(f"{base}/", status_code=303)
        response.set_cookie(
            TOKEN_COOKIE, token, httponly=True, samesite="strict", path=base or "/"
        )
        return response

    @router.post("/logout")
    def logout() -> Response:
        response = RedirectResponse(f"{base}/login", status_code=303)
        response.delete_cookie(TOKEN_COOKIE, path=base or "/")
        return response


class _RowCache:
    """Rendered list rows by their content: a row is rendered once, not per request.

    The list page at a thousand reports is mostly its rows; an entry's row depends on
    nothing but the entry, so it is kept, bounded, and reused while the entry holds.
    """

    def __init__(self, env: Environment, base: str, size: int = 20_000) -> None:
        self._template = env.get_template("list_row.html")
        self._base = base
        self._size = size
        self._rows: dict[tuple[Any, ...], str] = {}

    def render(self, entries: list[ReportEntry]) -> Markup:
        out = []
        for e in entries:
            key = (
                e.id, e.label, e.model, e.framework, e.framework_version, e.created_at,
                e.decision, tuple(e.counts.items()), e.redacted,
            )  # fmt: skip
            row = self._rows.get(key)
            if row is None:
                if len(self._rows) >= self._size:
                    self._rows.clear()
                row = self._template.render(e=e, base=self._base, verdicts=VERDICTS)
                self._rows[key] = row
            out.append(row)
        return Markup("".join(out))


def _flipped(
    chosen: list[tuple[ReportEntry, Report]], labels: list[str]
) -> list[dict[str, Any]]:
    """Samples scored in every report whose score differs between two of them."""
    per: list[dict[tuple[str, str, int], float]] = [
        {
            (run.suite, s.id, s.epoch): s.score
            for run in report.suites
            for s in run.samples
            if s.score is not None
        }
        for _, report in chosen
    ]
    common = set(per[0]).intersection(*per[1:])
    out = []
    for key in sorted(common):
        values = [scores[key] for scores in per]
        if len(set(values)) > 1:
            out.append(
                {
                    "suite": key[0],
                    "id": key[1],
                    "epoch": key[2],
                    "scores": dict(zip(labels, values, strict=True)),
                }
            )
    return out


def _registry_routes(
    router: APIRouter,
    registry_for: RegistryFor,
    render: Callable[..., HTMLResponse],
    failed: Callable[[Request, RedlineError], HTMLResponse],
) -> None:
    incident_filters = (
        "risk_domain",
        "harm_type",
        "developer",
        "system",
        "q",
        "date_from",
        "date_to",
    )

    @router.get("/exercises", response_class=HTMLResponse)
    def exercises(request: Request) -> HTMLResponse:
        try:
            items = registry_for(request).exercises()
        except RedlineError as exc:
            return failed(request, exc)
        return render(request, "exercises.html", exercises=items)

    @router.get("/exercises/{exercise_id}", response_class=HTMLResponse)
    def exercise(request: Request, exercise_id: str) -> HTMLResponse:
        try:
            item, agreement = registry_for(request).exercise(exercise_id)
        except RedlineError as exc:
            return failed(request, exc)
        return render(request, "exercise.html", exercise=item, agreement=agreement)

    @router.get("/incidents", response_class=HTMLResponse)
    def incidents(request: Request) -> HTMLResponse:
        filters = {
            k: v for k in incident_filters if (v := request.query_params.get(k, ""))
        }
        try:
            data = registry_for(request)
            page = data.incidents(filters)
            trend = data.trends(filters)
        except RedlineError as exc:
            return failed(request, exc)
        return render(
            request, "incidents.html", page=page, trend=trend,
            trend_spec=trend_chart(trend), filters=filters, names=incident_filters,
        )  # fmt: skip

    @router.get("/incidents/{ref}", response_class=HTMLResponse)
    def incident(request: Request, ref: str) -> HTMLResponse:
        try:
            item = registry_for(request).incident(ref)
        except RedlineError as exc:
            return failed(request, exc)
        return render(request, "incident.html", incident=item)


def _econ_routes(
    router: APIRouter,
    econ_for: EconFor,
    render: Callable[..., HTMLResponse],
    failed: Callable[[Request, RedlineError], HTMLResponse],
) -> None:
    @router.get("/econ", response_class=HTMLResponse)
    def econ_indexes(request: Request) -> HTMLResponse:
        try:
            folder = econ_for(request)
            entries = folder.entries()
        except RedlineError as exc:
            return failed(request, exc)
        return render(
            request, "econ_list.html", entries=entries, problems=folder.problems()
        )

    @router.get("/econ/{entry_id}", response_class=HTMLResponse)
    def econ_index(
        request: Request, entry_id: str, level: str = "major-group"
    ) -> HTMLResponse:
        if level not in _ECON_LEVELS:
            return failed(
                request,
                InputError(
                    f"level: {level!r} is not a level (expected one of "
                    f"{', '.join(_ECON_LEVELS)})"
                ),
            )
        try:
            folder = econ_for(request)
            entry = folder.entry(entry_id)
            releases = [
                e for e in folder.entries() if e.kind == "release" and e.id != entry.id
            ]
        except RedlineError as exc:
            return failed(request, exc)
        sections = []
        for key, heading, parent, top in _ECON_SECTIONS:
            table = entry.tables[key]
            shown = min(top, len(table.rows))
            sections.append(
                {
                    "id": key,
                    "heading": heading,
                    "table": table,
                    "parent": parent,
                    "chart": share_chart(table, top) if table.rows else None,
                    "label": (
                        f"{heading}: the {shown} largest shares of {table.base}"
                        + (", with their bootstrap intervals" if entry.index else "")
                    ),
                }
            )
        comparisons = []
        if entry.kind == "index":
            mine = entry.tables[level]
            for release in releases:
                comparison = compare_tables(
                    mine, release.tables[level], f"index {entry.label}",
                    f"release {release.label}",
                )  # fmt: skip
                comparisons.append(
                    {
                        "release": release,
                        "comparison": comparison,
                        "chart": comparison_chart(comparison, mine)
                        if comparison.rows
                        else None,
                    }
                )
        return render(
            request, "econ.html", entry=entry, sections=sections,
            comparisons=comparisons, level=level, levels=_ECON_LEVELS,
        )  # fmt: skip


_ECON_LEVELS = ("major-group", "occupation", "task")
_ECON_SECTIONS = (
    ("major-group", "SOC major groups", None, 23),
    ("occupation", "Occupations", "Major group", 20),
    ("task", "O*NET tasks", "Occupation", 20),
    ("mode", "Interaction modes", None, 10),
)
