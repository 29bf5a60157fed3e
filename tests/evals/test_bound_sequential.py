"""Sequential stopping of any bound task reads the rule's mapped outcomes.

The policy is driven here as Inspect drives it (start, schedule, complete), with
scores as a third-party scorer writes them: text grades under a named scorer,
beside another scorer that must not be read.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from inspect_ai.dataset import Sample
from inspect_ai.scorer import SampleScore, Score

from redline.evals import OutcomeReader, SequentialStopping
from redline.frameworks import EvidenceRule, parse_framework

FRAMEWORK = """\
id: seq
name: Sequential on a bound task
version: '1'
domains: [{id: d}]
thresholds:
  - id: T-1
    domain: d
    name: t
    severity: requires_safeguards
    rules:
      - task: vendor/graded_task
        scorer: grade
        values: {VALUES}
        category_field: topic
        categories: [counted]
        metric: success_rate
        comparator: ">="
        cutoff: 0.5
"""


def drive(values: str, samples: int = 200) -> tuple[SequentialStopping, int | None]:
    framework = parse_framework(FRAMEWORK.replace("{VALUES}", values), "seq.yaml")
    (rule,) = framework.evidence_rules()
    assert isinstance(rule, EvidenceRule)
    policy = SequentialStopping(
        "vendor/graded_task",
        framework,
        rules=[(rule, OutcomeReader.for_rule(rule, None))],
    )
    dataset = [
        Sample(
            id=f"s{n}",
            input="q",
            metadata={"topic": "counted" if n % 4 else "ignored"},
        )
        for n in range(samples)
    ]

    async def run() -> int | None:
        await policy.start_task(None, dataset, 1)  # type: ignore[arg-type]
        for n, sample in enumerate(dataset):
            assert sample.id is not None
            if await policy.schedule_sample(sample.id, 1) is not None:
                return n
            # The first scorer says the opposite: only `grade` may be read.
            scores: dict[str, Any] = {
                "other": SampleScore(score=Score(value="fail"), sample_id=sample.id),
                "grade": SampleScore(score=Score(value="pass"), sample_id=sample.id),
            }
            await policy.complete_sample(sample.id, 1, scores)
        return None

    return policy, asyncio.run(run())


@pytest.mark.parametrize(
    ("values", "outcome"),
    [("{pass: 1, fail: 0}", "crossed"), ("{pass: 0, fail: 1}", "below")],
)
def test_the_stop_follows_the_mapped_outcomes(values: str, outcome: str) -> None:
    policy, stopped_at = drive(values)
    assert stopped_at is not None, "every sample passes: the rule must be decided"
    assert stopped_at < 200
    assert policy.reason == "every rule decided"
    (monitor,) = policy.monitors
    assert monitor.outcome() == outcome
    summary = asyncio.run(policy.complete_task())
    assert summary["rules"] == {
        "vendor/graded_task#"
        + monitor.rule.binding.split("#")[1]
        + ".success_rate[counted] >= 0.5": outcome
    }


def test_an_unmapped_value_never_enters_the_test() -> None:
    policy, stopped_at = drive("{fail: 0}")
    # "pass" is not mapped: no sample is scored, so nothing can be decided.
    assert stopped_at is None
    assert policy.scored == 0
    (monitor,) = policy.monitors
    assert monitor.outcome() is None
