"""Train the two instruments and measure them once on their test split.

Usage:
    python -m redline.evals._classifier_train ../shared/data           # train
    python -m redline.evals._classifier_train ../shared/data --measure # test, once

Training reads only the train and dev splits (`_classifier_data.SPLIT_RULE`):
the regularisation strength is chosen on dev, the dev figures are recorded in
the artefact, and the shipped head is refitted on train + dev. `--measure`
reads the test split with the shipped weights and writes the counts and
figures per question and context to `data/scorer_validation.json` (numbers
only), which the suites use to correct their rates. Nothing in the test split
informs any choice.

Weighted L2 logistic regression over hashed features, fitted with L-BFGS; each
source gets the same total weight, so the large GPTFuzz set does not drown out
the JailbreakBench judge set.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, sparse

from redline.evals._classifier import (
    INSTRUMENTS,
    LinearTextModel,
    load_model,
)
from redline.evals._classifier_data import (
    SPLIT_RULE,
    Labelled,
    load_labelled,
    split,
)
from redline.evals._classifier_features import FeatureSet, hashed
from redline.evals._scorer_validation import (
    ValidationEntry,
    ValidationFile,
    measure,
)

BUCKETS = 2**18
L2_GRID = (0.3, 1.0, 3.0, 10.0)
_DATA = Path(__file__).parent / "data"


def design(examples: list[Labelled], kind: FeatureSet) -> sparse.csr_matrix:
    """Stack hashed feature vectors into a sparse matrix."""
    rows, cols, values = [], [], []
    for row, e in enumerate(examples):
        for col, value in hashed(e.prompt, e.response, kind, BUCKETS).items():
            rows.append(row)
            cols.append(col)
            values.append(value)
    return sparse.csr_matrix(
        (values, (rows, cols)), shape=(len(examples), BUCKETS), dtype=np.float64
    )


def source_weights(examples: list[Labelled]) -> NDArray[np.float64]:
    """Per-example weights giving each source the same total weight."""
    counts = Counter(e.source for e in examples)
    share = len(examples) / len(counts)
    return np.array([share / counts[e.source] for e in examples])


def fit(
    x: sparse.csr_matrix, y: NDArray[np.float64], w: NDArray[np.float64], l2: float
) -> NDArray[np.float64]:
    """Weighted L2 logistic regression; returns one weight per column."""

    def loss(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        z = x @ theta
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        nll = np.sum(w * (np.logaddexp(0.0, z) - y * z))
        grad = x.T @ (w * (p - y))
        return float(nll + 0.5 * l2 * theta @ theta), grad + l2 * theta

    result = optimize.minimize(
        loss,
        np.zeros(x.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 500},
    )
    return np.asarray(result.x)


def _labels(examples: list[Labelled]) -> NDArray[np.float64]:
    return np.array([float(e.positive) for e in examples])


def train(root: Path, name: str) -> LinearTextModel:
    """Choose the regularisation on dev, then fit on train + dev."""
    kind = INSTRUMENTS[name]
    parts = split(load_labelled(root, kind))
    train_set, dev = parts["train"], parts["dev"]
    x_train, x_dev = design(train_set, kind), design(dev, kind)
    dev_figures: dict[str, dict[str, float]] = {}
    for l2 in L2_GRID:
        theta = fit(x_train, _labels(train_set), source_weights(train_set), l2)
        right = ((x_dev @ theta) >= 0) == (_labels(dev) == 1)
        per_source = {
            source: round(
                float(
                    np.mean(
                        [
                            r
                            for r, e in zip(right, dev, strict=True)
                            if e.source == source
                        ]
                    )
                ),
                4,
            )
            for source in sorted({e.source for e in dev})
        }
        dev_figures[str(l2)] = {"all": round(float(np.mean(right)), 4), **per_source}
    # Ties go to the stronger regularisation: the simpler model.
    best = max(L2_GRID, key=lambda l2: (dev_figures[str(l2)]["all"], l2))
    final = train_set + dev
    theta = fit(design(final, kind), _labels(final), source_weights(final), best)
    meta = {
        "question": kind,
        "trained_on": sorted({e.source for e in final}),
        "split": SPLIT_RULE,
        "examples": {part: len(items) for part, items in parts.items()},
        "l2": best,
        "dev_accuracy_by_l2": dev_figures,
        "fitted_on": "train + dev (test never read in training)",
    }
    return LinearTextModel(theta, kind, meta)


def _context_of(example: Labelled) -> str:
    return example.context


def _source_of(example: Labelled) -> str:
    return example.source


def measure_test(root: Path) -> ValidationFile:
    """The shipped instruments' figures on their test split, per context and source."""
    entries: list[ValidationEntry] = []
    by_source: list[ValidationEntry] = []
    for name, kind in INSTRUMENTS.items():
        model = load_model(name)
        test = split(load_labelled(root, kind))["test"]
        labels = [model.classify(e.prompt, e.response).label for e in test]
        groupings: list[
            tuple[Callable[[Labelled], str], list[ValidationEntry], str]
        ] = [
            (_context_of, entries, "context"),
            (_source_of, by_source, "source"),
        ]
        for group, into, key in groupings:
            for value in sorted({group(e) for e in test}):
                chosen = [i for i, e in enumerate(test) if group(e) == value]
                into.append(
                    measure(
                        name,
                        kind,
                        test[chosen[0]].context if key == "source" else value,
                        [test[i].positive for i in chosen],
                        [labels[i] for i in chosen],
                        [f"{test[i].source}:{test[i].prompt_key}" for i in chosen],
                        sources=[test[i].source for i in chosen],
                        split=f"held-out test split ({SPLIT_RULE})",
                    )
                )
    return ValidationFile(entries=entries, by_source=by_source)


def main() -> None:
    """Train and write the artefacts, or measure them on the test split."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument(
        "--measure",
        action="store_true",
        help="measure the shipped instruments on the test split instead of training",
    )
    args = parser.parse_args()
    if args.measure:
        result = measure_test(args.data)
        path = _DATA / "scorer_validation.json"
        path.write_text(result.model_dump_json(indent=1) + "\n", encoding="utf-8")
        return
    for name in INSTRUMENTS:
        model = train(args.data, name)
        text = json.dumps(model.to_json()) + "\n"
        (_DATA / f"{name}.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
