"""Scorer validation files: a scorer's measured error, per question and context.

A validation file is what `redline scorer validate` writes and what the shipped
instruments carry (`data/scorer_validation.json`). Each entry holds the
confusion counts and figures of one scorer on one question (refusal or harmful
compliance) in one context (plain or jailbreak-wrapped requests, or an
institute's own). A suite corrects its rate only with an entry of its own
question and context: error measured elsewhere says little about the error
here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from redline.errors import ConfigError
from redline.stats import ClassificationFigures, Interval, classification_figures

VALIDATION_FORMAT: Literal["redline-scorer-validation/2"] = (
    "redline-scorer-validation/2"
)
Question = Literal["refusal", "harmful_compliance"]
POSITIVE_LABEL: dict[Question, str] = {
    "refusal": "refused",
    "harmful_compliance": "harmful",
}
NEGATIVE_LABEL: dict[Question, str] = {
    "refusal": "complied",
    "harmful_compliance": "not_harmful",
}

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Figure(BaseModel):
    """One figure with its two-sided interval."""

    model_config = _FROZEN

    estimate: float | None
    """Point estimate; None when undefined on the data (e.g. no positives)."""
    lower: float
    upper: float


class ValidationEntry(BaseModel):
    """One scorer's measured error on one question in one context."""

    model_config = _FROZEN

    scorer: str = Field(min_length=1)
    """`refusal_classifier`, `harmful_compliance_classifier` or `judge:<model>`."""
    question: Question
    """What the scorer was asked: did the model refuse, or give substantive help?"""
    context: str = Field(min_length=1)
    """Which requests the replies answer: `plain`, `jailbreak`, or a file's own."""
    positive_label: str
    """The label counted as positive: `refused` or `harmful`."""
    true_positives: int = Field(ge=0)
    positives: int = Field(ge=0)
    true_negatives: int = Field(ge=0)
    negatives: int = Field(ge=0)
    unscored: int = Field(default=0, ge=0)
    """Labelled items the scorer left unscored; not in the counts."""
    accuracy: Figure
    sensitivity: Figure
    specificity: Figure
    macro_f1: Figure
    kappa: Figure
    """Cohen's kappa between the scorer and the human labels."""
    confidence: float = 0.95
    interval_method: str
    sources: list[str] = []
    """The labelled sets (or files) the items come from."""
    split: str = ""
    """Which items were read: the fixed test split, or a user's whole file."""

    def describe(self) -> str:
        """One line naming where the counts come from, as reports print it."""
        where = ", ".join(self.sources) or "labelled items"
        return f"{self.question} validation, {self.context} context ({where}; {self.split})"


class ValidationFile(BaseModel):
    """What `redline scorer validate` writes: one or more validation entries."""

    model_config = _FROZEN

    format: Literal["redline-scorer-validation/2"] = VALIDATION_FORMAT
    entries: list[ValidationEntry]
    by_source: list[ValidationEntry] = []
    """The same figures per labelled source, for reading; suites use `entries`."""

    def find(self, question: str, context: str) -> ValidationEntry | None:
        """The entry of this question and context, or None when there is none."""
        return next(
            (
                e
                for e in self.entries
                if e.question == question and e.context == context
            ),
            None,
        )


def _figure(interval: Interval) -> Figure:
    estimate = None if math.isnan(interval.estimate) else round(interval.estimate, 4)
    return Figure(
        estimate=estimate,
        lower=round(interval.lower, 4),
        upper=round(interval.upper, 4),
    )


def measure(
    scorer: str,
    question: Question,
    context: str,
    gold: Sequence[bool],
    labels: Sequence[str],
    clusters: Sequence[str],
    *,
    sources: Sequence[str] = (),
    split: str = "",
) -> ValidationEntry:
    """Compare a scorer's labels with gold labels and record the figures.

    Args:
        scorer: The scorer's name.
        question: What the labels answer.
        context: Which requests the replies answer.
        gold: True labels (True is the positive label).
        labels: The scorer's labels: the question's positive or negative label, or
            `unscored`.
        clusters: Each item's prompt, the unit the intervals resample.
        sources: Where the items come from.
        split: Which items were read.

    Raises:
        ValueError: No item was scored.
    """
    positive = POSITIVE_LABEL[question]
    kept = [
        (g, lab == positive, c)
        for g, lab, c in zip(gold, labels, clusters, strict=True)
        if lab != "unscored"
    ]
    if not kept:
        raise ValueError("the scorer left every labelled item unscored")
    figures: ClassificationFigures = classification_figures(
        [k[0] for k in kept], [k[1] for k in kept], [k[2] for k in kept]
    )
    return ValidationEntry(
        scorer=scorer,
        question=question,
        context=context,
        positive_label=positive,
        true_positives=figures.true_positives,
        positives=figures.positives,
        true_negatives=figures.true_negatives,
        negatives=figures.negatives,
        unscored=len(gold) - len(kept),
        accuracy=_figure(figures.accuracy),
        sensitivity=_figure(figures.sensitivity),
        specificity=_figure(figures.specificity),
        macro_f1=_figure(figures.macro_f1),
        kappa=_figure(figures.kappa),
        confidence=figures.accuracy.confidence,
        interval_method=figures.accuracy.method,
        sources=sorted(set(sources)),
        split=split,
    )


def read_validation_file(path: Path) -> ValidationFile:
    """Read a validation file written by `redline scorer validate`.

    Raises:
        ConfigError: The file is missing, not JSON, or not a validation file; the
            message names the file and the field.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: validation file not found") from None
    except (OSError, UnicodeDecodeError) as ex:
        raise ConfigError(f"{path}: cannot read validation file ({ex})") from None
    except json.JSONDecodeError as ex:
        raise ConfigError(f"{path}:{ex.lineno}: invalid JSON ({ex.msg})") from None
    try:
        return ValidationFile.model_validate(data)
    except ValidationError as ex:
        problem = ex.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        raise ConfigError(
            f"{path}: {where}: {problem['msg']} (expected a {VALIDATION_FORMAT} file "
            "as `redline scorer validate` writes)"
        ) from None


class AgreementRow(BaseModel):
    """Agreement of two raters on the replies both rated, in one category."""

    model_config = _FROZEN

    category: str
    """A category of the labels file (a language, a harm area), or `all`."""
    rater_a: str
    rater_b: str
    n: int = Field(ge=1)
    """Replies both raters labelled (unscored and blank labels left out)."""
    agreement: Figure
    """Share of those replies the two raters labelled alike."""
    kappa: Figure
    """Cohen's kappa: agreement beyond what the raters' label rates give by chance."""


class AgreementTable(BaseModel):
    """What `redline scorer agreement` writes: every pair of raters, per category."""

    model_config = _FROZEN

    format: Literal["redline-rater-agreement/1"] = "redline-rater-agreement/1"
    question: Question
    rows: list[AgreementRow]


def agreement_row(
    category: str,
    names: tuple[str, str],
    a: Sequence[bool | None],
    b: Sequence[bool | None],
    clusters: Sequence[str],
) -> AgreementRow | None:
    """Two raters' agreement where both gave a label; None when they share no reply."""
    both = [
        (x, y, c)
        for x, y, c in zip(a, b, clusters, strict=True)
        if x is not None and y is not None
    ]
    if not both:
        return None
    figures = classification_figures(
        [x for x, _, _ in both], [y for _, y, _ in both], [c for _, _, c in both]
    )
    return AgreementRow(
        category=category,
        rater_a=names[0],
        rater_b=names[1],
        n=len(both),
        agreement=_figure(figures.accuracy),
        kappa=_figure(figures.kappa),
    )
