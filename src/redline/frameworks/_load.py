"""Load frameworks from YAML files or the built-in catalogue, with precise errors."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from redline._util.yaml_source import (
    Location,
    YamlDocument,
    YamlSourceError,
    parse_yaml,
)
from redline.errors import ConfigError, FrameworkError
from redline.frameworks._model import (
    DeclaredPropertyRule,
    EvaluationEvidence,
    EvidenceRule,
    Framework,
)
from redline.frameworks._safeguards import Attestation

DEFAULT_FRAMEWORK = "redline-reference"
_UNION_TAGS = {
    "evidence-rule",
    "declared-property",
    "evaluation-evidence",
    "attestation-evidence",
}


def _builtin_files() -> dict[str, str]:
    folder = resources.files("redline.frameworks") / "builtin"
    return {
        entry.name.removesuffix(".yaml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def builtin_framework_ids() -> list[str]:
    """Ids of the frameworks shipped with Redline."""
    return sorted(_builtin_files())


def _describe_error(document: YamlDocument, error: ValidationError) -> str:
    """One line per problem: file:line, the field's path, what was expected."""
    details = error.errors()
    failing = [tuple(d["loc"]) for d in details if d["type"] != "too_short"]
    problems = []
    for detail in details:
        # Discriminated unions add the branch tag to the path; a person never wrote it.
        location = tuple(p for p in detail["loc"] if p not in _UNION_TAGS)
        # A list whose items all failed also reports being "too short": noise.
        if detail["type"] == "too_short" and any(
            f[: len(location)] == location for f in failing
        ):
            continue
        field = ".".join(str(part) for part in location) or "(document)"
        line = document.line_of(location)
        where = f"{document.source}:{line}" if line else document.source
        message = detail["msg"]
        if detail["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        problems.append(f"{where}: field '{field}': {message}")
    return "; ".join(problems)


def parse_framework(text: str, source: str) -> Framework:
    """Validate framework YAML text; `source` names it in error messages."""
    try:
        document = parse_yaml(text, source)
    except YamlSourceError as exc:
        raise FrameworkError(str(exc)) from None
    if not isinstance(document.data, dict):
        raise FrameworkError(
            f"{source}: expected a mapping with id, name, version and thresholds"
        )
    try:
        return Framework.model_validate(document.data)
    except ValidationError as exc:
        raise FrameworkError(_describe_error(document, exc)) from None


def load_framework(ref: str | Path) -> Framework:
    """Load a built-in framework by id, or a framework YAML file by path."""
    return load_framework_source(ref).framework


@dataclass(frozen=True)
class FrameworkSource:
    """A loaded framework with where it came from, so later checks can name file and line."""

    framework: Framework
    source: str
    """File path, or `<builtin id>`."""
    base_dir: Path | None
    """Folder that `file.py@task` references are relative to; None for built-ins."""
    document: YamlDocument

    def rule_locations(self) -> list[tuple[EvidenceRule, Location]]:
        """Each evidence rule with its path in the document, in `evidence_rules()` order."""
        located: list[tuple[EvidenceRule, Location]] = []
        for t, threshold in enumerate(self.framework.thresholds):
            for r, rule in enumerate(threshold.rules):
                if not isinstance(rule, DeclaredPropertyRule):
                    located.append((rule, ("thresholds", t, "rules", r)))
        for s, safeguard in enumerate(self.framework.safeguards):
            for e, item in enumerate(safeguard.evidence):
                if isinstance(item, EvaluationEvidence):
                    located.append(
                        (
                            item.evaluation,
                            ("safeguards", s, "evidence", e, "evaluation"),
                        )
                    )
        return located

    def where(self, location: Location) -> str:
        """`file:line: field 'a.b.c'` for a path in the document."""
        line = self.document.line_of(location)
        place = f"{self.source}:{line}" if line else self.source
        owner = ""
        if len(location) > 1 and isinstance(location[1], int):
            if location[0] == "thresholds":
                owner = f" (threshold {self.framework.thresholds[location[1]].id})"
            elif location[0] == "safeguards":
                owner = f" (safeguard {self.framework.safeguards[location[1]].id})"
        return f"{place}: field '{'.'.join(str(p) for p in location)}'{owner}"


def load_framework_source(ref: str | Path) -> FrameworkSource:
    """Load a framework and keep its source (file, folder, line numbers)."""
    builtins = _builtin_files()
    if isinstance(ref, str) and ref in builtins:
        source, text, base_dir = f"<builtin {ref}>", builtins[ref], None
    else:
        path = Path(ref)
        if not path.exists():
            known = ", ".join(sorted(builtins))
            raise FrameworkError(
                f"unknown framework {str(ref)!r}: not a built-in id ({known}) and no such file"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeError) as exc:
            raise FrameworkError(f"{path}: cannot read framework file: {exc}") from None
        source, base_dir = str(path), path.resolve().parent
    framework = parse_framework(text, source)
    return FrameworkSource(framework, source, base_dir, parse_yaml(text, source))


def _read_document(path: Path, what: str) -> YamlDocument:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what}: {exc}") from None
    except YamlSourceError as exc:
        raise ConfigError(str(exc)) from None


def load_model_card(path: Path) -> dict[str, Any]:
    """A model card's declared properties (YAML or JSON mapping), e.g. training compute."""
    document = _read_document(path, "model card")
    if not isinstance(document.data, dict):
        raise ConfigError(f"{path}: expected a mapping of property names to values")
    return dict(document.data)


def load_attestations(path: Path) -> list[Attestation]:
    """Attestations (YAML list of safeguard, document, attested_by) that safeguards are in place."""
    document = _read_document(path, "attestations")
    if not isinstance(document.data, list):
        raise ConfigError(
            f"{path}: expected a list of attestations (safeguard, document, attested_by)"
        )
    try:
        return TypeAdapter(list[Attestation]).validate_python(document.data)
    except ValidationError as exc:
        raise ConfigError(_describe_error(document, exc)) from None
