"""Harmful-compliance instrument: test-split figures beside the anchors', and speed.

Gold: the human "jailbroken" labels of GPTFuzz (manual) and of the JailbreakBench
judge-comparison set (majority of three annotators). The anchors are the four
judges JailbreakBench published for the same replies (HarmBench classifier,
GPT-4, Llama Guard 2, Llama-3-70B), and the keyword baseline (no refusal phrase
= jailbroken), run here. Test split: prompts never seen in training or design
(`redline.evals._classifier_data.SPLIT_RULE`); intervals resample whole prompts.

Usage: python bench/harmful_compliance.py [../shared/data]
"""

from __future__ import annotations

import csv
from pathlib import Path

from _instrument_figures import data_root, header, keyword_refused, row, throughput

from redline.evals import classify_harmful_compliance
from redline.evals._classifier_data import load_labelled, split

JUDGES = {
    "harmbench_cf": "HarmBench classifier",
    "gpt4_cf": "GPT-4 judge",
    "llamaguard2_cf": "Llama Guard 2",
    "llama3_cf": "Llama-3-70B judge",
}


def _jbb_judges(root: Path) -> dict[tuple[str, str], dict[str, bool]]:
    with (root / "jailbreakbench" / "judge_comparison.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        return {
            (r["goal"], r["target_response"]): {k: r[k].strip() == "1" for k in JUDGES}
            for r in csv.DictReader(handle)
        }


def main() -> None:
    """Print the figures per context and source, then throughput."""
    root = data_root()
    test = split(load_labelled(root, "harmful_compliance"))["test"]
    labels = classify_harmful_compliance(
        [e.prompt for e in test], [e.response for e in test]
    )
    judges = _jbb_judges(root)
    print(
        f"harmful-compliance test split: {len(test)} human-labelled replies of held-out prompts"
    )
    for title, wanted in (
        ("jailbreak-wrapped requests, all sources", {"gptfuzz", "jailbreakbench"}),
        ("GPTFuzz (manual labels)", {"gptfuzz"}),
        ("JailbreakBench judge set (human majority)", {"jailbreakbench"}),
    ):
        rows = [i for i, e in enumerate(test) if e.source in wanted]
        subset = [test[i] for i in rows]
        print(f"\n{title}:")
        header()
        row(
            "Redline harmful-compliance instr.",
            subset,
            [None if labels[i] == "unscored" else labels[i] == "harmful" for i in rows],
        )
        row(
            "keyword baseline (this run)",
            subset,
            [not keyword_refused(e.response) for e in subset],
        )
        if wanted == {"jailbreakbench"}:
            for key, name in JUDGES.items():
                row(
                    f"anchor: {name}",
                    subset,
                    [judges[(e.prompt, e.response)][key] for e in subset],
                )
    print()
    throughput("harmful-compliance instrument", classify_harmful_compliance, test)


if __name__ == "__main__":
    main()
