"""`POST /v1/plans` and `GET /v1/plans/{digest}` on a live registry, both databases;
and the whole path through a real `redline registry serve`: plan create, register,
assess --plan with the embedded model, report verify against the registry."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _registry_server import ServerProcess
from _registry_world import World

from helpers.plans import make_setup, run
from redline.plans import (
    FrameworkPin,
    Plan,
    PlannedTask,
    StoppingRule,
    plan_digest,
    sign_plan,
)
from redline.registry.server import Database, Settings, add_institute, register_key
from redline.reports import SigningKey, load_signing_key


def _envelope(key: SigningKey, seed: int = 1) -> dict:
    plan = Plan(
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        model="redline/local",
        framework=FrameworkPin(id="f", version="1", content_hash="sha256:aa"),
        tasks=(
            PlannedTask(
                suite="over_refusal",
                task="redline/over_refusal",
                task_version="3",
                dataset_digest="sha256:02",
            ),
        ),
        seed=seed,
        stopping=StoppingRule(
            sequential=True, confidence=0.95, multiplicity="holm", sequential_share=0.5
        ),
    )
    return sign_plan(plan, key).model_dump(mode="json")


def test_register_is_timestamped_once_and_read_by_the_network(world: World) -> None:
    envelope = _envelope(world.keys["aisi-a"])
    digest = plan_digest(envelope["plan"])
    with world.http("aisi-a") as http:
        first = http.post("/v1/plans", json={"envelope": envelope})
        assert first.status_code == 201, first.text
        assert first.json()["digest"] == digest
        again = http.post("/v1/plans", json={"envelope": envelope})
        assert again.status_code == 200
        # Registering again never moves the time later.
        assert again.json()["registered_at"] == first.json()["registered_at"]
    with world.client("aisi-b") as client:
        stored = client.plan(digest)
    assert stored.registration.institute == "aisi-a"
    assert stored.registration.registered_at.isoformat().startswith(
        first.json()["registered_at"][:19]
    )
    assert stored.envelope == json.loads(json.dumps(envelope))
    with world.http() as anonymous:
        hidden = anonymous.get(f"/v1/plans/{digest}")
    assert hidden.status_code == 404
    assert world.count("plans") == 1


def test_a_public_plan_is_read_without_a_token(world: World) -> None:
    envelope = _envelope(world.keys["aisi-a"], seed=2)
    with world.http("aisi-a") as http:
        assert (
            http.post(
                "/v1/plans", json={"envelope": envelope, "scope": "public"}
            ).status_code
            == 201
        )
    with world.client(None) as anonymous:
        stored = anonymous.plan(plan_digest(envelope["plan"]))
    assert stored.registration.scope == "public"


def test_refusals_are_4xx_and_store_nothing(world: World) -> None:
    a_key = world.keys["aisi-a"]
    with world.http("aisi-a") as http:
        # A key registered to another institute is not the caller's key.
        foreign = http.post(
            "/v1/plans", json={"envelope": _envelope(world.keys["aisi-b"])}
        )
        assert foreign.status_code == 422
        assert foreign.json()["error"]["code"] == "key_not_registered"
        unknown = http.post(
            "/v1/plans",
            json={"envelope": _envelope(SigningKey.from_seed(b"\x55" * 32))},
        )
        assert unknown.status_code == 422
        tampered = copy.deepcopy(_envelope(a_key))
        tampered["plan"]["seed"] = 99
        changed = http.post("/v1/plans", json={"envelope": tampered})
        assert changed.status_code == 422
        assert "changed after signing" in changed.json()["error"]["message"]
        malformed = http.post("/v1/plans", json={"envelope": {"kind": "redline-plan"}})
        assert malformed.status_code == 422
        bad_digest = http.get("/v1/plans/sha256:xyz")
        assert bad_digest.status_code == 404
    assert world.count("plans") == 0
    envelope = _envelope(a_key, seed=3)
    with world.http("aisi-a") as http:
        assert http.post("/v1/plans", json={"envelope": envelope}).status_code == 201
    with world.http("aisi-b") as http:
        taken = http.post("/v1/plans", json={"envelope": envelope})
    # aisi-b's token cannot claim aisi-a's plan (nor its key): refused.
    assert taken.status_code == 422
    with world.http() as anonymous:
        assert (
            anonymous.post("/v1/plans", json={"envelope": envelope}).status_code == 401
        )
    assert world.count("plans") == 1


def _registry(
    url: str, tmp_path: Path, name: str, key: SigningKey
) -> tuple[ServerProcess, str]:
    db = Database(Settings(database_url=url))
    db.migrate()
    token = add_institute(db, "aisi-a", "A")
    register_key(db, "aisi-a", key.public)
    db.dispose()
    server = ServerProcess(url, tmp_path / f"{name}.log")
    server.start()
    return server, token


@pytest.fixture
def second_url(backend_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Another empty database on the same backend as `backend_url`."""
    if backend_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.db'}"
    return str(request.getfixturevalue("postgres").create_database())


def test_plan_registered_before_the_run_verifies_and_a_late_one_is_flagged(
    backend_url: str, second_url: str, tmp_path: Path
) -> None:
    setup = make_setup(tmp_path / "work")
    key = load_signing_key(setup.key)
    early, token = _registry(backend_url, tmp_path, "early", key)
    late, late_token = _registry(second_url, tmp_path, "late", key)
    try:
        plan = setup.root / "plan.json"
        setup.create_plan(plan)
        registered = run(
            "plan", "register", str(plan), "--registry", early.url,
            env={"REDLINE_REGISTRY_TOKEN": token},
        )  # fmt: skip
        assert registered.output.startswith("Registered sha256:")
        receipt = setup.root / "plan.receipt.json"
        assert json.loads(receipt.read_text())["digest"] == plan_digest(
            json.loads(plan.read_text())["plan"]
        )

        out = setup.root / "runs" / "planned"
        setup.assess(plan, out)
        run("report", "sign", str(out / "report.json"), "--key", str(setup.key))
        signed = str(out / "report.signed.json")
        env = {"REDLINE_REGISTRY_TOKEN": token}
        ok = run("report", "verify", signed, "--registry", early.url, env=env)
        assert "before the run started" in ok.output
        assert "no deviation" in ok.output
        assert (
            run("report", "verify", signed, "--plan-receipt", str(receipt)).exit_code
            == 0
        )

        late_env = {"REDLINE_REGISTRY_TOKEN": late_token}
        unregistered = run(
            "report", "verify", signed, "--registry", late.url, env=late_env, ok=False
        )
        assert unregistered.exit_code == 2
        assert "is not registered" in unregistered.output
        run("plan", "register", str(plan), "--registry", late.url,
            "--receipt", str(setup.root / "late.receipt.json"), env=late_env)  # fmt: skip
        after = run(
            "report", "verify", signed, "--registry", late.url, env=late_env, ok=False
        )
        assert after.exit_code == 2
        assert "after its run started" in after.output
        wrong = run(
            "report", "verify", signed, "--plan-receipt",
            str(setup.root / "late.receipt.json"), ok=False,
        )  # fmt: skip
        assert wrong.exit_code == 2
        assert "after its run started" in wrong.output
    finally:
        early.stop()
        late.stop()
