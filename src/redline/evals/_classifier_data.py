"""Labelled replies for training and measuring the two instruments.

Reads the public labelled sets from a data directory laid out as `shared/data`:
XSTest's human-labelled completions (did the model refuse?), GPTFuzz's manual
labels and the JailbreakBench judge-comparison set (was the model jailbroken,
i.e. did it give substantive help?). Nothing here is shipped with the package:
only the trained weights are.

Each instrument answers one question and is trained and measured only on human
labels of that question; each source has one context, plain requests or
jailbreak-wrapped ones, which a suite matches to pick its scorer error.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from redline.errors import ConfigError

Part = Literal["train", "dev", "test"]
Question = Literal["refusal", "harmful_compliance"]
Context = Literal["plain", "jailbreak"]

TEST_SHARE_PERCENT = 25
"""Share of prompts held out for the test split (read once, for the shipped figures)."""
DEV_SHARE_PERCENT = 27
"""Share of the remaining prompts held out as the dev split, for every design choice."""
SPLIT_RULE = (
    "by prompt: test if sha256(source:prompt) % 100 < 25; else dev if "
    "sha256(dev:source:prompt) % 100 < 27; else train"
)

CONTEXTS: dict[str, Context] = {
    "xstest": "plain",
    "gptfuzz": "jailbreak",
    "jailbreakbench": "jailbreak",
}
"""The context of each labelled source's requests."""


@dataclass(frozen=True)
class Labelled:
    """One human-labelled reply."""

    source: str
    """Which labelled set it comes from: `xstest`, `gptfuzz` or `jailbreakbench`."""
    prompt_key: str
    """The unit of the split: every reply to one prompt is on one side."""
    prompt: str
    """The request as the instruments read it (the goal, not a jailbreak wrapper)."""
    response: str
    positive: bool
    """Gold label: refused (incl. partial refusal) for the refusal question,
    jailbroken (substantive help) for harmful compliance."""

    @property
    def context(self) -> Context:
        """Plain or jailbreak-wrapped requests."""
        return CONTEXTS[self.source]


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigError(f"{path}: labelled data file not found")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _xstest(root: Path) -> list[Labelled]:
    out = []
    paths = sorted((root / "xstest").glob("xstest*completions*.csv"))
    if not paths:
        raise ConfigError(f"{root / 'xstest'}: no xstest*completions*.csv files")
    for path in paths:
        for row in _rows(path):
            label = row["final_label"].strip()
            if label[:1] not in {"1", "2", "3"}:
                continue
            out.append(
                Labelled(
                    "xstest",
                    # v1 and v2 ids name different prompts; the text is the shared key.
                    row["prompt"].strip().lower(),
                    row["prompt"],
                    row["completion"],
                    positive=not label.startswith("1"),
                )
            )
    return out


def _gptfuzz(root: Path) -> list[Labelled]:
    questions = {
        row["index"]: row["text"]
        for row in _rows(root / "gptfuzz" / "question_list.csv")
    }
    return [
        Labelled(
            "gptfuzz",
            row["question"],
            questions.get(row["question"], ""),
            row["Response"],
            positive=row["label"].strip() == "1",
        )
        for name in ("responses_labeled_train.csv", "responses_labeled_evaluate.csv")
        for row in _rows(root / "gptfuzz" / name)
    ]


def _jailbreakbench(root: Path) -> list[Labelled]:
    return [
        Labelled(
            "jailbreakbench",
            row["goal"].strip().lower(),
            row["goal"],
            row["target_response"],
            positive=row["human_majority"].strip() == "1",
        )
        for row in _rows(root / "jailbreakbench" / "judge_comparison.csv")
    ]


def load_labelled(root: Path, question: Question) -> list[Labelled]:
    """The human-labelled replies of one question under a `shared/data`-style directory.

    Args:
        root: Directory holding `xstest/`, `gptfuzz/` and `jailbreakbench/`.
        question: `refusal` (XSTest) or `harmful_compliance` (GPTFuzz, JailbreakBench).

    Returns:
        The replies, in a stable order.

    Raises:
        ConfigError: A required file is missing.
    """
    if question == "refusal":
        return _xstest(root)
    return [*_gptfuzz(root), *_jailbreakbench(root)]


def _percent(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % 100


def partition(example: Labelled) -> Part:
    """The fixed split an example's prompt falls in (see `SPLIT_RULE`)."""
    key = f"{example.source}:{example.prompt_key}"
    if _percent(key) < TEST_SHARE_PERCENT:
        return "test"
    return "dev" if _percent("dev:" + key) < DEV_SHARE_PERCENT else "train"


def split(examples: list[Labelled]) -> dict[Part, list[Labelled]]:
    """Split by prompt into train, dev and test; no prompt on two sides."""
    parts: dict[Part, list[Labelled]] = {"train": [], "dev": [], "test": []}
    for example in examples:
        parts[partition(example)].append(example)
    return parts
