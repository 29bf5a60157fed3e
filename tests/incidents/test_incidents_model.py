"""The incident record's published contract is exactly what it accepts."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from redline.incidents import IncidentRecord
from redline.registry._incidents_api import IncidentProposal

# The stored record and the registry's submission body both carry entity names.
ENTITY_MODELS = [IncidentRecord, IncidentProposal]


def _record(**fields: object) -> IncidentRecord:
    return IncidentRecord.model_validate(
        {"title": "A title", "date": "2024-05-01", **fields}
    )


@pytest.mark.parametrize("model", ENTITY_MODELS)
def test_entity_names_are_stripped_of_surrounding_ascii_space(
    model: type[IncidentRecord | IncidentProposal],
) -> None:
    record = model.model_validate(
        {
            "title": "A title",
            "date": "2024-05-01",
            "developers": [" openai\n"],
            "deployers": ["\tacme corp "],
        }
    )
    assert record.developers == ("openai",)
    assert record.deployers == ("acme corp",)


@pytest.mark.parametrize("model", ENTITY_MODELS)
@pytest.mark.parametrize("blank", ["\n", " ", "\t\r\n", "\f\v"])
def test_a_blank_entity_name_is_refused_by_the_published_pattern(
    model: type[IncidentRecord | IncidentProposal], blank: str
) -> None:
    # The JSON Schema pattern decides: what it allows is accepted, what it refuses
    # is refused; schemathesis found a name the schema allowed refused after stripping.
    items = model.model_json_schema()["properties"]["developers"]["items"]
    assert re.search(items["pattern"], blank) is None
    with pytest.raises(ValidationError, match="developers.0"):
        model.model_validate(
            {"title": "A title", "date": "2024-05-01", "developers": [blank]}
        )


def test_equal_content_gives_equal_digests_and_any_change_a_new_one() -> None:
    first = _record(developers=["openai"], risk_domains=["honesty"])
    again = _record(developers=[" openai "], risk_domains=["honesty"])
    changed = _record(developers=["openai"], risk_domains=["societal_harms"])
    assert first.content_digest() == again.content_digest()
    assert first.content_digest() != changed.content_digest()
    assert first.content_digest().startswith("sha256:")
