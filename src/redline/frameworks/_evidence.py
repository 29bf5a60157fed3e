"""Evidence: what an evaluation measured for one metric of one suite."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from redline.stats import ClassifierError

_FROZEN = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


SALTED_DIGEST_PREFIX = "hmac-sha256:"
"""Prefix of a salted content digest; `sha256:` marks the unsalted form of older reports."""


def text_digest(text: str) -> str:
    """`sha256:<hex>` of UTF-8 text: the unsalted digest of reports before salting."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_salt() -> str:
    """16 random bytes, hex: one per sample, mixed into its content digests."""
    return secrets.token_hex(16)


def derived_salt(secret: bytes, place: str) -> str:
    """A sample's salt from its run folder's secret and its place in the run.

    As secret as a random one to whoever lacks the folder's secret, but the same
    each time the same folder is assessed, so re-assessing it (a replay, a resume)
    gives the same report.
    """
    return hmac.new(secret, place.encode("utf-8"), "sha256").hexdigest()[:32]


def salted_digest(text: str, salt: str) -> str:
    """`hmac-sha256:<hex>` of UTF-8 text keyed by the sample's salt.

    A plain hash of a short reply ("No") or of a published prompt is found by hashing
    guesses; keyed by 16 secret random bytes, which redaction removes, it is not.

    Raises:
        ValueError: The salt is not hex.
    """
    key = bytes.fromhex(salt)
    return (
        SALTED_DIGEST_PREFIX + hmac.new(key, text.encode("utf-8"), "sha256").hexdigest()
    )


def content_digest(text: str, salt: str | None) -> str:
    """The digest a record keeps of its content: salted, or plain without a salt."""
    return text_digest(text) if salt is None else salted_digest(text, salt)


class SampleRecord(BaseModel):
    """One evaluated sample: its score (or why it has none) and its content's digests."""

    model_config = _FROZEN

    id: str
    """Sample id in the suite's dataset."""
    epoch: int = 1
    """Epoch of the sample."""
    score: float | None
    """Score in [0, 1]; null when the sample could not be scored."""
    unscored_reason: str | None = None
    """Why the sample is unscored (model API error, unparseable output, ...)."""
    prompt: str | None = None
    """What the model was asked; removed by redaction."""
    response: str | None = None
    """The model's final answer; removed by redaction."""
    category: str | None = None
    """Dataset category of the sample, for rules that read a subset."""
    group: str | None = None
    """Samples sharing a group (epochs, templates, transforms) are not independent."""
    prompt_digest: str
    """Digest of the prompt, kept after redaction: `hmac-sha256:<hex>` keyed by `salt`,
    or `sha256:<hex>` (unsalted) in reports written before salting."""
    response_digest: str
    """Digest of the response, kept after redaction, in the same form as `prompt_digest`."""
    salt: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    """16 random bytes (hex) keying this sample's digests; removed by redaction, so a
    redacted copy's digests cannot be matched against guessed content. Null once
    redacted, and in reports written before salting."""

    @classmethod
    def with_content(
        cls,
        *,
        id: str,
        epoch: int,
        score: float | None,
        unscored_reason: str | None,
        prompt: str,
        response: str,
        category: str | None = None,
        group: str | None = None,
    ) -> SampleRecord:
        """A record holding its content, a fresh salt and the salted digests."""
        salt = new_salt()
        return cls(
            id=id,
            epoch=epoch,
            score=score,
            unscored_reason=unscored_reason,
            prompt=prompt,
            response=response,
            category=category,
            group=group,
            prompt_digest=salted_digest(prompt, salt),
            response_digest=salted_digest(response, salt),
            salt=salt,
        )


def resalted(record: SampleRecord, salt: str) -> SampleRecord:
    """`record` with `salt` and its content digests keyed by it (salted records only)."""
    if record.salt is None or record.prompt is None or record.response is None:
        return record
    return record.model_copy(
        update={
            "salt": salt,
            "prompt_digest": salted_digest(record.prompt, salt),
            "response_digest": salted_digest(record.response, salt),
        }
    )


class ScorerError(BaseModel):
    """A scorer's measured error: confusion counts on a labelled validation set.

    Counts are for the label the metric scores 1.0 (e.g. `refused` for
    `refusal_rate`, `complied` for `compliance_rate`), so sensitivity is the share
    of truly-1.0 items the scorer scores 1.0 and specificity the share of truly-0.0
    items it scores 0.0.
    """

    model_config = _FROZEN

    scorer: str = Field(min_length=1)
    """Which scorer was measured, e.g. `refusal_classifier` or `judge:<model>`."""
    positive_label: str = Field(min_length=1)
    """The label the metric scores 1.0, e.g. `refused`."""
    true_positives: int = Field(ge=0)
    """Validation items truly positive that the scorer labelled positive."""
    positives: int = Field(ge=1)
    """Validation items truly positive."""
    true_negatives: int = Field(ge=0)
    """Validation items truly negative that the scorer labelled negative."""
    negatives: int = Field(ge=1)
    """Validation items truly negative."""
    source: str = ""
    """Where the counts come from (validation set and split)."""

    @model_validator(mode="after")
    def _a_confusion_matrix(self) -> ScorerError:
        self.classifier_error()  # raises ValueError with the reason
        return self

    def classifier_error(self) -> ClassifierError:
        """The counts as the statistics module takes them."""
        return ClassifierError(
            true_positives=self.true_positives,
            positives=self.positives,
            true_negatives=self.true_negatives,
            negatives=self.negatives,
        )

    @property
    def sensitivity(self) -> float:
        """Share of truly positive items the scorer labels positive."""
        return self.true_positives / self.positives

    @property
    def specificity(self) -> float:
        """Share of truly negative items the scorer labels negative."""
        return self.true_negatives / self.negatives


class SequentialInfo(BaseModel):
    """How a sequentially tested suite stopped."""

    model_config = _FROZEN

    stopped_early: bool
    """Whether sampling stopped before the dataset was exhausted."""
    reason: str
    """Why it stopped: every rule decided, a budget reached, or dataset exhausted."""
    decided: bool
    """Whether every rule fed by the suite was decided by its sequential test."""
    samples_used: int
    """Samples completed."""
    samples_total: int
    """Samples the dataset (after --limit) holds."""


class Evidence(BaseModel):
    """Per-sample scores of one suite metric, with what could not be scored."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    suite: str
    """Suite that produced the scores."""
    metric: str
    """Metric the scores feed, e.g. `refusal_rate`."""
    scores: tuple[float, ...]
    """Scores in [0, 1] of the samples that were scored."""
    unscored: int = Field(default=0, ge=0)
    """Samples that ran (or were meant to) but could not be scored."""
    unscored_reasons: dict[str, int] = Field(default_factory=dict)
    """Count of unscored samples per reason (model API error, unparseable output, ...)."""
    comparability_key: str
    """Hash over task and version, dataset digest, scorer, generation config, harness versions."""
    task_version: str = ""
    """Version of the suite's task."""
    dataset_digest: str = ""
    """Digest of the suite's dataset."""
    log_file: str = ""
    """Inspect log the scores were read from."""
    samples: tuple[SampleRecord, ...] = ()
    """Per-sample records behind `scores`, in the order they ran."""
    sequential: SequentialInfo | None = None
    """Set when the suite ran under sequential testing."""
    scorer_error: ScorerError | None = None
    """The scorer's measured error, when known: verdicts then read the corrected rate."""

    @classmethod
    def from_scores(
        cls,
        suite: str,
        metric: str,
        scores: list[float | None],
        comparability_key: str = "",
        categories: list[str] | None = None,
        groups: list[str] | None = None,
        reason: str = "unscored",
        scorer_error: ScorerError | None = None,
    ) -> Evidence:
        """Evidence built from bare scores (None = unscored), e.g. for simulations."""
        samples = tuple(
            SampleRecord.with_content(
                id=str(i),
                epoch=1,
                score=score,
                unscored_reason=None if score is not None else reason,
                prompt="",
                response="",
                category=categories[i] if categories else None,
                group=groups[i] if groups else None,
            )
            for i, score in enumerate(scores)
        )
        return cls._from_samples(
            suite, metric, samples, comparability_key, scorer_error=scorer_error
        )

    @classmethod
    def _from_samples(
        cls,
        suite: str,
        metric: str,
        samples: tuple[SampleRecord, ...],
        key: str,
        **extra: Any,
    ) -> Evidence:
        reasons: dict[str, int] = {}
        for s in samples:
            if s.score is None:
                reason = s.unscored_reason or "unscored"
                reasons[reason] = reasons.get(reason, 0) + 1
        return cls(
            suite=suite,
            metric=metric,
            scores=tuple(s.score for s in samples if s.score is not None),
            unscored=sum(reasons.values()),
            unscored_reasons=reasons,
            comparability_key=key,
            samples=samples,
            **extra,
        )

    def subset(self, categories: tuple[str, ...]) -> Evidence:
        """Evidence restricted to samples of the given dataset categories."""
        if not categories:
            return self
        chosen = tuple(s for s in self.samples if s.category in categories)
        return Evidence._from_samples(
            self.suite,
            self.metric,
            chosen,
            self.comparability_key,
            task_version=self.task_version,
            dataset_digest=self.dataset_digest,
            log_file=self.log_file,
            sequential=self.sequential,
            scorer_error=self.scorer_error,
        )

    def scored_groups(self) -> tuple[str, ...] | None:
        """Group label per scored sample, or None when no sample names a group."""
        scored = [s for s in self.samples if s.score is not None]
        if not scored or all(s.group is None for s in scored):
            return None
        return tuple(s.group or f"{s.id}#{s.epoch}" for s in scored)

    @property
    def n(self) -> int:
        """Number of scored samples."""
        return len(self.scores)

    @property
    def unscored_share(self) -> float:
        """Share of all attempted samples that are unscored (0 when none were attempted)."""
        attempted = self.n + self.unscored
        return self.unscored / attempted if attempted else 0.0
