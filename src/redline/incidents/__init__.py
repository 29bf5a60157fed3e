"""The incident database's domain code: model, importers, de-duplication, classification, trends.

Pure library code: no HTTP, no database. The registry service (`redline.registry`)
stores and serves what this package models and computes.
"""

from redline.incidents._model import (
    AttributeValue,
    Classification,
    ClassificationSource,
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

__all__ = [
    "AttributeValue",
    "Classification",
    "ClassificationSource",
    "FacetName",
    "HarmType",
    "IncidentKind",
    "IncidentRecord",
    "InputOutput",
    "RowProblem",
    "Severity",
    "SourceReport",
    "facets",
]
