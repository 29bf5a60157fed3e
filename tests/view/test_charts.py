"""Chart specs say what the report says: every threshold, its interval, cutoffs, stops."""

from __future__ import annotations

import pytest
from view_helpers import golden

from redline.frameworks import SequentialInfo
from redline.reports import Report
from redline.stats import confidence_sequence
from redline.view._charts import (
    VERDICT_COLOURS,
    VERDICT_SYMBOLS,
    forest_plot,
    history_chart,
    sequence_chart,
)


@pytest.fixture
def report() -> Report:
    return Report.model_validate(golden())


def test_forest_plot_has_every_threshold_interval_and_cutoff(report: Report) -> None:
    spec = forest_plot(report)
    points = {
        (y, x, trace["name"])
        for trace in spec["data"]
        for x, y in zip(trace["x"], trace["y"], strict=True)
    }
    for t in report.thresholds:
        assert (t.threshold_id, t.estimate, f"estimate ({t.verdict})") in points
        assert (t.threshold_id, t.rule.cutoff, "cutoff") in points
    for trace in spec["data"]:
        if trace["name"].startswith("estimate"):
            verdict = trace["name"][len("estimate (") : -1]
            # Colour is never the only cue: each verdict has its own marker too.
            assert trace["marker"]["symbol"] == VERDICT_SYMBOLS[verdict]
            assert trace["marker"]["color"] == VERDICT_COLOURS[verdict]
            for i, tid in enumerate(trace["y"]):
                t = next(x for x in report.thresholds if x.threshold_id == tid)
                assert trace["x"][i] - trace["error_x"]["arrayminus"][
                    i
                ] == pytest.approx(t.ci_lower)
                assert trace["x"][i] + trace["error_x"]["array"][i] == pytest.approx(
                    t.ci_upper
                )


def test_sequence_chart_ends_at_the_full_sequence_and_marks_the_stop(
    report: Report,
) -> None:
    run = report.suites[0].model_copy(
        update={
            "sequential": SequentialInfo(
                stopped_early=True, reason="every rule decided", decided=True,
                samples_used=2, samples_total=10,
            )
        }
    )  # fmt: skip
    spec = sequence_chart(run, 0.95, [("MISUSE-1 cutoff", 0.8)])
    assert spec is not None
    scores = [s.score for s in run.samples if s.score is not None]
    lower, upper = confidence_sequence(scores, 0.95)
    by_name = {t["name"]: t for t in spec["data"]}
    assert by_name["upper bound"]["y"][-1] == pytest.approx(upper)
    assert by_name["95% confidence sequence"]["y"][-1] == pytest.approx(lower)
    assert by_name["MISUSE-1 cutoff"]["y"] == [0.8, 0.8]
    assert spec["layout"]["shapes"][0]["x0"] == 2
    assert "stopped at 2" in spec["layout"]["annotations"][0]["text"]
    assert sequence_chart(report.suites[0], 0.95, []) is None  # not sequential


def test_history_keeps_each_threshold_in_time_order() -> None:
    points = [
        ("T-1", "2026-01-01", 0.2, 0.1, 0.3),
        ("T-1", "2026-02-01", 0.4, 0.3, 0.5),
        ("T-2", "2026-01-01", None, None, None),
    ]
    spec = history_chart(points, {"T-1": 0.5})
    series = {t["name"]: t for t in spec["data"]}
    assert series["T-1"]["y"] == [0.2, 0.4]
    assert series["T-1"]["error_y"]["array"] == pytest.approx([0.1, 0.1])
    assert series["T-1 cutoff"]["y"] == [0.5, 0.5]
    assert "T-2" not in series  # nothing estimated: nothing drawn


def test_sequence_chart_reads_group_means_as_the_sequential_test_does(
    report: Report,
) -> None:
    from redline.frameworks import EvidenceRule
    from redline.frameworks._sequential import replay_monitor
    from redline.view._charts import sequence_observations

    template = report.suites[0].samples[0]
    # Two epochs of item a, item b unscored in both, item c alone, item d's two epochs.
    plan = [("a", 1.0), ("a", 0.0), ("b", None), ("b", None), (None, 1.0),
            ("d", 1.0), ("d", 1.0)]  # fmt: skip
    samples = tuple(
        template.model_copy(
            update={
                "id": f"s{i}",
                "group": group,
                "score": score,
                "unscored_reason": None if score is not None else "error",
            }
        )  # fmt: skip
        for i, (group, score) in enumerate(plan)
    )
    run = report.suites[0].model_copy(
        update={
            "samples": samples,
            "sequential": SequentialInfo(
                stopped_early=False, reason="dataset exhausted", decided=False,
                samples_used=len(plan), samples_total=len(plan),
            ),
        }
    )  # fmt: skip
    read_at, observed = sequence_observations(run)
    rule = EvidenceRule(
        suite=run.suite, metric="refusal_rate", comparator="<", cutoff=0.5
    )
    monitor = replay_monitor(
        rule, 0.0125, [s.score for s in samples],
        [s.group or f"{s.id}#{s.epoch}" for s in samples],
    )  # fmt: skip
    assert monitor.outcome() is None  # seven samples decide nothing: all were read
    assert observed == monitor.observations == [0.5, 1.0, 1.0]
    assert read_at == [2, 5, 7]
    spec = sequence_chart(run, 0.95, [])
    assert spec is not None
    lower, upper = confidence_sequence(observed, 0.95)
    by_name = {t["name"]: t for t in spec["data"]}
    assert by_name["upper bound"]["x"] == [2, 5, 7]
    assert by_name["upper bound"]["y"][-1] == pytest.approx(upper)
