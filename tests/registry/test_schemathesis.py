"""Property-based requests generated from the service's own OpenAPI spec: no 5xx, and
every answer matches the spec."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from _registry_world import World, make_world
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

EXAMPLES = 6
# Operations that check more than a schema can say (signatures, references to other
# institutes and reports): schema-valid bodies may rightly get a 4xx there.
SEMANTIC = {
    ("POST", "/v1/reports"),
    ("POST", "/v1/keys"),  # proof of possession: a signature no schema describes
    ("PUT", "/v1/reports/{report_id}/sharing"),
    ("POST", "/v1/exercises"),
    ("POST", "/v1/exercises/{exercise_id}/submissions"),
    ("POST", "/v1/incidents/import"),
    ("PUT", "/v1/incidents/{incident_id}/classifications/{namespace}"),
    ("POST", "/v1/incidents/submissions/{submission_id}/attach"),
    ("POST", "/v1/incidents/submissions/{submission_id}/open"),
    # Tree sizes and indices must lie within the log, and first <= second.
    ("GET", "/v1/log/sth"),
    ("GET", "/v1/log/proof"),
    ("GET", "/v1/log/consistency"),
    ("POST", "/v1/plans"),  # a signature over the plan, by a registered key
}


@pytest.fixture(scope="module")
def st_world(tmp_path_factory: pytest.TempPathFactory, golden) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('st') / 'registry.db'}"
    with make_world(url) as world:
        world.publish("aisi-a", golden, "network")
        yield world


@pytest.fixture
def registry_schema(st_world: World) -> schemathesis.BaseSchema:
    # The coverage phase enumerates boundary values of every nested report field,
    # minutes on this schema; generated (fuzzing) cases are the part kept here.
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    # Over the live server's socket, as clients reach it.
    return schemathesis.openapi.from_url(f"{st_world.url}/openapi.json", config=config)


schema = schemathesis.pytest.from_fixture("registry_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    # CI must not fail on an example it never saw before; bench/registry_fuzz.py is
    # where fresh random examples are explored at length.
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)
def test_api_has_no_server_errors(case: schemathesis.Case, st_world: World) -> None:
    token = st_world.tokens["aisi-b"]
    excluded = []
    if (case.method.upper(), case.path) in SEMANTIC:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded
    )
