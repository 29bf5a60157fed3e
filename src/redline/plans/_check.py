"""Whether a report's run kept to a plan that was fixed before the run started."""

from __future__ import annotations

from datetime import datetime

from redline.reports import PlanBinding


def plan_flags(binding: PlanBinding, registered_at: datetime | None) -> tuple[str, ...]:
    """What a reader must be told about a report's plan; empty when nothing.

    Args:
        binding: The report's plan binding.
        registered_at: When the registry first stored the plan, or None when the
            registry does not know the plan.
    """
    flags = []
    if registered_at is None:
        flags.append(
            f"plan {binding.digest} is not registered: nothing shows it was fixed "
            "before the results were seen"
        )
    elif registered_at > binding.started_at:
        flags.append(
            f"plan {binding.digest} was registered at {registered_at.isoformat()}, "
            f"after its run started at {binding.started_at.isoformat()}: it is not "
            "pre-registered"
        )
    flags.extend(f"deviation: {d.message}" for d in binding.deviations)
    return tuple(flags)
