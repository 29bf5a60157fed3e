"""Pre-registered assessment plans: the model, signing, verification and deviations.

A plan fixes what an assessment will run (framework content, every task with its
version, arguments and dataset digest, seed, stopping rule, budgets, judges and
elicitation) before any result is seen. It is signed like a report and named by the
digest of its canonical JSON; a registry timestamps it, and a report bound to it
lists every way its run departed from it.
"""

from redline.plans._check import plan_flags
from redline.plans._diff import blocking_deviations, plan_deviations
from redline.plans._model import (
    PLAN_VERSION,
    Budgets,
    FrameworkPin,
    Plan,
    PlannedTask,
    PlanSignature,
    SignedPlan,
    StoppingRule,
    plan_data,
)
from redline.plans._signing import (
    PlanVerification,
    parse_plan,
    plan_digest,
    read_plan_file,
    sign_plan,
    verify_signed_plan,
)

__all__ = [
    "PLAN_VERSION",
    "Budgets",
    "FrameworkPin",
    "Plan",
    "PlanSignature",
    "PlanVerification",
    "PlannedTask",
    "SignedPlan",
    "StoppingRule",
    "blocking_deviations",
    "parse_plan",
    "plan_data",
    "plan_deviations",
    "plan_digest",
    "plan_flags",
    "read_plan_file",
    "sign_plan",
    "verify_signed_plan",
]
