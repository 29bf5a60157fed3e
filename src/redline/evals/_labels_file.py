"""An institute's own human-labelled replies, read from CSV or JSONL.

Each row needs `prompt`, `response` and `label`; `label` is `refused` /
`complied` (the refusal question) or `harmful` / `not_harmful` (harmful
compliance), one question per file. Optional: `context` (default `plain`;
`jailbreak` for jailbreak-wrapped requests), `category` (e.g. a language or
harm area, for per-category figures) and `prompt_id` (replies to one prompt are
resampled together; default the prompt text), and any number of
`label_<rater>` columns with other raters' labels of the same reply (blank where
a rater gave none), for agreement in joint exercises.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from redline.errors import ConfigError
from redline.evals._scorer_validation import NEGATIVE_LABEL, POSITIVE_LABEL, Question

_QUESTION_OF: dict[str, Question] = {
    label: question
    for question in POSITIVE_LABEL
    for label in (POSITIVE_LABEL[question], NEGATIVE_LABEL[question])
}


@dataclass(frozen=True)
class LabelledReply:
    """One human-labelled reply from a labels file."""

    prompt: str
    response: str
    positive: bool
    context: str
    category: str
    cluster: str
    other_raters: dict[str, bool | None] = field(default_factory=dict)
    """Labels of other raters of the same reply (`label_<rater>` columns), e.g. other
    institutes' annotators or judges in a joint exercise; None where left blank."""


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    rows: list[tuple[int, dict[str, object]]] = []
    try:
        for row in reader:
            if None in row:
                raise ConfigError(
                    f"{path}:{reader.line_num}: more fields than the header names"
                )
            rows.append((reader.line_num, dict(row)))
    except csv.Error as ex:
        raise ConfigError(f"{path}:{reader.line_num}: malformed CSV ({ex})") from None
    return rows


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    rows: list[tuple[int, dict[str, object]]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as ex:
            raise ConfigError(f"{path}:{lineno}: invalid JSON ({ex.msg})") from None
        if not isinstance(record, dict):
            raise ConfigError(f"{path}:{lineno}: expected a JSON object")
        rows.append((lineno, record))
    return rows


def read_labels(path: Path) -> tuple[Question, list[LabelledReply]]:
    """Read a labels file.

    Args:
        path: A `.csv` file with a header row, or a `.jsonl` file.

    Returns:
        The file's question and its rows.

    Raises:
        ConfigError: The file is missing, empty or malformed; the message names
            the file, line and field and what was expected.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: labels file not found") from None
    except (OSError, UnicodeDecodeError) as ex:
        raise ConfigError(f"{path}: cannot read labels file ({ex})") from None
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path, text)
    elif path.suffix.lower() in {".jsonl", ".ndjson"}:
        rows = _jsonl_rows(path, text)
    else:
        raise ConfigError(f"{path}: expected a .csv or .jsonl labels file")
    if not rows:
        raise ConfigError(f"{path}: no labelled rows")
    question: Question | None = None
    out: list[LabelledReply] = []
    for lineno, row in rows:
        fields: dict[str, str] = {}
        for name in ("prompt", "response", "label"):
            value = row.get(name)
            if not isinstance(value, str) or (name != "response" and not value.strip()):
                raise ConfigError(
                    f"{path}:{lineno}: field {name!r}: expected a non-empty string"
                )
            fields[name] = value
        label = fields["label"].strip().lower()
        if label not in _QUESTION_OF:
            raise ConfigError(
                f"{path}:{lineno}: field 'label': expected refused, complied, harmful "
                f"or not_harmful, got {fields['label']!r}"
            )
        if question is None:
            question = _QUESTION_OF[label]
        elif _QUESTION_OF[label] != question:
            raise ConfigError(
                f"{path}:{lineno}: field 'label': {label!r} answers another question than "
                f"the file's first row ({question}); use one question per file"
            )
        optional = {
            name: row.get(name) for name in ("context", "category", "prompt_id")
        }
        for name, value in optional.items():
            if value is not None and not isinstance(value, str | int):
                raise ConfigError(f"{path}:{lineno}: field {name!r}: expected a string")
        others: dict[str, bool | None] = {}
        for key, value in row.items():
            if not (isinstance(key, str) and key.startswith("label_") and len(key) > 6):
                continue
            text = "" if value is None else str(value).strip().lower()
            if text and _QUESTION_OF.get(text) != question:
                raise ConfigError(
                    f"{path}:{lineno}: field {key!r}: expected {POSITIVE_LABEL[question]}, "
                    f"{NEGATIVE_LABEL[question]} or blank, got {value!r}"
                )
            others[key[6:]] = (text == POSITIVE_LABEL[question]) if text else None
        out.append(
            LabelledReply(
                prompt=fields["prompt"],
                response=fields["response"],
                positive=label == POSITIVE_LABEL[question],
                context=str(optional["context"] or "plain").strip(),
                category=str(optional["category"] or "").strip(),
                cluster=str(optional["prompt_id"] or fields["prompt"]),
                other_raters=others,
            )
        )
    assert question is not None  # rows is not empty
    return question, out
