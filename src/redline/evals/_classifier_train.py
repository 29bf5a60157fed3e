"""Train the refusal classifier and write its artefact.

Usage: python -m redline.evals._classifier_train ../shared/data [--out PATH]
       python -m redline.evals._classifier_train ../shared/data --validation

`--validation` re-measures the shipped classifier on the held-out test split and
writes its confusion counts (numbers only) to `data/refusal_classifier_validation.json`,
which the suites use to correct their rates for classifier error.

L2-regularised logistic regression over hashed features, fitted with L-BFGS.
Each source's examples get equal total weight, so the large GPTFuzz set does
not drown out XSTest's over-refusal completions. The regularisation strength is
chosen on a validation split of the training prompts (never the test split).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, sparse

from redline.evals._classifier import (
    COMPLIED,
    OPENING_CHARS,
    REFUSED,
    UNSCORED,
    RefusalModel,
    classify_response,
    hashed,
    load_model,
)
from redline.evals._classifier_data import Labelled, is_test, load_labelled, split

BUCKETS = 2**17
_ARTEFACT = Path(__file__).parent / "data" / "refusal_classifier.json"
_VALIDATION = Path(__file__).parent / "data" / "refusal_classifier_validation.json"


def design(responses: list[str], buckets: int = BUCKETS) -> sparse.csr_matrix:
    """Stack hashed feature vectors into a sparse matrix."""
    rows, cols, values = [], [], []
    for row, response in enumerate(responses):
        for col, value in hashed(response, buckets).items():
            rows.append(row)
            cols.append(col)
            values.append(value)
    return sparse.csr_matrix(
        (values, (rows, cols)), shape=(len(responses), buckets), dtype=np.float64
    )


def source_weights(examples: list[Labelled]) -> NDArray[np.float64]:
    """Per-example weights giving each source the same total weight."""

    def base(e: Labelled) -> str:
        return e.source.split("#")[0]

    counts = Counter(base(e) for e in examples if "#" not in e.source)
    total = sum(counts.values()) / len(counts)
    return np.array(
        [
            total / counts[base(e)] * (AUGMENT_WEIGHT if "#" in e.source else 1.0)
            for e in examples
        ]
    )


AUGMENT_WEIGHT = 0.0
"""Weight of an opening-only copy relative to its full example. Off: at 0.25 it
cost 1.3 points of test accuracy (0.899 vs 0.912) for a small gain on short
replies, since openings are noisy labels (a jailbroken reply may open like a
refusal)."""


def augmented(examples: list[Labelled]) -> list[Labelled]:
    """Each example plus its opening alone, labelled the same.

    Suites cap replies at a few dozen tokens while the labelled sets hold full
    replies; training on openings too keeps a short compliant reply from looking
    like a terse refusal.
    """
    if AUGMENT_WEIGHT <= 0:
        return examples
    cut = [
        Labelled(
            e.source + "#opening",
            e.prompt_key,
            e.prompt,
            e.response[:OPENING_CHARS],
            e.refused,
        )
        for e in examples
        if len(e.response) > OPENING_CHARS
    ]
    return examples + cut


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


def _accuracy(
    theta: NDArray[np.float64], x: sparse.csr_matrix, y: NDArray[np.float64]
) -> float:
    return float(np.mean(((x @ theta) >= 0) == (y == 1)))


def train(root: Path) -> RefusalModel:
    """Fit on the training split of the labelled data under `root`."""
    train_set = augmented(split(load_labelled(root))[0])
    # Validation prompts: a second fixed hash split inside the training prompts.
    inner = [e for e in train_set if not is_test(_rekey(e))]
    valid = [e for e in train_set if is_test(_rekey(e))]
    best_l2, best_acc = 1.0, -1.0
    for l2 in (0.3, 1.0, 3.0):
        theta = fit(
            design([e.response for e in inner]),
            np.array([float(e.refused) for e in inner]),
            source_weights(inner),
            l2,
        )
        acc = _accuracy(
            theta,
            design([e.response for e in valid]),
            np.array([float(e.refused) for e in valid]),
        )
        if acc > best_acc:
            best_l2, best_acc = l2, acc
    theta = fit(
        design([e.response for e in train_set]),
        np.array([float(e.refused) for e in train_set]),
        source_weights(train_set),
        best_l2,
    )
    meta = {
        "trained_on": sorted({e.source.split("#")[0] for e in train_set}),
        "train_examples": len(train_set),
        "split": "sha256(source:prompt) % 100 < 25 is test",
        "l2": best_l2,
        "validation_accuracy": round(best_acc, 4),
    }
    return RefusalModel(theta, meta)


def _rekey(example: Labelled) -> Labelled:
    return Labelled(
        example.source, "valid:" + example.prompt_key, "", "", example.refused
    )


def validation_counts(root: Path) -> dict[str, object]:
    """The shipped classifier's confusion counts on the held-out test split.

    "Positive" is refused (the gold label refused, incl. partial refusal). Replies
    the classifier leaves unscored are not in the counts; their number is kept.
    """
    _, test = split(load_labelled(root))
    model = load_model()
    labels = [classify_response(e.response, model) for e in test]
    scored = [(e.refused, lab) for e, lab in zip(test, labels, strict=True)]
    return {
        "format": "redline-scorer-validation/1",
        "scorer": "refusal_classifier",
        "positive_label": "refused",
        "split": "held-out test split: sha256(source:prompt) % 100 < 25",
        "sources": sorted({e.source for e in test}),
        "positives": sum(1 for gold, lab in scored if gold and lab != UNSCORED),
        "true_positives": sum(1 for gold, lab in scored if gold and lab == REFUSED),
        "negatives": sum(1 for gold, lab in scored if not gold and lab != UNSCORED),
        "true_negatives": sum(
            1 for gold, lab in scored if not gold and lab == COMPLIED
        ),
        "unscored": sum(1 for _, lab in scored if lab == UNSCORED),
    }


def main() -> None:
    """Train and write the artefact, or measure it on the test split."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--validation",
        action="store_true",
        help="measure the shipped classifier on the test split instead of training",
    )
    args = parser.parse_args()
    if args.validation:
        counts = validation_counts(args.data)
        out = args.out or _VALIDATION
        out.write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
        return
    args.out = args.out or _ARTEFACT
    model = train(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json()) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
