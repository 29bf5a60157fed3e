"""Duplicate suggestions: synthetic cases and the real AIID snapshot."""

from __future__ import annotations

import time

import pytest

from redline.incidents import AiidSnapshot, DuplicateIndex, SourceReport, incident_text

STORED = [
    ("a", "A self-driving car operated by a ride-hailing company struck a pedestrian at night."),
    ("b", "A chatbot told customers that a refund policy existed when it did not."),
    ("c", "Deepfake videos of a celebrity were used to advertise a fraudulent investment scheme."),
    ("d", "A hiring algorithm ranked applications from women lower than those from men."),
]  # fmt: skip


def test_suggestions_rank_the_matching_incident_first_with_scores_in_range() -> None:
    index = DuplicateIndex(STORED)
    found = index.suggest("Deep-faked celebrity ads promote investment scams", k=3)
    assert found[0].key == "c"
    assert [s.rank for s in found] == list(range(1, len(found) + 1))
    assert all(0.0 <= s.score <= 1.0 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert index.suggest("Self-driving cars hit pedestrians")[0].key == "a"
    assert index.suggest("Recruiting tool penalised women's applications")[0].key == "d"


def test_identical_text_scores_one_and_unrelated_text_nothing() -> None:
    index = DuplicateIndex(STORED)
    top = index.suggest(STORED[1][1], k=1)[0]
    assert top.key == "b"
    assert top.score == pytest.approx(1.0, abs=1e-6)
    assert index.suggest("zzzz qqqq") == []
    assert index.suggest("") == []
    assert DuplicateIndex([]).suggest("anything") == []


def test_suggest_many_matches_suggest_and_bm25_is_available() -> None:
    index = DuplicateIndex(STORED)
    queries = ["refund policy chatbot", "pedestrian struck"]
    assert index.suggest_many(queries, k=2) == [index.suggest(q, k=2) for q in queries]
    bm25 = DuplicateIndex(STORED, method="bm25")
    assert bm25.suggest("refund policy chatbot")[0].key == "b"
    assert all(0.0 <= s.score <= 1.0 for s in bm25.suggest("refund policy chatbot"))


def test_repeated_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="'a' given more than once"):
        DuplicateIndex([("a", "x"), ("a", "y")])


def test_each_title_finds_its_own_incident_on_the_real_snapshot(
    aiid: AiidSnapshot,
) -> None:
    records = aiid.records
    start = time.perf_counter()
    index = DuplicateIndex((r.external_id or "", r.description) for r in records)
    built = time.perf_counter() - start
    assert len(index) == len(records)
    assert built < 5  # about 0.4 s; generous for a loaded test machine
    found = index.suggest_many([r.title for r in records], k=5)
    at1 = sum(s[0].key == r.external_id for s, r in zip(found, records, strict=True))
    at5 = sum(
        any(x.key == r.external_id for x in s)
        for s, r in zip(found, records, strict=True)
    )
    # Measured 0.930 and 0.989 (bench/incidents.py); a clear majority must hold.
    assert at1 / len(records) > 0.85
    assert at5 / len(records) > 0.95


def test_incident_text_joins_what_is_known_once(aiid: AiidSnapshot) -> None:
    record = aiid.records[0]
    assert incident_text(record) == f"{record.title}\n{record.description}"
    with_reports = record.model_copy(
        update={
            "reports": (
                SourceReport(title="Kids app shows disturbing videos"),
                SourceReport(title=record.title),
            )
        }
    )
    assert incident_text(with_reports).endswith("\nKids app shows disturbing videos")
