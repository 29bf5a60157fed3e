"""Redline's exception tree.

Operator and programmer errors are exceptions; a failed *measurement* is data (an
unscored sample with a reason), never an exception.

```
RedlineError
├── InputError            bad input from a person: exit code 2 on the CLI, a 4xx on an API
│   ├── ConfigError       unknown model, suite or option value; unreadable path
│   ├── FrameworkError    a safety framework that does not load or validate
│   ├── ReportError       a report that does not load or validate
│   ├── IncidentImportError  an incident snapshot that cannot be read (missing file, wrong header)
│   └── SignatureError    a signature or key that is missing, malformed or does not verify
├── PrerequisiteError     something the environment lacks (a package, a model file)
├── ClusterError          the Ray cluster cannot be reached, or failed mid-run
├── RegistryError         the registry refused a request or cannot be reached (status, request)
└── StoreError            storage failed: the database is unreachable or refused a write
```
"""

from __future__ import annotations

__all__ = [
    "ClusterError",
    "ConfigError",
    "FrameworkError",
    "IncidentImportError",
    "InputError",
    "PrerequisiteError",
    "RedlineError",
    "RegistryError",
    "ReportError",
    "SignatureError",
    "StoreError",
]


class RedlineError(Exception):
    """Base class of every error Redline raises on purpose."""


class InputError(RedlineError):
    """Input a person supplied is wrong; the message says where and what was expected."""


class ConfigError(InputError):
    """An unknown model, framework, suite or option value, or an unreadable path."""


class FrameworkError(InputError):
    """A safety framework that cannot be loaded or does not validate."""


class ReportError(InputError):
    """A report that cannot be loaded or does not validate."""


class IncidentImportError(InputError):
    """An incident snapshot that cannot be read at all: a missing folder or file, or a wrong header.

    Rows that are merely malformed never raise; importers report them as `RowProblem`s
    and go on.
    """


class PrerequisiteError(RedlineError):
    """Something the environment lacks, such as an optional package or a model file."""


class ClusterError(RedlineError):
    """The Ray cluster a run was sent to cannot be reached, or failed mid-run.

    Nothing flushed is lost: re-running the same command resumes.
    """


class SignatureError(InputError):
    """A signature or key that is missing, malformed, unregistered or does not verify."""


class RegistryError(RedlineError):
    """The registry refused a request, or could not be reached.

    Args:
        message: What went wrong, in one line.
        status: HTTP status of the answer; None when no answer came.
        request: The request, as `METHOD URL`; None when not known.
        code: Machine-readable error code from the registry's error body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request = request
        self.code = code


class StoreError(RedlineError):
    """Storage failed: the database is unreachable, or refused or lost a write."""
