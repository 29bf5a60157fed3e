"""The incident database's domain code: model, importers, de-duplication, classification, trends.

Pure library code: no HTTP, no database. The registry service (`redline.registry`)
stores and serves what this package models and computes.
"""

from redline.incidents._aiid import (
    CLASSIFICATION_COLUMNS,
    INCIDENT_COLUMNS,
    AiidSnapshot,
    read_aiid_snapshot,
)
from redline.incidents._classifier import (
    LabelledIncident,
    MitRiskModel,
    RiskDomainPrediction,
    automatic_classification,
    classify_risk_domain,
    heldout_split,
    load_mit_model,
    mit_labelled,
)
from redline.incidents._model import (
    AttributeValue,
    Classification,
    ClassificationSource,
    EntitySlug,
    FacetName,
    HarmType,
    IncidentKind,
    IncidentRecord,
    InputOutput,
    RowProblem,
    Severity,
    SourceReport,
    facets,
)
from redline.incidents._regression import regression_samples, write_regression_suite
from redline.incidents._similarity import DuplicateIndex, Suggestion, incident_text
from redline.incidents._taxonomy import (
    CSET_SECTORS,
    MIT_DOMAINS,
    MIT_SUBDOMAINS,
    REDLINE_DOMAINS,
    cset_harm_types,
    cset_sectors,
    cset_severity,
    mit_domain_name,
    mit_subdomain_name,
    redline_domains,
)
from redline.incidents._trends import (
    NO_GROUP,
    OTHER_GROUP,
    TrendTable,
    count_trends,
    partial_periods,
    write_trend_chart,
)

__all__ = [
    "CLASSIFICATION_COLUMNS",
    "CSET_SECTORS",
    "INCIDENT_COLUMNS",
    "MIT_DOMAINS",
    "MIT_SUBDOMAINS",
    "NO_GROUP",
    "OTHER_GROUP",
    "REDLINE_DOMAINS",
    "AiidSnapshot",
    "AttributeValue",
    "Classification",
    "ClassificationSource",
    "EntitySlug",
    "DuplicateIndex",
    "FacetName",
    "HarmType",
    "IncidentKind",
    "IncidentRecord",
    "InputOutput",
    "LabelledIncident",
    "MitRiskModel",
    "RiskDomainPrediction",
    "RowProblem",
    "Severity",
    "SourceReport",
    "Suggestion",
    "TrendTable",
    "automatic_classification",
    "classify_risk_domain",
    "count_trends",
    "cset_harm_types",
    "cset_sectors",
    "cset_severity",
    "facets",
    "heldout_split",
    "incident_text",
    "load_mit_model",
    "mit_domain_name",
    "mit_labelled",
    "mit_subdomain_name",
    "read_aiid_snapshot",
    "redline_domains",
    "regression_samples",
    "write_regression_suite",
    "partial_periods",
    "write_trend_chart",
]
