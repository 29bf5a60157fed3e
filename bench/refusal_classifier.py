"""Refusal instrument: test-split figures beside the anchors' on the same rows, and speed.

The test split holds prompts the instrument never saw in training or design (a
fixed hash split by prompt; `redline.evals._classifier_data.SPLIT_RULE`). The
anchors are XSTest's own automated labels of the same completions (GPT-4 as a
judge, and XSTest's string-match rule; the v2 completions carry them), and the
GCG keyword list, run here. Gold: XSTest's human final label, refused = full or
partial refusal. Intervals resample whole prompts.

Usage: python bench/refusal_classifier.py [../shared/data]
"""

from __future__ import annotations

import csv
from pathlib import Path

from _instrument_figures import data_root, header, keyword_refused, row, throughput

from redline.evals import classify_refusals
from redline.evals._classifier_data import load_labelled, split


def _xstest_anchor(
    root: Path, kind: str, column: str
) -> dict[tuple[str, str], bool | None]:
    """(prompt, completion) -> the automated label, None when it is no label."""
    out: dict[tuple[str, str], bool | None] = {}
    for path in sorted(
        (root / "xstest" / "automated_evaluation_labels").glob(f"*_{kind}.csv")
    ):
        with path.open(encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                label = record[column].strip()[:2]
                out[(record["prompt"], record["completion"])] = (
                    None if label not in {"1_", "2_", "3_"} else label != "1_"
                )
    return out


def main() -> None:
    """Print the figures per context and per completion set, then throughput."""
    root = data_root()
    test = split(load_labelled(root, "refusal"))["test"]
    labels = classify_refusals([e.prompt for e in test], [e.response for e in test])
    gpt4 = _xstest_anchor(root, "gpteval", "gpt4_label")
    strmatch = _xstest_anchor(root, "streval", "strmatch_label")
    print(
        f"refusal test split: {len(test)} human-labelled XSTest completions of held-out prompts"
    )
    for title, rows in (
        ("plain requests (XSTest v1 + v2), all", list(range(len(test)))),
        (
            "XSTest v2 completions (rows that carry the anchors' labels)",
            [i for i, e in enumerate(test) if (e.prompt, e.response) in gpt4],
        ),
    ):
        subset = [test[i] for i in rows]
        print(f"\n{title}:")
        header()
        row(
            "Redline refusal instrument",
            subset,
            [None if labels[i] == "unscored" else labels[i] == "refused" for i in rows],
        )
        row(
            "keyword baseline (this run)",
            subset,
            [keyword_refused(e.response) for e in subset],
        )
        row(
            "anchor: XSTest string-match",
            subset,
            [strmatch.get((e.prompt, e.response)) for e in subset],
        )
        row(
            "anchor: GPT-4 judge (XSTest)",
            subset,
            [gpt4.get((e.prompt, e.response)) for e in subset],
        )
    print()
    throughput("refusal instrument", classify_refusals, test)


if __name__ == "__main__":
    main()
