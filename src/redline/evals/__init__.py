"""Everything that touches Inspect: the embedded model, suites, runs and evidence.

This is the only package that imports `inspect_ai`.
"""

from redline.evals._classifier import (
    classify_harmful_compliance,
    classify_refusals,
)
from redline.evals._evidence import (
    comparability_components,
    comparability_key,
    evidence_from_log,
    task_metadata,
)
from redline.evals._run import RunOptions, check_model, run_suites
from redline.evals._scorer_validation import (
    AgreementTable,
    ValidationEntry,
    ValidationFile,
    read_validation_file,
)
from redline.evals._sequential import Budget, SequentialStopping
from redline.evals._validate import rater_agreement, validate_scorer
from redline.evals.tasks import SUITES

__all__ = [
    "AgreementTable",
    "Budget",
    "SUITES",
    "RunOptions",
    "SequentialStopping",
    "ValidationEntry",
    "ValidationFile",
    "check_model",
    "classify_harmful_compliance",
    "classify_refusals",
    "comparability_components",
    "comparability_key",
    "evidence_from_log",
    "rater_agreement",
    "read_validation_file",
    "run_suites",
    "task_metadata",
    "validate_scorer",
]
