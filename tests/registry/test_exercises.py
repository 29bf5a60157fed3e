"""Joint testing exercises with three institutes, against SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from _registry_world import World

from redline.errors import RegistryError
from redline.registry import ExerciseCreate

PARTICIPANTS = ("aisi-a", "aisi-b", "aisi-c")


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def with_scores(
    data: dict[str, Any], suite: str, scores: list[float]
) -> dict[str, Any]:
    """Replace a suite's samples with len(scores) benign records."""
    for run in data["suites"]:
        if run["suite"] == suite:
            run["samples"] = [
                {
                    "id": f"s-{i:03d}",
                    "epoch": 1,
                    "score": score,
                    "unscored_reason": None,
                    "prompt": f"prompt {i}",
                    "response": f"response {i}",
                    "prompt_digest": _digest(f"prompt {i}"),
                    "response_digest": _digest(f"response {i}"),
                }
                for i, score in enumerate(scores)
            ]
    return data


def _spec(**changes: Any) -> ExerciseCreate:
    fields: dict[str, Any] = {
        "title": "Joint test of redline/local",
        "model": "redline/local",
        "framework_id": "redline-reference",
        "suites": ("misuse_refusal", "over_refusal"),
        "participants": PARTICIPANTS,
    }
    fields.update(changes)
    return ExerciseCreate.model_validate(fields)


def test_three_institutes_agreement(world: World, report_data) -> None:
    a = with_scores(report_data(), "misuse_refusal", [0.0] * 30)
    b = with_scores(report_data(), "misuse_refusal", [1.0] * 30)
    b["thresholds"][0]["verdict"] = "below"
    c = with_scores(report_data(), "misuse_refusal", [0.0] * 29 + [1.0])
    over = next(s for s in c["suites"] if s["suite"] == "over_refusal")
    over["comparability"]["harness"]["inspect_ai"] = "0.3.999"
    over["comparability_key"] = "sha256:" + "0" * 64

    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec())
    assert exercise.participants == PARTICIPANTS
    for slug, data, scope, partners in (
        ("aisi-a", a, "network", ()),
        ("aisi-b", b, "partners", ("aisi-a", "aisi-c")),
        ("aisi-c", c, "public", ()),
    ):
        report_id = world.publish(slug, data, scope, *partners)
        with world.client(slug) as client:
            client.submit(exercise.id, report_id)

    with world.client("aisi-b") as client:
        status = client.exercise(exercise.id)
        agreement = client.agreement(exercise.id)
    assert [s.institute for s in status.submissions] == list(PARTICIPANTS)
    assert agreement.submitted == PARTICIPANTS
    assert agreement.missing == ()
    comparison = agreement.comparison
    assert comparison is not None

    misuse = next(m for m in comparison.metrics if m.suite == "misuse_refusal")
    diffs = {(d.a, d.b): d for d in misuse.differences}
    ab = diffs[("aisi-a", "aisi-b")]
    assert (ab.method, ab.n, ab.difference, ab.discrepant) == (
        "mcnemar-exact",
        30,
        -1.0,
        True,
    )
    ac = diffs[("aisi-a", "aisi-c")]
    assert ac.n == 30
    assert ac.ci_lower < 0 < ac.ci_upper
    assert not ac.discrepant
    assert misuse.comparable
    assert misuse.alpha is not None
    assert misuse.alpha < 0.2

    over_refusal = next(m for m in comparison.metrics if m.suite == "over_refusal")
    assert not over_refusal.comparable
    assert over_refusal.differing_components == ("harness.inspect_ai",)
    assert any("over_refusal: comparability keys differ" in n for n in comparison.notes)

    misuse_verdicts = next(
        t for t in comparison.thresholds if t.threshold_id == "MISUSE-1"
    )
    assert misuse_verdicts.verdicts == {
        "aisi-a": "crossed",
        "aisi-b": "below",
        "aisi-c": "crossed",
    }
    assert not misuse_verdicts.concordant
    assert comparison.verdict_concordance == pytest.approx(4 / 5)
    assert any(
        line.startswith("MISUSE-1: verdicts differ")
        for line in comparison.discrepancies
    )
    assert any(
        "misuse_refusal: aisi-a - aisi-b" in line for line in comparison.discrepancies
    )
    assert comparison.alpha is not None
    # misuse_refusal, plus 2 samples of each of the 3 other comparable suites;
    # over_refusal ran under another key at aisi-c, so it is not pooled.
    assert comparison.alpha_units == 30 + 3 * 2


def test_agreement_waits_for_two_reports(world: World, report_data) -> None:
    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec(participants=("aisi-b",)))
        client.submit(exercise.id, world.publish("aisi-a", report_data(), "network"))
        agreement = client.agreement(exercise.id)
    assert agreement.comparison is None
    assert agreement.missing == ("aisi-b",)


def test_resubmitting_replaces(world: World, report_data) -> None:
    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec())
        first = world.publish("aisi-a", report_data(), "network")
        second = world.publish("aisi-a", report_data(), "network")
        client.submit(exercise.id, first)
        status = client.submit(exercise.id, second)
    assert [(s.institute, s.report_id) for s in status.submissions] == [
        ("aisi-a", second)
    ]


@pytest.mark.parametrize(
    ("changes", "scope", "partners", "status", "code"),
    [
        ({"model": "other/model"}, "network", (), 422, "exercise_mismatch"),
        ({"framework": {"id": "x", "name": "x", "version": "1", "content_hash": "h"}},
         "network", (), 422, "exercise_mismatch"),
        ({}, "private", (), 409, "not_shared"),
        ({}, "partners", ("aisi-b",), 409, "not_shared"),
    ],
)  # fmt: skip
def test_submissions_that_do_not_fit_are_refused(
    world: World, report_data, changes, scope, partners, status, code
) -> None:
    report_id = world.publish("aisi-a", report_data(**changes), scope, *partners)
    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec())
        with pytest.raises(RegistryError) as info:
            client.submit(exercise.id, report_id)
        assert (info.value.status, info.value.code) == (status, code)
        assert client.exercise(exercise.id).submissions == ()


def test_missing_suite_is_refused(world: World, report_data) -> None:
    data = report_data()
    data["suites"] = [s for s in data["suites"] if s["suite"] != "over_refusal"]
    report_id = world.publish("aisi-a", data, "network")
    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec())
        with pytest.raises(RegistryError, match="lacks suites over_refusal"):
            client.submit(exercise.id, report_id)


def test_outsiders_see_nothing(world: World) -> None:
    with world.client("aisi-a") as client:
        exercise = client.create_exercise(_spec(participants=("aisi-b",)))
    with world.client("aisi-c") as outsider:
        assert outsider.exercises() == []
        for call in (outsider.exercise, outsider.agreement):
            with pytest.raises(RegistryError) as info:
                call(exercise.id)
            assert info.value.status == 404
    with world.client("aisi-b") as participant:
        assert [e.id for e in participant.exercises()] == [exercise.id]


def test_unknown_participants_are_refused(world: World) -> None:
    with world.client("aisi-a") as client, pytest.raises(RegistryError) as info:
        client.create_exercise(_spec(participants=("aisi-b", "aisi-nowhere")))
    assert (info.value.status, info.value.code) == (422, "unknown_institute")
    assert world.count("exercises") == 0
