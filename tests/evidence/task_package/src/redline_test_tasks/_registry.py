"""Entry point module: importing it registers the package's tasks with Inspect."""

from redline_test_tasks.arithmetic import arithmetic_checks  # noqa: F401
