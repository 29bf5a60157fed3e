"""Scale out on Ray: each suite's seeded sample order in shards, one sequential test per suite.

The only package, with the CLI, that imports `ray`; nothing imports it but the CLI.
"""

from redline.scale._monitor import SuiteMonitor
from redline.scale._runner import (
    RayOptions,
    RayTaskRunner,
    connect,
    forwarded_env,
    run_assessment_on_ray,
)

__all__ = [
    "RayOptions",
    "RayTaskRunner",
    "SuiteMonitor",
    "connect",
    "forwarded_env",
    "run_assessment_on_ray",
]
