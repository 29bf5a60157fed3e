"""Inspect entry point: registers `redline/local` and the `redline/<suite>` tasks.

Listed under `[project.entry-points.inspect_ai]`, so `inspect eval redline/<suite>
--model redline/local` works with plain Inspect.
"""

from __future__ import annotations

from inspect_ai.model import ModelAPI, modelapi

from redline.evals.tasks import (  # noqa: F401  (importing registers the tasks)
    autonomy_proxy,
    honesty_pressure,
    incident_regression,
    jailbreak_transforms,
    knowledge_proxy,
    misuse_refusal,
    over_refusal,
    societal_bias,
)


@modelapi(name="redline")
def local() -> type[ModelAPI]:
    # Imported lazily so that listing Inspect's registry does not import llama.cpp.
    from redline.evals._local_model import LocalModelAPI

    return LocalModelAPI
