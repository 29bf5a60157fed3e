"""The plan document: signature, digest, deviations and the flags a reader sees."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from redline.errors import PlanError, SignatureError
from redline.plans import (
    FrameworkPin,
    Plan,
    PlannedTask,
    StoppingRule,
    plan_data,
    plan_deviations,
    plan_digest,
    plan_flags,
    sign_plan,
    verify_signed_plan,
)
from redline.reports import Elicitation, PlanBinding, SigningKey, canonical_json

KEY = SigningKey.from_seed(b"\x07" * 32)


def _plan(**changes: object) -> Plan:
    base = Plan(
        created_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
        model="redline/local",
        framework=FrameworkPin(id="f", version="1", content_hash="sha256:aa"),
        tasks=(
            PlannedTask(
                suite="misuse_refusal",
                task="redline/misuse_refusal",
                task_version="3",
                dataset_digest="sha256:01",
            ),
            PlannedTask(
                suite="over_refusal",
                task="redline/over_refusal",
                task_version="3",
                dataset_digest="sha256:02",
            ),
        ),
        seed=1,
        limit=10,
        stopping=StoppingRule(
            sequential=True, confidence=0.95, multiplicity="holm", sequential_share=0.5
        ),
    )
    return base.model_copy(update=changes)


def test_the_signature_covers_the_plan_and_the_digest_names_it() -> None:
    envelope = sign_plan(_plan(), KEY).model_dump(mode="json")
    signed, checked = verify_signed_plan(envelope)
    assert checked.key_id == KEY.public.key_id
    assert checked.digest == plan_digest(signed.plan) == plan_digest(envelope["plan"])
    assert envelope["kind"] == "redline-plan"
    assert envelope["signature"]["signed_form"] == "rfc8785"
    # The digest is over the canonical form: key order and spacing do not change it.
    reordered = dict(reversed(list(envelope["plan"].items())))
    assert plan_digest(reordered) == checked.digest
    assert canonical_json(reordered) == canonical_json(plan_data(signed.plan))

    tampered = copy.deepcopy(envelope)
    tampered["plan"]["seed"] = 2
    with pytest.raises(SignatureError, match="changed after signing"):
        verify_signed_plan(tampered)
    other = SigningKey.from_seed(b"\x08" * 32).public.b64
    with pytest.raises(SignatureError, match="not trusted"):
        verify_signed_plan(envelope, trusted_keys={other})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "redline-report"}, "not a Redline plan"),
        ({"plan": {"model": "x"}}, "field 'plan.created_at'"),
        ({"signature": {"key_id": "nope"}}, "field 'signature"),
    ],
)
def test_malformed_plans_name_what_is_wrong(change: dict, message: str) -> None:
    envelope = sign_plan(_plan(), KEY).model_dump(mode="json")
    envelope.update(change)
    with pytest.raises(PlanError, match=message):
        verify_signed_plan(envelope, source="p.json")


def test_strict_models_refuse_a_seed_given_as_text() -> None:
    envelope = sign_plan(_plan(), KEY).model_dump(mode="json")
    envelope["plan"]["seed"] = "1"
    with pytest.raises(PlanError, match="field 'plan.seed'"):
        verify_signed_plan(envelope)


def test_every_difference_is_a_named_deviation() -> None:
    planned = _plan()
    assert plan_deviations(planned, _plan(created_at=datetime.now(UTC))) == ()
    changed_task = planned.tasks[0].model_copy(
        update={
            "dataset_digest": "sha256:99",
            "elicitation": Elicitation(epochs=3, epochs_reducer="max"),
        }
    )
    actual = _plan(
        seed=2,
        limit=None,
        framework=FrameworkPin(id="f", version="1", content_hash="sha256:bb"),
        tasks=(
            changed_task,
            PlannedTask(
                suite="knowledge_proxy",
                task="redline/knowledge_proxy",
                task_version="2",
                dataset_digest="sha256:03",
            ),
        ),
    )
    by_kind = {d.kind: d for d in plan_deviations(planned, actual)}
    assert set(by_kind) == {
        "framework",
        "seed",
        "limit",
        "dataset_digest",
        "elicitation",
        "suite_dropped",
        "suite_added",
    }
    assert (by_kind["seed"].planned, by_kind["seed"].actual) == (1, 2)
    assert by_kind["suite_dropped"].field == "tasks.over_refusal"
    assert by_kind["suite_added"].field == "tasks.knowledge_proxy"
    assert "changed since the plan was signed" in by_kind["framework"].message


def test_flags_for_late_or_missing_registration_and_deviations() -> None:
    started = datetime(2026, 12, 1, 13, tzinfo=UTC)
    binding = PlanBinding(
        digest="sha256:" + "a" * 64,
        key_id=KEY.public.key_id,
        created_at=started - timedelta(hours=1),
        started_at=started,
    )
    assert plan_flags(binding, started - timedelta(seconds=1)) == ()
    (late,) = plan_flags(binding, started + timedelta(seconds=1))
    assert "after its run started" in late
    (missing,) = plan_flags(binding, None)
    assert "not registered" in missing
    deviating = binding.model_copy(
        update={
            "deviations": (
                *binding.deviations,
                *plan_deviations(_plan(), _plan(seed=9)),
            )
        }
    )
    assert plan_flags(deviating, started) == ("deviation: seed: planned 1, ran 9",)


def test_a_resumed_run_keeps_its_first_start_and_says_it_resumed(tmp_path) -> None:
    from redline.planning import bind_run, record_start

    signed = sign_plan(_plan(), KEY)
    digest = plan_digest(signed.plan)
    out = tmp_path / "runs" / "r1"
    first = bind_run(
        signed, digest, _plan(), out, tmp_path, resumed=False, allow_deviation=False
    )
    assert first.deviations == ()
    record_start(out, first)

    resumed = bind_run(
        signed, digest, _plan(), out, tmp_path, resumed=True, allow_deviation=False
    )
    assert resumed.started_at == first.started_at
    assert [d.kind for d in resumed.deviations] == ["resumed"]

    # Run again over a finished folder: a new start, recorded as a repeat.
    again = bind_run(
        signed, digest, _plan(), out, tmp_path, resumed=False, allow_deviation=False
    )
    assert again.started_at > first.started_at
    assert [d.kind for d in again.deviations] == ["repeated"]

    with pytest.raises(PlanError, match="seed: planned 1, ran 2"):
        bind_run(
            signed, digest, _plan(seed=2), out, tmp_path, resumed=False,
            allow_deviation=False,
        )  # fmt: skip
