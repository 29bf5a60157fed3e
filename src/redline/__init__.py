"""Redline: frontier-AI safety testing that ends in a decision you can defend.

Names are imported on first use, so `import redline.frameworks` (pure domain code)
does not pull in Inspect and llama.cpp.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from redline._version import __version__

if TYPE_CHECKING:
    from redline.assess import AssessOptions, assess, build_plan
    from redline.campaign import CampaignOptions, run_campaign
    from redline.errors import (
        ConfigError,
        FrameworkError,
        InputError,
        PrerequisiteError,
        RedlineError,
        ReportError,
    )
    from redline.evals import (
        RunOptions,
        classify_harmful_compliance,
        classify_refusals,
    )
    from redline.frameworks import (
        Decision,
        Evidence,
        Framework,
        Verdict,
        assess_framework,
        load_framework,
    )
    from redline.reports import Report, load_report

_EXPORTS = {
    "AssessOptions": "redline.assess",
    "assess": "redline.assess",
    "build_plan": "redline.assess",
    "CampaignOptions": "redline.campaign",
    "run_campaign": "redline.campaign",
    "ConfigError": "redline.errors",
    "FrameworkError": "redline.errors",
    "InputError": "redline.errors",
    "PrerequisiteError": "redline.errors",
    "RedlineError": "redline.errors",
    "ReportError": "redline.errors",
    "RunOptions": "redline.evals",
    "classify_harmful_compliance": "redline.evals",
    "classify_refusals": "redline.evals",
    "Decision": "redline.frameworks",
    "Evidence": "redline.frameworks",
    "Framework": "redline.frameworks",
    "Verdict": "redline.frameworks",
    "assess_framework": "redline.frameworks",
    "load_framework": "redline.frameworks",
    "Report": "redline.reports",
    "load_report": "redline.reports",
}

__all__ = [
    "AssessOptions",
    "CampaignOptions",
    "ConfigError",
    "Decision",
    "Evidence",
    "Framework",
    "FrameworkError",
    "InputError",
    "PrerequisiteError",
    "RedlineError",
    "Report",
    "ReportError",
    "RunOptions",
    "Verdict",
    "__version__",
    "assess",
    "assess_framework",
    "build_plan",
    "classify_harmful_compliance",
    "classify_refusals",
    "load_framework",
    "load_report",
    "run_campaign",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'redline' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
