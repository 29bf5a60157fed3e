"""Everything that touches Inspect: the embedded model, suites, runs and evidence.

This is the only package that imports `inspect_ai`.
"""

from redline.evals._bindings import (
    DATA_DIR_VAR,
    TaskRun,
    build_task,
    plan_task_runs,
)
from redline.evals._catalogue import suite_catalogue
from redline.evals._classifier import (
    classify_harmful_compliance,
    classify_refusals,
)
from redline.evals._epochs import reduce_epochs, run_epochs, run_reducer
from redline.evals._evidence import (
    comparability_components,
    comparability_key,
    dataset_digest,
    evidence_for_rules,
    evidence_from_log,
    task_metadata,
)
from redline.evals._from_logs import LogFile, MatchedRun, match_logs, read_log_dirs
from redline.evals._health import (
    INFRASTRUCTURE_ERROR_SHARE,
    SuiteHealth,
    mark_for_retry,
    resume_progress,
    suite_health,
)
from redline.evals._outcomes import OutcomeReader
from redline.evals._run import (
    RunOptions,
    check_model,
    run_suites,
    run_tasks,
    runs_sequentially,
)
from redline.evals._sandbox import (
    BubblewrapSandbox,
    SandboxDecision,
    resolve_sandbox,
    uses_sandbox,
)
from redline.evals._scorer_validation import (
    AgreementTable,
    ValidationEntry,
    ValidationFile,
    read_validation_file,
)
from redline.evals._sequential import Budget, SequentialStopping
from redline.evals._shards import (
    ShardCoordinator,
    ShardResult,
    ShardStopping,
    SuitePlan,
    merge_shards,
    merged_log,
    plan_suite,
    run_shard,
    sample_scores,
    sample_usage,
    shard_samples,
    suite_policy,
)
from redline.evals._task_identity import TaskIdentity, task_identity
from redline.evals._validate import rater_agreement, validate_scorer
from redline.evals.tasks import SUITES

__all__ = [
    "DATA_DIR_VAR",
    "INFRASTRUCTURE_ERROR_SHARE",
    "SUITES",
    "AgreementTable",
    "BubblewrapSandbox",
    "Budget",
    "LogFile",
    "MatchedRun",
    "OutcomeReader",
    "RunOptions",
    "SandboxDecision",
    "SequentialStopping",
    "ShardCoordinator",
    "ShardResult",
    "ShardStopping",
    "SuiteHealth",
    "TaskIdentity",
    "SuitePlan",
    "TaskRun",
    "ValidationEntry",
    "ValidationFile",
    "build_task",
    "check_model",
    "classify_harmful_compliance",
    "classify_refusals",
    "comparability_components",
    "comparability_key",
    "dataset_digest",
    "evidence_for_rules",
    "evidence_from_log",
    "mark_for_retry",
    "match_logs",
    "merge_shards",
    "merged_log",
    "plan_suite",
    "plan_task_runs",
    "rater_agreement",
    "read_log_dirs",
    "read_validation_file",
    "reduce_epochs",
    "resolve_sandbox",
    "resume_progress",
    "run_epochs",
    "run_reducer",
    "sample_scores",
    "sample_usage",
    "shard_samples",
    "run_shard",
    "run_suites",
    "run_tasks",
    "runs_sequentially",
    "suite_catalogue",
    "suite_health",
    "task_identity",
    "suite_policy",
    "task_metadata",
    "uses_sandbox",
    "validate_scorer",
]
