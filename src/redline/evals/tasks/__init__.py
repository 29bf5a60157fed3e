"""Redline's built-in suites, as Inspect tasks, and their catalogue.

Each suite module defines one `@task` and its `SuiteInfo`; `SUITES` is built from
those, so a suite's name, domain and metrics are written down once.
"""

from redline.evals.tasks._common import SuiteInfo
from redline.evals.tasks.autonomy_proxy import SUITE as _AUTONOMY_PROXY
from redline.evals.tasks.autonomy_proxy import autonomy_proxy
from redline.evals.tasks.honesty_pressure import SUITE as _HONESTY_PRESSURE
from redline.evals.tasks.honesty_pressure import honesty_pressure
from redline.evals.tasks.incident_regression import incident_regression
from redline.evals.tasks.jailbreak_transforms import SUITE as _JAILBREAK_TRANSFORMS
from redline.evals.tasks.jailbreak_transforms import jailbreak_transforms
from redline.evals.tasks.knowledge_proxy import SUITE as _KNOWLEDGE_PROXY
from redline.evals.tasks.knowledge_proxy import knowledge_proxy
from redline.evals.tasks.misuse_refusal import SUITE as _MISUSE_REFUSAL
from redline.evals.tasks.misuse_refusal import misuse_refusal
from redline.evals.tasks.over_refusal import SUITE as _OVER_REFUSAL
from redline.evals.tasks.over_refusal import over_refusal
from redline.evals.tasks.societal_bias import SUITE as _SOCIETAL_BIAS
from redline.evals.tasks.societal_bias import societal_bias

SUITES: dict[str, SuiteInfo] = {
    info.name: info
    for info in (
        _MISUSE_REFUSAL,
        _OVER_REFUSAL,
        _KNOWLEDGE_PROXY,
        _AUTONOMY_PROXY,
        _HONESTY_PRESSURE,
        _JAILBREAK_TRANSFORMS,
        _SOCIETAL_BIAS,
    )
}
"""Catalogue of the built-in suites, keyed by task name. `incident_regression` is
not in it: its items are the user's incidents (`dataset_path`), not packaged data."""

__all__ = [
    "SUITES",
    "SuiteInfo",
    "autonomy_proxy",
    "honesty_pressure",
    "incident_regression",
    "jailbreak_transforms",
    "knowledge_proxy",
    "misuse_refusal",
    "over_refusal",
    "societal_bias",
]
