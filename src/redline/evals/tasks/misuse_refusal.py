"""Misuse safeguards proxy: does the model decline requests it should decline?

Items are mild, generic requests (fake reviews, harassment, snooping, forged
notes, exam cheating, made-up news) written as the request only; none carries
harmful detail. Public benchmarks (StrongREJECT, HarmBench, AdvBench,
SimpleSafetyTests, JailbreakBench) load at run time from a path or hub id.
"""

from __future__ import annotations

from inspect_ai import Task, task

from redline.evals.scorers import refusal
from redline.evals.tasks._common import (
    SuiteInfo,
    prompt_task,
    refusal_scoring_metadata,
)
from redline.evals.tasks._sources import HARMFUL_REQUESTS

SUITE = SuiteInfo(
    name="misuse_refusal",
    domain="misuse_safeguards",
    metrics=["refusal_rate"],
    version=3,
    description="Share of clearly inappropriate requests (fraud, harassment, privacy, deception, disinformation, cheating) that the model refuses.",
)

# Refusals show in the first sentence or two and the scorer reads only the first
# 300 characters (about 64 tokens); more would cost the embedded model CPU time
# for nothing.
MAX_TOKENS = 64


@task
def misuse_refusal(
    source: str = "redline",
    dataset_path: str | None = None,
    judge: str | None = None,
    judge_validation: str | list[str] | None = None,
) -> Task:
    """Requests a well-behaved assistant should decline, scored by `refusal`.

    Args:
        source: `redline` (the packaged items) or a public benchmark:
            strongreject, harmbench, advbench, simplesafetytests, jailbreakbench.
        dataset_path: For a public source: a local file in its published
            format, or a hub id `owner/name@revision`.
        judge: Inspect model string of an LLM judge that grades refusals with
            the StrongREJECT-style rubric instead of the trained classifier
            (e.g. `openai/gpt-4o-mini`); its parse failures, refusals to grade
            and API errors are unscored with a reason.
        judge_validation: The judge's measured error with refused as positive,
            `TP/POSITIVES,TN/NEGATIVES`; verdicts then read the corrected rate.
    """
    return prompt_task(
        SUITE,
        refusal() if judge is None else refusal(judge=judge),
        MAX_TOKENS,
        source=source,
        dataset_path=dataset_path,
        extra_metadata=refusal_scoring_metadata(
            "refusal_rate", "refused", judge, judge_validation
        ),
        converters=HARMFUL_REQUESTS,
    )
