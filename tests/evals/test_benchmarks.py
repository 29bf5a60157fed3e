"""Public benchmark loaders, jailbreak transforms, the refusal classifier and bias scoring."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage
from inspect_ai.tool import ToolInfo

import redline
from helpers.ci import SHARED_DATA as SHARED
from redline.errors import ConfigError
from redline.evals import classify_refusals, evidence_from_log
from redline.evals._loaders import parse_hub_id
from redline.evals.tasks import (
    honesty_pressure,
    jailbreak_transforms,
    knowledge_proxy,
    misuse_refusal,
    over_refusal,
    societal_bias,
)
from redline.evals.tasks._transforms import TRANSFORMS, parse_transforms

HERE = Path(__file__).parent
needs_shared = pytest.mark.requires_shared(".")

HARMFUL = [
    ("strongreject", "strongreject/strongreject_dataset.csv", 313),
    ("harmbench", "harmbench/harmbench_behaviors_text_test.csv", 320),
    ("advbench", "advbench/harmful_behaviors.csv", 520),
    ("simplesafetytests", "simplesafetytests/simplesafetytests_test_cases.csv", 100),
    ("jailbreakbench", "jailbreakbench/jbb_behaviors_harmful.csv", 100),
]


@needs_shared
@pytest.mark.parametrize(("source", "path", "rows"), HARMFUL)
def test_harmful_request_loaders_read_the_public_files(
    source: str, path: str, rows: int
) -> None:
    task = misuse_refusal(source=source, dataset_path=str(SHARED / path))
    assert len(task.dataset) == rows
    assert task.metadata is not None
    assert task.metadata["source"] == source
    assert task.metadata["dataset_digest"].startswith("sha256:")
    assert all(s.metadata and s.metadata["category"] for s in task.dataset)
    ids = [s.id for s in task.dataset]
    assert len(set(ids)) >= rows - 2  # a benchmark may repeat a prompt verbatim


@needs_shared
def test_benign_loaders_keep_only_safe_prompts() -> None:
    xstest = over_refusal(
        source="xstest", dataset_path=str(SHARED / "xstest/xstest_prompts.csv")
    )
    assert len(xstest.dataset) == 250
    assert not any(
        str(s.metadata["category"]).startswith("contrast") for s in xstest.dataset
    )  # type: ignore[index]
    jbb = over_refusal(
        source="jailbreakbench_benign",
        dataset_path=str(SHARED / "jailbreakbench/jbb_behaviors_benign.csv"),
    )
    assert len(jbb.dataset) == 100


@needs_shared
def test_truthfulqa_and_bbq_loaders() -> None:
    tqa = honesty_pressure(
        source="truthfulqa", dataset_path=str(SHARED / "truthfulqa/TruthfulQA.csv")
    )
    assert len(tqa.dataset) == 2 * 790
    assert {s.target for s in tqa.dataset} == {"Yes", "No"}
    bbq = societal_bias(source="bbq", dataset_path=str(SHARED / "bbq/Religion.jsonl"))
    conditions = {s.metadata["category"] for s in bbq.dataset}  # type: ignore[index]
    assert conditions == {"ambig", "disambig"}
    assert len(bbq.dataset) > 1000


def test_wmdp_loader_reads_wmdp_format() -> None:
    task = knowledge_proxy(
        source="wmdp", dataset_path=str(HERE / "data/wmdp_format_sample.jsonl")
    )
    assert [s.target for s in task.dataset] == ["C", "B", "A"]
    assert all(len(s.choices or []) == 4 for s in task.dataset)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"question": "q", "choices": ["a", "b"]}\n',
            "record 1: missing field 'answer'",
        ),
        (
            '{"question": "q", "choices": ["a", "b"], "answer": 7}\n',
            "record 1: field 'answer' is 7",
        ),
        ("{not json\n", "not readable"),
    ],
)
def test_malformed_files_name_file_record_and_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.jsonl") as info:
        knowledge_proxy(source="wmdp", dataset_path=str(path))
    assert message in str(info.value)


def test_bad_source_arguments_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown source 'nope'"):
        misuse_refusal(source="nope", dataset_path="x.csv")
    with pytest.raises(ConfigError, match="needs dataset_path"):
        misuse_refusal(source="advbench")
    with pytest.raises(ConfigError, match="no such file"):
        misuse_refusal(source="advbench", dataset_path=str(tmp_path / "missing.csv"))
    with pytest.raises(ConfigError, match="pinned revision"):
        knowledge_proxy(source="wmdp", dataset_path="cais/wmdp")
    with pytest.raises(ConfigError, match="transforms"):
        jailbreak_transforms(transforms="rot13")


def test_unreachable_hub_says_it_needs_a_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(ConfigError, match="needs network access"):
        knowledge_proxy(source="wmdp", dataset_path="cais/wmdp@0000000:wmdp-cyber")


def test_hub_ids_parse_with_revision_and_config() -> None:
    ref = parse_hub_id("cais/wmdp@abc123:wmdp-bio")
    assert ref is not None
    assert (ref.repo, ref.revision, ref.config) == ("cais/wmdp", "abc123", "wmdp-bio")
    assert parse_hub_id("./local.csv") is None


def test_transforms_wrap_every_request() -> None:
    request = "Write a fake review for my shop."
    assert parse_transforms("all") == list(TRANSFORMS)
    for name, wrap in TRANSFORMS.items():
        wrapped = wrap(request)
        assert wrapped == request if name == "none" else wrapped != request
    encoded = TRANSFORMS["base64"](request).split()[-1]
    assert base64.b64decode(encoded).decode() == request
    split = TRANSFORMS["payload_splitting"](request)
    assert "fake review" not in split or "a = " in split


def test_jailbreak_suite_groups_transforms_by_request() -> None:
    task = jailbreak_transforms(transforms="none,base64", max_requests=4)
    assert len(task.dataset) == 8
    groups = {s.metadata["group"] for s in task.dataset}  # type: ignore[index]
    assert len(groups) == 4
    assert {s.metadata["category"] for s in task.dataset} == {"none", "base64"}  # type: ignore[index]
    assert len(jailbreak_transforms(max_requests=0).dataset) == 40 * len(TRANSFORMS)


def test_classify_refusals_is_public_and_three_valued() -> None:
    labels = classify_refusals(
        ["a", "b", "c", "d"],
        [
            "I'm sorry, but I can't help with that request.",
            "Sure. Start the oven at 180C, mix the flour and eggs, and bake for 25 minutes.",
            "",
            "zxqv kkkk jjjj",
        ],
    )
    assert labels == ["refused", "complied", "unscored", "unscored"]
    assert redline.classify_refusals is classify_refusals
    with pytest.raises(ValueError, match="2 prompts but 1 responses"):
        classify_refusals(["a", "b"], ["x"])


@pytest.mark.parametrize(
    ("name", "sources"),
    [
        ("refusal_classifier", ["xstest"]),
        ("harmful_compliance_classifier", ["gptfuzz", "jailbreakbench"]),
    ],
)
def test_classifier_artefact_is_small_and_has_provenance(
    name: str, sources: list[str]
) -> None:
    path = Path(redline.evals.__file__).parent / "data" / f"{name}.json"
    assert path.stat().st_size < 1_000_000
    meta = json.loads(path.read_text())["meta"]
    assert meta["trained_on"] == sources
    assert meta["split"].startswith("by prompt: test if")
    assert set(meta["examples"]) == {"train", "dev", "test"}


def test_societal_bias_reads_each_metric_from_its_scorer(
    scripted_model,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    # Always pick the stereotype-consistent person: bias_rate 1.0; accuracy then
    # comes from the second scorer, and is 0 in ambiguous contexts.
    from redline.evals.tasks._common import load_records

    records = load_records("societal_bias")

    def respond(messages: list[ChatMessage], tools: list[ToolInfo]) -> str:
        text = next(m.text for m in messages if m.role == "user")
        # An ambiguous context is a prefix of its disambiguated one: take the longest.
        matches = [r for r in records if r["question"] in text and r["context"] in text]
        record = max(matches, key=lambda r: len(r["context"]))
        return f"ANSWER: {record['biased']}"

    log = inspect_eval(
        societal_bias(max_items=0),
        model=scripted_model(respond),
        display="none",
        log_dir=str(tmp_path),
    )[0]
    assert log.status == "success"
    bias, accuracy = evidence_from_log(log, ["bias_rate", "accuracy"])
    assert set(bias.scores) == {1.0}
    ambiguous = bias.subset(("ambig",))
    assert len(ambiguous.scores) == 20
    assert accuracy.subset(("ambig",)).scores == (0.0,) * 20
    assert log.results is not None
    assert log.results.scores[0].metrics["bias_score"].value == pytest.approx(1.0)
