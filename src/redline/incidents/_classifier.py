"""Automatic MIT risk-domain classification of an incident from its title and description.

A multinomial logistic regression over hashed features (content words, word
bigrams and character 4-grams of the title and description), offline on CPU.
The weights ship as `data/mit_classifier.json`, trained by
`redline.incidents._classifier_train` on the labelled AIID incidents outside a
fixed held-out split (`heldout_split`); the artefact holds numbers only, no text.
A second model of the same kind proposes the subdomain, which is reported only
when it belongs to the predicted domain and is probable enough.

Feature choice, by cross-validation inside the training split (accuracy /
macro-F1): all four kinds 0.746 / 0.627; without character 4-grams 0.713 /
0.573; without bigrams 0.743 / 0.626; adding character 5-grams 0.740 / 0.608.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import zlib
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from redline.incidents._model import (
    Classification,
    ClassificationSource,
    IncidentRecord,
)
from redline.incidents._taxonomy import MIT_DOMAINS, redline_domains
from redline.incidents._text import content_words

_ARTEFACT = ("redline.incidents", "data/mit_classifier.json")
FORMAT = "redline-mit-risk-logreg-q8/1"

SPLIT_SEED = 20240607
"""Seed of the held-out split; changing it changes which incidents the shipped model saw."""
HELDOUT_FRACTION = 0.2
"""Share of each MIT domain's labelled incidents held out from training."""
SUBDOMAIN_MIN_PROBABILITY = 0.5
"""A subdomain is reported only when the subdomain model gives it at least this
probability among the predicted domain's subdomains; otherwise None."""


class LabelledIncident(BaseModel):
    """An incident with its imported MIT label: one training or evaluation example."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    title: str
    description: str
    mit_domain: str
    mit_subdomain: str | None


class RiskDomainPrediction(BaseModel):
    """The classifier's MIT risk domain for an incident, and what it maps to in Redline."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )

    mit_domain: str
    """Predicted MIT domain, e.g. `4. Malicious Actors & Misuse`."""
    mit_subdomain: str | None
    """Predicted subdomain within that domain, or None when not probable enough."""
    confidence: float = Field(ge=0.0, le=1.0)
    """The model's probability of `mit_domain`."""
    redline_domains: tuple[str, ...]
    """Redline risk domains of the prediction (`redline_domains`)."""
    probabilities: dict[str, float]
    """Probability of every MIT domain."""


def mit_labelled(records: Sequence[IncidentRecord]) -> list[LabelledIncident]:
    """The records that carry a published MIT classification (imported or an editor's) with a domain.

    Args:
        records: Incident records, e.g. from `read_aiid_snapshot`.

    Returns:
        One example per labelled record, keyed `<source>:<external id>`, in input order.
    """
    out: list[LabelledIncident] = []
    for record in records:
        # An editor's label outranks the imported one; an automatic one is no label.
        mit = record.classification("MIT")
        if mit is not None and (
            mit.source == ClassificationSource.AUTOMATIC or not mit.published
        ):
            mit = None
        domain = mit.attributes.get("Risk Domain") if mit else None
        if mit is None or not isinstance(domain, str) or domain not in MIT_DOMAINS:
            continue
        subdomain = mit.attributes.get("Risk Subdomain")
        out.append(
            LabelledIncident(
                key=f"{record.source}:{record.external_id or record.title}",
                title=record.title,
                description=record.description,
                mit_domain=domain,
                mit_subdomain=subdomain if isinstance(subdomain, str) else None,
            )
        )
    return out


def heldout_split(
    examples: Sequence[LabelledIncident],
    *,
    seed: int = SPLIT_SEED,
    fraction: float = HELDOUT_FRACTION,
) -> tuple[list[LabelledIncident], list[LabelledIncident]]:
    """Split labelled incidents into (train, held out), stratified by MIT domain.

    Within each domain the examples are ordered by sha256(seed:key) and the first
    `round(fraction * n)` (at least one when the domain has two or more) are held
    out. The order depends on the keys, not on input order, so the same incidents
    are held out however the snapshot is read, and an incident added later does
    not move the others across the split.

    Args:
        examples: Labelled incidents (`mit_labelled`).
        seed: Split seed; the shipped model was trained with `SPLIT_SEED`.
        fraction: Share held out per domain.

    Returns:
        (train, held out), each in input order.
    """
    by_domain: dict[str, list[LabelledIncident]] = {}
    for example in examples:
        by_domain.setdefault(example.mit_domain, []).append(example)
    held: set[str] = set()
    for group in by_domain.values():
        ordered = sorted(
            group,
            key=lambda e: hashlib.sha256(f"{seed}:{e.key}".encode()).hexdigest(),
        )
        count = round(fraction * len(ordered))
        if len(ordered) >= 2:
            count = max(count, 1)
        held.update(e.key for e in ordered[:count])
    return (
        [e for e in examples if e.key not in held],
        [e for e in examples if e.key in held],
    )


# --- features -------------------------------------------------------------------------


def features(title: str, description: str) -> list[str]:
    """Feature strings of an incident: title words apart, then words, bigrams, 4-grams.

    Title words get their own features as well because a title names the event
    in a few chosen words ("deepfake", "scam"), while the description dilutes them.
    """
    title_words = content_words(title)
    words = content_words(f"{title}. {description}")
    out = ["bias"]
    out.extend("t:" + w for w in title_words)
    out.extend("w:" + w for w in words)
    out.extend(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    for word in set(words):
        padded = f" {word} "
        out.extend("c:" + padded[i : i + 4] for i in range(len(padded) - 3))
    return out


def hashed(title: str, description: str, buckets: int) -> dict[int, float]:
    """Hash an incident's features into buckets: log-damped counts, L2-normalised.

    Args:
        title: Incident title.
        description: Incident description.
        buckets: Size of the hashed feature space (a power of two).

    Returns:
        Sparse vector as {bucket: value}.
    """
    counts: dict[int, float] = {}
    mask = buckets - 1
    for feature in features(title, description):
        # crc32 is stable across processes; Python's hash() is salted per process.
        index = zlib.crc32(feature.encode("utf-8")) & mask
        counts[index] = counts.get(index, 0.0) + 1.0
    values = {i: 1.0 + math.log(c) for i, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    return {i: v / norm for i, v in values.items()}


def _softmax(z: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    result: NDArray[np.float64] = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


def _pack(weights: NDArray[np.float64]) -> dict[str, Any]:
    """Quantise to int8 with one scale per class, zlib, base64.

    Float32 weights made a 2.3 MB artefact; int8 makes it 0.3 MB and changed no
    prediction on the labelled incidents.
    """
    peak = np.abs(weights).max(axis=0)
    # Scales rounded to 9 digits: the fit differs between runs in the last bits
    # (threaded BLAS), and rounding keeps a retrained artefact byte-identical.
    scales = np.array(
        [float(f"{x:.9g}") for x in np.where(peak > 0, peak / 127.0, 1.0)]
    )
    quantised = np.round(weights / scales).astype(np.int8)
    raw = zlib.compress(quantised.tobytes(), 9)
    return {
        "scales": [float(x) for x in scales],
        "q8_zlib_b64": base64.b64encode(raw).decode("ascii"),
    }


def _unpack(packed: dict[str, Any], shape: tuple[int, int]) -> NDArray[np.float64]:
    raw = zlib.decompress(base64.b64decode(packed["q8_zlib_b64"]))
    quantised = np.frombuffer(raw, dtype=np.int8).astype(np.float64)
    scales = np.asarray(packed["scales"], dtype=np.float64)
    if quantised.size != shape[0] * shape[1] or scales.shape != (shape[1],):
        raise ValueError("MIT classifier artefact: weight count mismatch")
    result: NDArray[np.float64] = quantised.reshape(shape) * scales
    return result


class MitRiskModel:
    """Weights of the trained domain and subdomain classifiers."""

    def __init__(
        self,
        buckets: int,
        domains: list[str],
        domain_weights: NDArray[np.float64],
        subdomains: list[str],
        subdomain_weights: NDArray[np.float64],
        meta: dict[str, Any],
    ) -> None:
        """Wrap trained weights.

        Args:
            buckets: Size of the hashed feature space.
            domains: Class labels of the domain model, in weight-column order.
            domain_weights: (buckets, len(domains)) weights.
            subdomains: Class labels of the subdomain model.
            subdomain_weights: (buckets, len(subdomains)) weights.
            meta: Training provenance (data, licence, split, figures).
        """
        self.buckets = buckets
        self.domains = domains
        self.domain_weights = domain_weights
        self.subdomains = subdomains
        self.subdomain_weights = subdomain_weights
        self.meta = meta

    @staticmethod
    def _scores(
        vector: dict[int, float], weights: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        if not vector:
            return np.zeros(weights.shape[1])
        index = np.fromiter(vector.keys(), dtype=np.int64)
        values = np.fromiter(vector.values(), dtype=np.float64)
        result: NDArray[np.float64] = values @ weights[index]
        return result

    def predict(self, title: str, description: str) -> RiskDomainPrediction:
        """The most probable MIT domain (and, when probable, subdomain) of an incident.

        Args:
            title: Incident title.
            description: What happened.

        Returns:
            The prediction with its probability and Redline domains.
        """
        vector = hashed(title, description, self.buckets)
        probabilities = _softmax(self._scores(vector, self.domain_weights))
        best = int(np.argmax(probabilities))
        domain = self.domains[best]
        number = domain.split(".")[0] + "."
        sub_probabilities = _softmax(self._scores(vector, self.subdomain_weights))
        inside = [i for i, s in enumerate(self.subdomains) if s.startswith(number)]
        subdomain: str | None = None
        if inside:
            mass = float(sub_probabilities[inside].sum())
            top = max(inside, key=lambda i: sub_probabilities[i])
            if mass > 0 and sub_probabilities[top] / mass >= SUBDOMAIN_MIN_PROBABILITY:
                subdomain = self.subdomains[top]
        return RiskDomainPrediction(
            mit_domain=domain,
            mit_subdomain=subdomain,
            confidence=round(float(probabilities[best]), 6),
            redline_domains=redline_domains(domain, subdomain),
            probabilities={
                d: round(float(p), 6)
                for d, p in zip(self.domains, probabilities, strict=True)
            },
        )

    def to_json(self) -> dict[str, Any]:
        """The portable artefact: int8-quantised weights (zlib, base64), labels and meta."""
        return {
            "format": FORMAT,
            "buckets": self.buckets,
            "domains": self.domains,
            "domain_weights": _pack(self.domain_weights),
            "subdomains": self.subdomains,
            "subdomain_weights": _pack(self.subdomain_weights),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MitRiskModel:
        """Rebuild a model from `to_json` output."""
        if data.get("format") != FORMAT:
            raise ValueError(
                f"MIT classifier artefact: format {data.get('format')!r}, expected {FORMAT!r}"
            )
        buckets = int(data["buckets"])
        domains = list(data["domains"])
        subdomains = list(data["subdomains"])
        return cls(
            buckets,
            domains,
            _unpack(data["domain_weights"], (buckets, len(domains))),
            subdomains,
            _unpack(data["subdomain_weights"], (buckets, len(subdomains))),
            dict(data.get("meta", {})),
        )


@lru_cache(maxsize=1)
def load_mit_model() -> MitRiskModel:
    """The shipped classifier, loaded once per process."""
    package, path = _ARTEFACT
    text = files(package).joinpath(path).read_text(encoding="utf-8")
    return MitRiskModel.from_json(json.loads(text))


def classify_risk_domain(
    title: str, description: str = "", *, model: MitRiskModel | None = None
) -> RiskDomainPrediction:
    """Predict an incident's MIT risk domain (and subdomain) from its title and description.

    Offline on CPU, about a millisecond per incident. The shipped model was
    trained on AIID incidents (CC BY-SA 4.0) outside the held-out split; see
    `bench/incidents.py` for its held-out accuracy and macro-F1.

    Args:
        title: Incident title.
        description: What happened; may be empty.
        model: Classifier to use; the shipped one by default.

    Returns:
        The predicted domain, subdomain (or None), probability and Redline domains.
    """
    return (model or load_mit_model()).predict(title, description)


def automatic_classification(
    title: str, description: str = "", *, model: MitRiskModel | None = None
) -> Classification:
    """The classifier's prediction as an automatic MIT `Classification`.

    It carries `source=automatic` and the domain's probability as confidence, so
    imported and editor classifications take precedence over it
    (`IncidentRecord.classification`).

    Args:
        title: Incident title.
        description: What happened; may be empty.
        model: Classifier to use; the shipped one by default.

    Returns:
        A `Classification` in namespace `MIT` with `Risk Domain` and, when
        predicted, `Risk Subdomain`.
    """
    prediction = classify_risk_domain(title, description, model=model)
    attributes: dict[str, str | int | float | bool | list[str] | None] = {
        "Risk Domain": prediction.mit_domain
    }
    if prediction.mit_subdomain is not None:
        attributes["Risk Subdomain"] = prediction.mit_subdomain
    return Classification(
        namespace="MIT",
        attributes=attributes,
        published=False,
        source=ClassificationSource.AUTOMATIC,
        confidence=prediction.confidence,
    )
