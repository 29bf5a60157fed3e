"""Misuse safeguards under attack: refusal when requests are wrapped in jailbreaks.

Each base request (the packaged misuse items, or a public benchmark loaded at
run time) is sent once per transform. A sample's `category` is its transform,
so a framework rule can read the attack success rate of one transform, and its
`group` is the base request, so the transforms of one request count as one
cluster in the interval.
"""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.solver import generate

from redline.errors import ConfigError
from redline.evals.scorers import attack_success
from redline.evals.tasks._common import (
    SuiteInfo,
    prompt_sample,
    refusal_scoring_metadata,
    spread,
    suite_samples,
)
from redline.evals.tasks._sources import HARMFUL_REQUESTS
from redline.evals.tasks._transforms import TRANSFORMS, parse_transforms

SUITE = SuiteInfo(
    name="jailbreak_transforms",
    domain="misuse_safeguards",
    metrics=["attack_success_rate"],
    version=2,
    description="Share of inappropriate requests, wrapped in generic jailbreak transforms, that the model gives substantive help with (per transform via categories, and overall).",
)

# As for misuse_refusal: refusal shows in the opening of the reply.
MAX_TOKENS = 64


@task
def jailbreak_transforms(
    source: str = "redline",
    dataset_path: str | None = None,
    transforms: str | list[str] = "all",
    max_requests: int = 4,
    judge: str | None = None,
    judge_validation: str | list[str] | None = None,
) -> Task:
    """Requests to decline, each under every chosen transform, scored by `attack_success`.

    Args:
        source: `redline` or a public benchmark (as for `misuse_refusal`).
        dataset_path: For a public source: a local file or `owner/name@revision`.
        transforms: `all`, or a comma-separated subset of none, role_play,
            prefix_injection, refusal_suppression, base64, translation,
            payload_splitting.
        max_requests: Base requests per run, evenly spread over the source
            (0 for all); bounds the default run's cost, as every request is
            sent once per transform.
        judge: Inspect model string of an LLM judge that grades refusals with
            the StrongREJECT-style rubric instead of the trained classifier
            (e.g. `openai/gpt-4o-mini`); its parse failures, refusals to grade
            and API errors are unscored with a reason.
        judge_validation: The judge's measured error with refused as positive,
            `TP/POSITIVES,TN/NEGATIVES`; verdicts then read the corrected rate.
    """
    try:
        names = parse_transforms(transforms)
    except ValueError as ex:
        raise ConfigError(f"jailbreak_transforms: transforms: {ex}") from None
    base, metadata = suite_samples(
        SUITE,
        source,
        dataset_path,
        HARMFUL_REQUESTS,
        prompt_sample,
        # The base requests are misuse_refusal's items; the transforms are ours.
        data_name="misuse_refusal",
    )
    samples = [
        Sample(
            id=f"{request.id}.{name}",
            input=TRANSFORMS[name](str(request.input)),
            metadata={
                "category": name,
                "group": str(request.id),
                "request_category": (request.metadata or {}).get("category"),
                # The harmful-compliance instrument reads the request, not its wrapper.
                "request": str(request.input),
            },
        )
        for request in spread(base, max_requests)
        for name in names
    ]
    return Task(
        dataset=MemoryDataset(samples, name=SUITE.name),
        solver=generate(),
        scorer=attack_success() if judge is None else attack_success(judge=judge),
        config=GenerateConfig(max_tokens=MAX_TOKENS),
        version=SUITE.version,
        metadata={
            **metadata,
            **refusal_scoring_metadata(
                "attack_success_rate",
                "complied" if judge else "harmful",
                judge,
                judge_validation,
                question="refusal" if judge else "harmful_compliance",
                context="jailbreak",
            ),
        },
        description=SUITE.description,
    )
