"""Record converters for the public benchmarks each suite can load.

Each converter maps one record in the benchmark's published format (its CSV
columns or hub fields) to an Inspect `Sample`. The data itself is read at run
time from a path or hub id the user gives (see `redline.evals._loaders`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from inspect_ai.dataset import Sample

from redline.errors import ConfigError
from redline.evals._loaders import RecordToSample, read_records, required, stable_id


def _request(
    prefix: str, text_field: str, category_field: str | None
) -> RecordToSample:
    def convert(record: dict[str, Any]) -> Sample:
        text = required(record, text_field)
        category = (
            str(record.get(category_field) or prefix) if category_field else prefix
        )
        return Sample(
            id=stable_id(prefix, text),
            input=text,
            metadata={"category": category, "source": prefix},
        )

    return convert


def _harmbench(record: dict[str, Any]) -> Sample:
    behavior = required(record, "Behavior")
    context = str(record.get("ContextString") or "").strip()
    # Contextual behaviours are only meaningful with their context, as HarmBench runs them.
    text = f"{context}\n\n---\n\n{behavior}" if context else behavior
    return Sample(
        id=stable_id("harmbench", text),
        input=text,
        metadata={
            "category": str(record.get("SemanticCategory") or "harmbench"),
            "source": "harmbench",
        },
    )


def _xstest_safe(record: dict[str, Any]) -> Sample | None:
    # XSTest's contrast prompts are unsafe by design; over-refusal reads the safe ones.
    if str(record.get("label", "safe")).strip() != "safe":
        return None
    text = required(record, "prompt")
    return Sample(
        id=stable_id("xstest", text),
        input=text,
        metadata={"category": str(record.get("type") or "xstest"), "source": "xstest"},
    )


HARMFUL_REQUESTS: dict[str, RecordToSample] = {
    "strongreject": _request("strongreject", "forbidden_prompt", "category"),
    "harmbench": _harmbench,
    "advbench": _request("advbench", "goal", None),
    "simplesafetytests": _request("simplesafetytests", "prompts_final", "harm_area"),
    "jailbreakbench": _request("jailbreakbench", "Goal", "Category"),
}
"""Sources of requests a model should refuse (misuse_refusal, jailbreak_transforms)."""

BENIGN_REQUESTS: dict[str, RecordToSample] = {
    "xstest": _xstest_safe,
    "jailbreakbench_benign": _request("jailbreakbench_benign", "Goal", "Category"),
}
"""Sources of benign requests a model should answer (over_refusal)."""


def _letter(index: Any, count: int) -> str:
    value = int(index)
    if not 0 <= value < count:
        raise ValueError(f"field 'answer' is {value}, outside 0..{count - 1}")
    return chr(ord("A") + value)


def wmdp(record: dict[str, Any]) -> Sample:
    """WMDP's format: `question`, `choices` (list of 4), `answer` (index)."""
    question = required(record, "question")
    choices = record["choices"]
    if isinstance(choices, str):
        choices = json.loads(choices)
    if not isinstance(choices, list) or len(choices) < 2:
        raise ValueError("field 'choices' must be a list of at least two options")
    return Sample(
        id=stable_id("wmdp", question),
        input=question,
        choices=[str(choice) for choice in choices],
        target=_letter(record["answer"], len(choices)),
        metadata={"category": str(record.get("category") or "wmdp"), "source": "wmdp"},
    )


def truthfulqa(record: dict[str, Any], pressures: list[str]) -> list[Sample]:
    """TruthfulQA as two Yes/No checks: is the best answer true? the best wrong one?"""
    question = required(record, "Question")
    out = []
    for answer_field, truth in (
        ("Best Answer", "Yes"),
        ("Best Incorrect Answer", "No"),
    ):
        claim = required(record, answer_field)
        asked = f'{question} Is this answer correct: "{claim}"?'
        sample_id = stable_id("truthfulqa", asked)
        out.append(
            Sample(
                id=sample_id,
                input=asked,
                target=truth,
                metadata={
                    "category": str(record.get("Category") or "truthfulqa"),
                    "question": asked,
                    "pressure": pressures[int(sample_id[-2:], 16) % len(pressures)],
                    "group": stable_id("truthfulqa", question),
                    "source": "truthfulqa",
                },
            )
        )
    return out


def load_source(
    source: str,
    dataset_path: str | None,
    converters: dict[str, Callable[[dict[str, Any]], Any]],
    suite: str,
) -> list[Sample]:
    """Load a named public source for a suite, or fail naming what is accepted.

    Args:
        source: A key of `converters`.
        dataset_path: Local file or pinned hub id; required for public sources.
        converters: The suite's accepted sources.
        suite: Suite name, for messages.

    Returns:
        The samples.

    Raises:
        ConfigError: Unknown source, missing dataset_path, or a load failure.
    """
    if source not in converters:
        raise ConfigError(
            f"{suite}: unknown source {source!r}; expected 'redline' or one of "
            f"{', '.join(sorted(converters))}"
        )
    if not dataset_path:
        raise ConfigError(
            f"{suite}: source {source!r} needs dataset_path (a local file in the "
            "benchmark's format, or a hub id owner/name@revision)"
        )
    return read_records(dataset_path, converters[source])


# Hub revisions are the ones inspect_evals 0.26.0 pins for the same datasets:
# cais/wmdp in inspect_evals/wmdp/wmdp.py (WMDP_DATASET_REVISION), walledai/XSTest in
# inspect_evals/xstest/xstest.py (XSTEST_DATASET_REVISION), truthfulqa/truthful_qa in
# inspect_evals/truthfulqa/truthfulqa.py (TRUTHFULQA_DATASET_REVISION), heegyu/bbq in
# inspect_evals/bbq/bbq.py (BBQ_DATASET_REVISION; a script dataset there). The StrongREJECT
# commit is the one inspect_evals/strong_reject/strong_reject.py pins on GitHub. No
# pinned revision was found for the others: they still say `<revision>`.
PUBLISHED_FILES: dict[str, tuple[str, str]] = {
    "strongreject": (
        "strongreject_dataset.csv from alexandrasouly/strongreject (its "
        "strongreject_dataset/ folder at commit 3432b2d696b428f242bd507df96d80f686571d5e)",
        "walledai/StrongREJECT@<revision>",
    ),
    "harmbench": (
        "harmbench_behaviors_text_all.csv from centerforaisafety/HarmBench",
        "walledai/HarmBench@<revision>:standard",
    ),
    "advbench": (
        "harmful_behaviors.csv from llm-attacks/llm-attacks",
        "walledai/AdvBench@<revision>",
    ),
    "simplesafetytests": (
        "simplesafetytests.csv from bertiev/SimpleSafetyTests",
        "Bertievidgen/SimpleSafetyTests@<revision>",
    ),
    "jailbreakbench": (
        "harmful-behaviors.csv from JailbreakBench/jailbreakbench",
        "JailbreakBench/JBB-Behaviors@<revision>:behaviors",
    ),
    "jailbreakbench_benign": (
        "benign-behaviors.csv from JailbreakBench/jailbreakbench",
        "JailbreakBench/JBB-Behaviors@<revision>:behaviors",
    ),
    "xstest": (
        "xstest_prompts.csv from paul-rottger/xstest",
        "walledai/XSTest@f1d713187c61b6ae64e602d74f0b3d812cc2e8e8",
    ),
    "wmdp": (
        "the WMDP split as JSON records (question, choices, answer)",
        "cais/wmdp@7125571f22f032c56415e7980f48d877dd830ff8:wmdp-bio (or wmdp-chem, "
        "wmdp-cyber)",
    ),
    "truthfulqa": (
        "TruthfulQA.csv from sylinrl/TruthfulQA",
        "truthfulqa/truthful_qa@741b8276f2d1982aa3d5b832d3ee81ed3b896490:generation",
    ),
    "bbq": (
        "data/<Category>.jsonl from nyu-mll/BBQ",
        "heegyu/bbq@5d6faae52070aa5eb71b46d1c0723d3ba7930209",
    ),
}
"""Source -> (the published file a local `dataset_path` holds, the hub id it can
come from instead, with its revision to pin): named when a local file is missing."""
