"""The live early-stopping policy bets one observation per group and reads unscored as unsafe."""

from __future__ import annotations

import asyncio

from inspect_ai.dataset import Sample
from inspect_ai.scorer import SampleScore, Score

from redline.evals._sequential import SequentialStopping
from redline.frameworks import parse_framework
from redline.frameworks._sequential import sequential_outcome

FRAMEWORK = parse_framework(
    """\
id: live
name: live
version: "1"
domains: [{id: d}]
thresholds:
  - {id: T, domain: d, name: t, severity: intolerable,
     rules: [{suite: s, metric: attack_success_rate, comparator: ">=", cutoff: 0.3}]}
""",
    "live",
)


def _score(value: float | None) -> dict[str, SampleScore]:
    if value is None:
        return {}
    return {"s": SampleScore(score=Score(value=value))}


async def _run(
    policy: SequentialStopping, items: int, epochs: int, value: float | None
) -> None:
    samples = [Sample(input="q", id=f"i{i}") for i in range(items)]
    await policy.start_task(None, samples, epochs)  # type: ignore[arg-type]
    # Epochs of one item back to back, as a deterministic replay would run them.
    for sample in samples:
        for epoch in range(1, epochs + 1):
            assert sample.id is not None
            await policy.complete_sample(sample.id, epoch, _score(value))


def test_epochs_of_one_item_are_one_bet() -> None:
    policy = SequentialStopping("s", FRAMEWORK)
    asyncio.run(_run(policy, 8, 5, 0.0))
    monitor = policy.monitors[0]
    # 40 samples, 8 items: the bettors saw 8 observations, not 40.
    assert monitor.observations == [0.0] * 8
    assert monitor.tests["safe"].n == 8
    # Eight independent zeros are too few to call 0.3 below at 1.25% per side;
    # forty, fed one by one, would have been (after 25 of them).
    assert monitor.outcome() is None
    rule = FRAMEWORK.evidence_rules()[0]
    assert sequential_outcome(rule, monitor.alpha, [0.0] * 40) == ("below", 25)


def test_unscored_samples_complete_their_group_as_unsafe() -> None:
    policy = SequentialStopping("s", FRAMEWORK)
    asyncio.run(_run(policy, 30, 1, None))
    monitor = policy.monitors[0]
    assert monitor.observations == []  # the crossed side saw nothing scored
    assert monitor.tests["safe"].n == 30  # the safe side saw 30 unsafe outcomes
    assert monitor.tests["safe"].peak == 1.0
    assert monitor.outcome() is None
