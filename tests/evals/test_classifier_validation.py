"""The refusal classifier's shipped validation counts are what its test split gives."""

from __future__ import annotations

import pytest

from helpers.ci import SHARED_DATA
from redline.evals._classifier import validation_counts
from redline.evals._classifier_train import validation_counts as measure
from redline.stats import ClassifierError


def test_the_shipped_counts_form_a_usable_error_model() -> None:
    counts = validation_counts()
    error = ClassifierError(
        counts["true_positives"],
        counts["positives"],
        counts["true_negatives"],
        counts["negatives"],
    )
    assert counts["positive_label"] == "refused"
    assert 0.5 < error.sensitivity < 1.0
    assert 0.5 < error.specificity < 1.0


@pytest.mark.requires_shared("xstest")
def test_the_shipped_counts_match_the_held_out_split() -> None:
    assert measure(SHARED_DATA) == validation_counts()
