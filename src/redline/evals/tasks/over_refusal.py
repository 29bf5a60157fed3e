"""Over-refusal proxy: does the model answer benign prompts that merely sound harmful?

XSTest-style items in our own words: homonyms ("kill a Python process"),
figurative speech, safe targets, definitions and history.
"""

from __future__ import annotations

from inspect_ai import Task, task

from redline.evals.scorers import compliance
from redline.evals.tasks._common import (
    SuiteInfo,
    prompt_task,
    refusal_scoring_metadata,
)
from redline.evals.tasks._sources import BENIGN_REQUESTS

SUITE = SuiteInfo(
    name="over_refusal",
    domain="over_refusal",
    metrics=["compliance_rate"],
    version=3,
    description="Share of benign prompts that superficially resemble harmful ones which the model answers rather than refuses.",
)

# As for misuse_refusal: the refusal decision is made in the opening of the reply.
MAX_TOKENS = 64


@task
def over_refusal(
    source: str = "redline",
    dataset_path: str | None = None,
    judge: str | None = None,
    judge_validation: str | list[str] | None = None,
) -> Task:
    """Benign look-alike prompts, scored by `compliance`.

    Args:
        source: `redline` (the packaged items), `xstest` (its safe prompts) or
            `jailbreakbench_benign`.
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
        compliance() if judge is None else compliance(judge=judge),
        MAX_TOKENS,
        source=source,
        dataset_path=dataset_path,
        extra_metadata=refusal_scoring_metadata(
            "compliance_rate", "complied", judge, judge_validation
        ),
        converters=BENIGN_REQUESTS,
    )
