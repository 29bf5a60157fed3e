"""Read an AI Incident Database (AIID) CSV snapshot into `IncidentRecord`s.

A snapshot folder holds `incidents.csv` (required) and any number of
`classifications_<Namespace>.csv` files (MIT, GMF, CSETv1, ...). Malformed rows
become `RowProblem`s with the file and the 1-based physical line where the row
starts, and the read goes on; only a missing folder or file, an undecodable
file or a wrong header raises `IncidentImportError`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from redline.errors import IncidentImportError
from redline.incidents._model import (
    AttributeValue,
    Classification,
    HarmType,
    IncidentKind,
    IncidentRecord,
    RowProblem,
    Severity,
    SourceReport,
)
from redline.incidents._taxonomy import (
    cset_harm_types,
    cset_sectors,
    cset_severity,
    mit_domain_name,
    mit_subdomain_name,
    redline_domains,
)

INCIDENTS_FILE = "incidents.csv"
INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "date",
    "reports",
    "Alleged deployer of AI system",
    "Alleged developer of AI system",
    "Alleged harmed or nearly harmed parties",
    "description",
    "title",
)
"""Columns `incidents.csv` must have (`_id`, the Mongo ObjectId, is optional and unused)."""

CLASSIFICATION_COLUMNS: tuple[str, ...] = ("Namespace", "Incident ID", "Published")
"""Columns every `classifications_<Namespace>.csv` must have; the rest are taxonomy attributes."""

_ENTITY_FIELDS = {
    "Alleged deployer of AI system": "deployers",
    "Alleged developer of AI system": "developers",
    "Alleged harmed or nearly harmed parties": "harmed_parties",
}
_CLASSIFICATION_FILE = re.compile(r"^classifications_(.+)\.csv$")
_NAMESPACE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^\d{1,9}$")


class AiidSnapshot(BaseModel):
    """What a snapshot read produced: the records, the rows it could not take, the files."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    records: list[IncidentRecord]
    """Incident records, sorted by AIID incident id."""
    problems: list[RowProblem]
    """Rows not taken (or fields dropped), sorted by file and line."""
    files: dict[str, str]
    """File name -> `sha256:<hex>` of its bytes, for every file read."""


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _Pending:
    """An incident row that parsed, waiting for its classifications."""

    fields: dict[str, object]
    line: int
    classifications: dict[str, Classification] = field(default_factory=dict)
    risk_domains: tuple[str, ...] = ()
    harm_types: tuple[HarmType, ...] = ()
    severity: Severity | None = None
    sectors: tuple[str, ...] = ()


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as ex:
        raise IncidentImportError(
            f"{path}: not UTF-8 text (byte {ex.start}); AIID snapshots are UTF-8 CSV"
        ) from None


def _rows(
    path: Path, text: str, required: tuple[str, ...], problems: list[RowProblem]
) -> Iterator[_Row]:
    """Yield the file's rows as header -> value dicts, with their starting line.

    Fields may hold newlines, so a row's line is one past where the previous row
    ended (`reader.line_num`), not a row count.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = next(reader)
    except StopIteration:
        raise IncidentImportError(
            f"{path}: empty file; expected a header with columns {', '.join(required)}"
        ) from None
    header = [name.strip() for name in header]
    missing = [name for name in required if name not in header]
    if missing:
        raise IncidentImportError(
            f"{path}:1: header lacks column(s) {', '.join(missing)}; expected columns "
            f"{', '.join(required)} (found: {', '.join(header) or 'none'})"
        )
    # CSETv1 repeats a column name ("AI System"); later copies get " (2)", " (3)".
    names: list[str] = []
    for name in header:
        unique, copy = name, 2
        while unique in names:
            unique, copy = f"{name} ({copy})", copy + 1
        names.append(unique)
    ended = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as ex:
            # E.g. a field over the csv module's size limit: the reader resumes
            # after the bad row, so the rest of the file is still read.
            problems.append(
                RowProblem(
                    file=path.name, line=ended + 1, reason=f"unreadable CSV row: {ex}"
                )
            )
            ended = reader.line_num
            continue
        start, ended = ended + 1, reader.line_num
        if not values or values == [""]:
            continue  # a blank line
        if len(values) != len(names):
            problems.append(
                RowProblem(
                    file=path.name,
                    line=start,
                    external_id=values[names.index(required[0])].strip()
                    if len(values) > names.index(required[0])
                    else None,
                    reason=f"expected {len(names)} fields as in the header, found {len(values)}",
                )
            )
            continue
        yield _Row(start, dict(zip(names, values, strict=True)))


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[RowProblem] = []
        self.files: dict[str, str] = {}

    def text(self, name: str) -> str:
        path = self.folder / name
        data = path.read_bytes()
        self.files[name] = "sha256:" + hashlib.sha256(data).hexdigest()
        return _decode(path, data)

    def problem(
        self,
        file: str,
        line: int,
        reason: str,
        *,
        external_id: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problems.append(
            RowProblem(
                file=file,
                line=line,
                external_id=external_id,
                field=field,
                reason=reason,
            )
        )

    def incidents(self) -> dict[int, _Pending]:
        path = self.folder / INCIDENTS_FILE
        pending: dict[int, _Pending] = {}
        for row in _rows(
            path, self.text(INCIDENTS_FILE), INCIDENT_COLUMNS, self.problems
        ):
            parsed = self.incident(row)
            if parsed is None:
                continue
            number, fields = parsed
            if number in pending:
                self.problem(
                    INCIDENTS_FILE,
                    row.line,
                    f"duplicate incident_id {number}; first seen on line "
                    f"{pending[number].line}, which is kept",
                    external_id=str(number),
                    field="incident_id",
                )
                continue
            pending[number] = _Pending(fields, row.line)
        return pending

    def incident(self, row: _Row) -> tuple[int, dict[str, object]] | None:
        values = row.values
        raw_id = values["incident_id"].strip()

        def bad(column: str, reason: str) -> None:
            self.problem(
                INCIDENTS_FILE,
                row.line,
                reason,
                external_id=raw_id or None,
                field=column,
            )

        if not _INTEGER.match(raw_id) or int(raw_id) == 0:
            bad("incident_id", f"expected a positive integer, found {raw_id!r}")
            return None
        number = int(raw_id)
        raw_date = values["date"].strip()
        try:
            if not _ISO_DATE.match(raw_date):
                raise ValueError
            when = date.fromisoformat(raw_date)
        except ValueError:
            bad("date", f"expected a date as YYYY-MM-DD, found {raw_date!r}")
            return None
        title = values["title"].strip()
        if not title:
            bad("title", "empty title; every incident needs one")
            return None
        try:
            report_numbers = _int_list(values["reports"])
        except ValueError as ex:
            bad("reports", f"expected a JSON list of report numbers, {ex}")
            return None
        fields: dict[str, object] = {
            "source": "aiid",
            "external_id": str(number),
            "kind": IncidentKind.INCIDENT,
            "title": title,
            "description": values["description"].strip(),
            "date": when,
            "reports": tuple(
                SourceReport(external_id=str(n)) for n in sorted(set(report_numbers))
            ),
        }
        for column, name in _ENTITY_FIELDS.items():
            try:
                entities = _str_list(values[column])
            except ValueError as ex:
                bad(column, f"expected a JSON list of entity slugs, {ex}")
                return None
            fields[name] = tuple(
                dict.fromkeys(e.strip() for e in entities if e.strip())
            )
        return number, fields

    def classifications(self, name: str, pending: dict[int, _Pending]) -> None:
        path = self.folder / name
        namespace = _CLASSIFICATION_FILE.match(name)
        assert namespace is not None  # the caller globbed for this pattern
        expected = namespace.group(1)
        text = self.text(name)
        if not _NAMESPACE.match(expected):
            self.problem(
                name,
                1,
                f"namespace {expected!r} (from the file name) is not a valid taxonomy "
                "namespace (letters, digits, _ . -); file skipped",
            )
            return
        seen: dict[int, int] = {}
        for row in _rows(path, text, CLASSIFICATION_COLUMNS, self.problems):
            values = row.values
            raw_id = values["Incident ID"].strip()

            def bad(
                column: str | None, reason: str, row: _Row = row, raw_id: str = raw_id
            ) -> None:
                self.problem(
                    name, row.line, reason, external_id=raw_id or None, field=column
                )

            row_namespace = values["Namespace"].strip()
            if row_namespace != expected:
                bad("Namespace", f"expected namespace {expected!r} as in the file name")
                continue
            if not _INTEGER.match(raw_id):
                bad("Incident ID", f"expected a positive integer, found {raw_id!r}")
                continue
            number = int(raw_id)
            if number not in pending:
                bad(
                    "Incident ID",
                    f"incident {number} is not among the incidents read from "
                    f"{INCIDENTS_FILE} (absent, or its row was not taken)",
                )
                continue
            if number in seen:
                bad(
                    "Incident ID",
                    f"second {expected} classification of incident {number}; the "
                    f"one on line {seen[number]} is kept",
                )
                continue
            published = values["Published"].strip()
            if published not in ("True", "False"):
                bad("Published", f"expected True or False, found {published!r}")
                continue
            attributes = {
                key: _attribute(value)
                for key, value in values.items()
                if key not in CLASSIFICATION_COLUMNS and value.strip()
            }
            target = pending[number]
            if expected == "MIT" and published == "True":
                try:
                    target.risk_domains = _mit(attributes)
                except ValueError as ex:
                    bad("Risk Domain", str(ex))
                    continue
            if expected == "CSETv1" and published == "True":
                target.harm_types = cset_harm_types(attributes)
                target.severity = cset_severity(attributes)
                target.sectors = cset_sectors(attributes)
            seen[number] = row.line
            target.classifications[expected] = Classification(
                namespace=expected,
                attributes=attributes,
                published=published == "True",
            )

    def record(self, pending: _Pending) -> IncidentRecord | None:
        try:
            return IncidentRecord.model_validate(
                {
                    **pending.fields,
                    "classifications": tuple(
                        pending.classifications[k]
                        for k in sorted(pending.classifications)
                    ),
                    "risk_domains": pending.risk_domains,
                    "harm_types": pending.harm_types,
                    "severity": pending.severity,
                    "sectors": pending.sectors,
                }
            )
        except ValidationError as ex:
            error = ex.errors()[0]
            column = ".".join(str(part) for part in error["loc"])
            self.problem(
                INCIDENTS_FILE,
                pending.line,
                f"{error['msg']} (field {column})",
                external_id=str(pending.fields["external_id"]),
                field=column.split(".")[0],
            )
            return None


def _json_list(text: str) -> list[object]:
    stripped = text.strip()
    if not stripped:
        return []
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError as ex:
        raise ValueError(
            f"found invalid JSON ({ex.msg} at character {ex.pos})"
        ) from None
    if not isinstance(value, list):
        raise ValueError(f"found {stripped[:60]!r}")
    return value


def _int_list(text: str) -> list[int]:
    items = _json_list(text)
    # bool is an int subclass; `[true]` is not a report number.
    numbers = [i for i in items if isinstance(i, int) and not isinstance(i, bool)]
    if len(numbers) != len(items):
        raise ValueError(f"found {text.strip()[:60]!r}")
    return numbers


def _str_list(text: str) -> list[str]:
    items = _json_list(text)
    strings = [i for i in items if isinstance(i, str)]
    if len(strings) != len(items):
        raise ValueError(f"found {text.strip()[:60]!r}")
    return strings


def _attribute(value: str) -> AttributeValue:
    stripped = value.strip()
    if stripped == "True":
        return True
    if stripped == "False":
        return False
    return stripped


def _mit(attributes: dict[str, AttributeValue]) -> tuple[str, ...]:
    """Risk domains from an MIT classification; canonicalises its names in place."""
    domain = attributes.get("Risk Domain")
    if not isinstance(domain, str):
        return ()
    attributes["Risk Domain"] = mit_domain_name(domain)
    subdomain = attributes.get("Risk Subdomain")
    if isinstance(subdomain, str):
        attributes["Risk Subdomain"] = mit_subdomain_name(subdomain)
        return redline_domains(domain, subdomain)
    return redline_domains(domain)


def read_aiid_snapshot(folder: str | Path) -> AiidSnapshot:
    """Read an AIID CSV snapshot: incidents with their classifications side by side.

    Each incident becomes an `IncidentRecord` (source `aiid`, external id its
    `incident_id`, one numbered `SourceReport` per report, entities from the JSON
    lists). Every `classifications_<Namespace>.csv` present adds one
    `Classification` per incident, named by the file's namespace, holding the
    row's non-empty columns ('True'/'False' read as booleans, other values as
    text). Published MIT classifications set `risk_domains`; published CSETv1
    ones set harm types, severity and sectors where they state them.

    Malformed rows (bad id or date, broken JSON list, empty title, duplicate id,
    classification of an unknown incident) are reported in `problems` and
    skipped; the read goes on. The result is sorted, so reading the same files
    twice gives identical records and digests.

    Args:
        folder: The snapshot folder.

    Returns:
        The records, the problems, and the sha256 of every file read.

    Raises:
        IncidentImportError: The folder or `incidents.csv` is missing, a file is
            not UTF-8, or a header lacks a required column.
    """
    root = Path(folder)
    if not root.is_dir():
        raise IncidentImportError(
            f"{root}: no such folder; expected an AIID snapshot folder holding "
            f"{INCIDENTS_FILE} and classifications_<Namespace>.csv files"
        )
    if not (root / INCIDENTS_FILE).is_file():
        raise IncidentImportError(
            f"{root / INCIDENTS_FILE}: missing; an AIID snapshot needs {INCIDENTS_FILE} "
            f"with columns {', '.join(INCIDENT_COLUMNS)}"
        )
    reader = _Reader(root)
    pending = reader.incidents()
    for path in sorted(root.glob("classifications_*.csv")):
        reader.classifications(path.name, pending)
    records = [
        record
        for number in sorted(pending)
        if (record := reader.record(pending[number])) is not None
    ]
    problems = sorted(reader.problems, key=lambda p: (p.file, p.line, p.field or ""))
    return AiidSnapshot(
        records=records, problems=problems, files=dict(sorted(reader.files.items()))
    )
