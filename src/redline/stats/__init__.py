"""Estimators, intervals, tests and multiplicity control: pure functions on arrays."""

from redline.stats._agreement import (
    AlphaLevel,
    independent_difference,
    krippendorff_alpha,
    paired_difference,
)
from redline.stats._classification import (
    CLUSTER_BOOTSTRAP,
    CLUSTER_BOOTSTRAP_OR_WILSON,
    ClassificationFigures,
    classification_figures,
)
from redline.stats._clustered import cluster_standard_error
from redline.stats._comparison import (
    PairedComparison,
    bootstrap_interval,
    mcnemar,
    paired_bootstrap,
)
from redline.stats._intervals import (
    Interval,
    exact_interval,
    mean_interval,
    wilson_interval,
)
from redline.stats._misclassification import (
    CORRECTED_METHOD,
    ClassifierError,
    CorrectedTest,
    ErrorBounds,
    corrected_interval,
    corrected_test,
    error_bounds,
    rogan_gladen,
)
from redline.stats._multiplicity import Correction, adjust, benjamini_hochberg, holm
from redline.stats._proportion_tests import (
    IntervalMethod,
    MeanTest,
    clustered_interval,
    mean_test,
)
from redline.stats._sequential import BettingTest, betting_capital, confidence_sequence

__all__ = [
    "CLUSTER_BOOTSTRAP",
    "CLUSTER_BOOTSTRAP_OR_WILSON",
    "ClassificationFigures",
    "classification_figures",
    "CORRECTED_METHOD",
    "BettingTest",
    "ClassifierError",
    "CorrectedTest",
    "ErrorBounds",
    "AlphaLevel",
    "Correction",
    "Interval",
    "IntervalMethod",
    "MeanTest",
    "PairedComparison",
    "adjust",
    "benjamini_hochberg",
    "betting_capital",
    "bootstrap_interval",
    "cluster_standard_error",
    "clustered_interval",
    "confidence_sequence",
    "corrected_interval",
    "corrected_test",
    "error_bounds",
    "exact_interval",
    "holm",
    "independent_difference",
    "krippendorff_alpha",
    "mcnemar",
    "mean_interval",
    "mean_test",
    "paired_bootstrap",
    "paired_difference",
    "rogan_gladen",
    "wilson_interval",
]
