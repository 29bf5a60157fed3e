"""How well a binary labeller agrees with gold labels, with cluster-bootstrap intervals.

Validation items come in clusters (several models' replies to one prompt, many
jailbreak templates around one question), so items are not independent. The
intervals resample whole clusters, which keeps them honest when a cluster's
items tend to be right or wrong together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from redline.stats._intervals import Interval, wilson_interval

CLUSTER_BOOTSTRAP = "cluster bootstrap (percentile)"
"""Interval method of macro-F1 and kappa in `ClassificationFigures`."""
CLUSTER_BOOTSTRAP_OR_WILSON = "cluster bootstrap (percentile) widened to Wilson"
"""Interval method of accuracy, sensitivity and specificity."""


@dataclass(frozen=True)
class ClassificationFigures:
    """Agreement of predicted with gold binary labels; each figure with its interval."""

    true_positives: int
    positives: int
    true_negatives: int
    negatives: int
    accuracy: Interval
    sensitivity: Interval
    specificity: Interval
    macro_f1: Interval
    kappa: Interval
    """Cohen's kappa: agreement beyond what the two label rates give by chance."""


def _confusion(gold: NDArray[np.bool_], pred: NDArray[np.bool_]) -> NDArray[np.float64]:
    """tp, fn, fp, tn per bootstrap row (arrays are rows x items, weights as counts)."""
    return np.stack(
        [
            (gold & pred).sum(axis=-1),
            (gold & ~pred).sum(axis=-1),
            (~gold & pred).sum(axis=-1),
            (~gold & ~pred).sum(axis=-1),
        ]
    ).astype(float)


def _figures(counts: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    tp, fn, fp, tn = counts
    n = tp + fn + fp + tn
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = (tp + tn) / n
        f1_pos = np.where(tp > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
        f1_neg = np.where(tn > 0, 2 * tn / (2 * tn + fn + fp), 0.0)
        chance = ((tp + fn) * (tp + fp) + (tn + fp) * (tn + fn)) / (n * n)
        kappa = np.where(chance < 1, (accuracy - chance) / (1 - chance), 1.0)
        return {
            "accuracy": accuracy,
            "sensitivity": tp / (tp + fn),
            "specificity": tn / (tn + fp),
            "macro_f1": (f1_pos + f1_neg) / 2,
            "kappa": kappa,
        }


def classification_figures(
    gold: Sequence[bool],
    predicted: Sequence[bool],
    clusters: Sequence[str] | None = None,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> ClassificationFigures:
    """Accuracy, sensitivity, specificity, macro-F1 and Cohen's kappa with intervals.

    Args:
        gold: True labels (True is the positive label).
        predicted: The labeller's labels, aligned with `gold`.
        clusters: Cluster of each item (e.g. its prompt); each item its own when None.
        confidence: Two-sided confidence level of the intervals.
        resamples: Bootstrap resamples.
        seed: Seed of the resampling, so figures are reproducible.

    Returns:
        The confusion counts and each figure with its percentile interval over
        resampled clusters. A figure undefined on the data (no positives for
        sensitivity) is NaN with the interval [0, 1].

    Raises:
        ValueError: The sequences differ in length or are empty.
    """
    if len(gold) != len(predicted) or (
        clusters is not None and len(clusters) != len(gold)
    ):
        raise ValueError("gold, predicted and clusters must have the same length")
    if not gold:
        raise ValueError("no labelled items to measure")
    g = np.asarray(gold, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    names = list(clusters) if clusters is not None else [str(i) for i in range(len(g))]
    index = {name: i for i, name in enumerate(dict.fromkeys(names))}
    member = np.array([index[name] for name in names])
    # Resampling clusters with replacement is the same as weighting each item by
    # how often its cluster was drawn, which keeps every resample a matrix product.
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(index), size=(resamples, len(index)))
    weights = np.zeros((resamples, len(index)))
    np.add.at(weights, (np.arange(resamples)[:, None], draws), 1.0)
    item_weights = weights[:, member]
    cells = np.stack([g & p, g & ~p, ~g & p, ~g & ~p]).astype(float)
    boot = _figures(np.einsum("ri,ci->cr", item_weights, cells))
    point = _figures(_confusion(g, p))
    alpha = 1 - confidence

    tp, fn, fp, tn = (int(x) for x in _confusion(g, p))
    # A percentile bootstrap collapses to a point when every resample agrees (all
    # right on few prompts); the proportions take the wider of it and the Wilson
    # interval of their item counts, so no figure claims certainty it lacks.
    proportions = {
        "accuracy": (tp + tn, len(g)),
        "sensitivity": (tp, tp + fn),
        "specificity": (tn, tn + fp),
    }

    def interval(name: str) -> Interval:
        estimate = float(point[name])
        finite = boot[name][np.isfinite(boot[name])]
        method = (
            CLUSTER_BOOTSTRAP_OR_WILSON if name in proportions else CLUSTER_BOOTSTRAP
        )
        if math.isnan(estimate) or finite.size == 0:
            return Interval(math.nan, 0.0, 1.0, len(g), confidence, method)
        lower, upper = (
            float(x) for x in np.quantile(finite, [alpha / 2, 1 - alpha / 2])
        )
        if name in proportions:
            wilson = wilson_interval(*proportions[name], confidence=confidence)
            lower, upper = min(lower, wilson.lower), max(upper, wilson.upper)
        return Interval(
            estimate,
            min(lower, estimate),
            max(upper, estimate),
            len(g),
            confidence,
            method,
        )

    return ClassificationFigures(
        true_positives=tp,
        positives=tp + fn,
        true_negatives=tn,
        negatives=tn + fp,
        accuracy=interval("accuracy"),
        sensitivity=interval("sensitivity"),
        specificity=interval("specificity"),
        macro_f1=interval("macro_f1"),
        kappa=interval("kappa"),
    )
