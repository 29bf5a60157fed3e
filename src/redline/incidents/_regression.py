"""Incident -> regression samples: the prompts an incident records, as a Redline suite file.

Each recorded prompt (`InputOutput` of a source report) becomes one JSONL sample
that the `redline/incident_regression` suite sends to a model, checking whether
the incident recurs.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from redline.errors import InputError
from redline.incidents._model import IncidentRecord

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def _identifier(record: IncidentRecord, record_id: str | None) -> str:
    raw = record.external_id or record_id
    if not raw:
        raise InputError(
            f"incident {record.title!r} has neither an external id nor a registry id; "
            "pass it as (id, record)"
        )
    return _UNSAFE_ID.sub("_", raw).strip("_") or "_"


def _category(record: IncidentRecord) -> str:
    if record.risk_domains:
        return record.risk_domains[0]
    mit = record.classification("MIT")
    domain = mit.attributes.get("Risk Domain") if mit else None
    return domain if isinstance(domain, str) and domain else "uncategorised"


def regression_samples(
    record: IncidentRecord, record_id: str | None = None
) -> list[dict[str, Any]]:
    """The regression samples of one incident: one per recorded prompt, in report order.

    Args:
        record: The incident.
        record_id: Its registry id, used when it has no external id.

    Returns:
        Samples with `id` (`incident-<source>-<id>-<n>`, n from 1), `prompt`,
        `incident_output` (empty when not recorded), `incident_id`,
        `incident_title`, `risk_domains` and `category` (the first Redline risk
        domain, else the MIT domain, else "uncategorised"). Empty when the
        incident records no prompt.

    Raises:
        InputError: The incident records prompts but has no id to name them by.
    """
    pairs = [pair for report in record.reports for pair in report.inputs_outputs]
    if not pairs:
        return []
    identifier = _identifier(record, record_id)
    incident_id = record.external_id or record_id
    category = _category(record)
    return [
        {
            "id": f"incident-{record.source}-{identifier}-{number}",
            "prompt": pair.input,
            "incident_output": pair.output,
            "incident_id": incident_id,
            "incident_title": record.title,
            "risk_domains": list(record.risk_domains),
            "category": category,
        }
        for number, pair in enumerate(pairs, 1)
    ]


def write_regression_suite(
    records: Iterable[IncidentRecord | tuple[str, IncidentRecord]],
    path: str | Path,
) -> int:
    """Write the regression samples of incidents as a JSONL suite file.

    Run it with `inspect eval redline/incident_regression -T dataset_path=<path>`.
    The file is written to a temporary sibling and renamed into place, so a
    failure never leaves a half-written suite.

    Args:
        records: Incidents, or (registry id, incident) pairs for incidents with
            no external id.
        path: The JSONL file to write.

    Returns:
        The number of samples written.

    Raises:
        InputError: No incident records a prompt, an incident has no id, or two
            incidents give the same sample id.
    """
    target = Path(path)
    samples: list[dict[str, Any]] = []
    seen: set[str] = set()
    count = 0
    for item in records:
        record_id, record = item if isinstance(item, tuple) else (None, item)
        count += 1
        for sample in regression_samples(record, record_id):
            if sample["id"] in seen:
                raise InputError(
                    f"two incidents give the regression sample id {sample['id']!r}; "
                    "incident ids must be distinct"
                )
            seen.add(sample["id"])
            samples.append(sample)
    if not samples:
        raise InputError(
            f"none of the {count} incident(s) records a prompt; regression samples "
            "come from the prompts and outputs of an incident's source reports "
            "(SourceReport.inputs_outputs)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for sample in samples:
                out.write(json.dumps(sample, ensure_ascii=False, sort_keys=True) + "\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(samples)
