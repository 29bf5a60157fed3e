from __future__ import annotations

import copy
import json

import pytest
from _registry_world import World

from redline.errors import RegistryError, SignatureError
from redline.registry import Scope, Sharing
from redline.reports import SigningKey, verify_signed_report


def _post(
    world: World, slug: str, envelope: object, sharing: object
) -> tuple[int, dict]:
    with world.http(slug) as http:
        r = http.post("/v1/reports", json={"envelope": envelope, "sharing": sharing})
    return r.status_code, r.json()


def test_publish_then_fetch_verifies_and_is_idempotent(
    world: World, report_data
) -> None:
    envelope = world.sign("aisi-a", report_data())
    status, body = _post(world, "aisi-a", envelope, {"scope": "network"})
    assert status == 201
    assert body["created"] is True
    report_id = body["report"]["id"]
    assert body["report"]["institute"] == "aisi-a"
    assert body["report"]["key_id"] == world.keys["aisi-a"].public.key_id

    # A retry (e.g. after a lost answer) gets the stored report, not a duplicate.
    status, again = _post(world, "aisi-a", envelope, {"scope": "network"})
    assert (status, again["created"], again["report"]["id"]) == (200, False, report_id)
    assert world.count("reports") == 1

    with world.client("aisi-b") as client:
        stored = client.fetch(report_id)
    _, checked = verify_signed_report(stored.envelope)
    assert stored.envelope == envelope
    assert not checked.redacted


def test_republish_with_other_sharing_conflicts(world: World, report_data) -> None:
    envelope = world.sign("aisi-a", report_data())
    assert _post(world, "aisi-a", envelope, {"scope": "private"})[0] == 201
    status, body = _post(world, "aisi-a", envelope, {"scope": "network"})
    assert status == 409
    assert body["error"]["code"] == "conflict"
    assert "already published" in body["error"]["message"]


def test_public_reports_are_stored_redacted_and_still_verify(
    world: World, report_data
) -> None:
    envelope = world.sign("aisi-a", report_data())
    status, body = _post(world, "aisi-a", envelope, {"scope": "public"})
    assert status == 201
    assert body["report"]["redacted"] is True
    with world.db.reader() as session:
        from sqlalchemy import text

        stored = session.execute(text("SELECT envelope FROM reports")).scalar_one()
    prompt = envelope["report"]["suites"][0]["samples"][0]["prompt"]
    assert prompt not in stored
    # Nor the salts that would let a guesser test digests, nor the machine's paths.
    assert envelope["report"]["run"]["out_dir"] == "/tmp/r6"
    assert "/tmp/r6" not in stored
    stored_report = json.loads(stored)["report"]
    assert all(
        s["salt"] is None for suite in stored_report["suites"] for s in suite["samples"]
    )
    with world.client(None) as anonymous:
        fetched = anonymous.fetch(body["report"]["id"])
    _, checked = verify_signed_report(fetched.envelope)
    assert checked.redacted
    assert checked.assessment_digest == body["report"]["assessment_digest"]


def _tamper(envelope: dict, path: tuple, value: object) -> dict:
    out = copy.deepcopy(envelope)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("report", "decision"), "deploy", "signature_invalid"),
        (("report", "model"), "openai/gpt-x", "signature_invalid"),
        (("report", "thresholds", 0, "verdict"), "below", "signature_invalid"),
        (("report", "suites", 0, "samples", 0, "score"), 1.0, "signature_invalid"),
        (("report", "suites", 0, "samples", 0, "response"), "edited", "report_invalid"),
        (("signature", "value"), "A" * 86 + "==", "signature_invalid"),
    ],
)
def test_tampered_reports_are_refused_and_nothing_is_stored(
    world: World, report_data, path: tuple, value: object, code: str
) -> None:
    envelope = _tamper(world.sign("aisi-a", report_data()), path, value)
    status, body = _post(world, "aisi-a", envelope, {"scope": "network"})
    assert status == 422
    assert body["error"]["code"] == code
    assert world.count("reports") == 0
    assert world.count("report_thresholds") == 0


def test_unsigned_report_is_refused_with_reason(world: World, report_data) -> None:
    status, body = _post(world, "aisi-a", report_data(), {"scope": "network"})
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert any(d["loc"].startswith("body.envelope") for d in body["error"]["details"])


def test_key_must_belong_to_the_publisher(world: World, report_data) -> None:
    envelope = world.sign("aisi-b", report_data())
    status, body = _post(world, "aisi-a", envelope, {"scope": "network"})
    assert (status, body["error"]["code"]) == (422, "key_not_registered")
    stranger = SigningKey.from_seed(b"\x55" * 32)
    status, body = _post(
        world, "aisi-a", world_sign(stranger, report_data()), {"scope": "network"}
    )
    assert (status, body["error"]["code"]) == (422, "key_not_registered")


def world_sign(key: SigningKey, data: dict) -> dict:
    from redline.reports import sign_report_data

    return sign_report_data(data, key)


def test_revoked_key_refuses_new_reports_but_keeps_old(
    world: World, report_data
) -> None:
    old = world.publish("aisi-a", report_data(), "network")
    key_id = world.keys["aisi-a"].public.key_id
    with world.client("aisi-a") as client:
        client.revoke_key(key_id)
        assert [k.revoked for k in client.me().keys] == [True]
        with pytest.raises(RegistryError) as info:
            client.publish(
                world.sign("aisi-a", report_data()), Sharing(scope=Scope.NETWORK)
            )
        assert (info.value.status, info.value.code) == (422, "key_not_registered")
        assert client.fetch(old).summary.id == old
        # Revocation is final: the (possibly stolen) key does not come back.
        with pytest.raises(RegistryError) as again:
            client.register_key(world.keys["aisi-a"])
        assert (again.value.status, again.value.code) == (409, "key_revoked")
        assert [k.revoked for k in client.me().keys] == [True]
        with pytest.raises(RegistryError) as still:
            client.publish(
                world.sign("aisi-a", report_data()), Sharing(scope=Scope.NETWORK)
            )
        assert still.value.code == "key_not_registered"


def test_the_operator_cannot_bring_back_a_revoked_key_either(world: World) -> None:
    from redline.registry.server import register_key

    with world.client("aisi-a") as client:
        client.revoke_key(world.keys["aisi-a"].public.key_id)
    with pytest.raises(RegistryError) as info:
        register_key(world.db, "aisi-a", world.keys["aisi-a"].public)
    assert (info.value.status, info.value.code) == (409, "key_revoked")


def test_a_key_cannot_be_claimed_by_two_institutes(world: World) -> None:
    # Even holding the private key, B cannot take a key registered to A.
    with world.client("aisi-b") as client, pytest.raises(RegistryError) as info:
        client.register_key(world.keys["aisi-a"])
    assert (info.value.status, info.value.code) == (409, "key_taken")


@pytest.mark.parametrize(
    ("sharing", "fragment"),
    [
        ({"scope": "partners", "partners": ["aisi-zz"]}, "unknown partner"),
        ({"scope": "partners", "partners": ["aisi-a"]}, "own institute"),
        ({"scope": "partners"}, "at least one partner"),
        ({"scope": "network", "partners": ["aisi-b"]}, "takes no partners"),
        ({"scope": "everyone"}, "Input should be"),
    ],
)
def test_bad_sharing_is_refused(
    world: World, report_data, sharing: dict, fragment: str
) -> None:
    status, body = _post(world, "aisi-a", world.sign("aisi-a", report_data()), sharing)
    assert status == 422
    assert fragment in body["error"]["message"]
    assert world.count("reports") == 0


def test_client_refuses_an_envelope_changed_in_storage(
    world: World, report_data
) -> None:
    report_id = world.publish("aisi-a", report_data(), "network")
    with world.db.writer() as session:
        from sqlalchemy import text

        text_value = session.execute(text("SELECT envelope FROM reports")).scalar_one()
        changed = json.loads(text_value)
        changed["report"]["decision"] = "deploy"
        session.execute(
            text("UPDATE reports SET envelope = :e"), {"e": json.dumps(changed)}
        )
    with world.client("aisi-a") as client, pytest.raises(SignatureError):
        client.fetch(report_id)


def test_bad_sharing_update_changes_nothing(world: World, report_data) -> None:
    report_id = world.publish("aisi-a", report_data(), "partners", "aisi-b")
    with world.http("aisi-a") as http:
        for body in (
            {"scope": "partners", "partners": ["aisi-b", "aisi-nowhere"]},
            {"scope": "partners"},
            {"scope": "sideways"},
        ):
            r = http.put(f"/v1/reports/{report_id}/sharing", json=body)
            assert r.status_code == 422
        with world.client("aisi-a") as client:
            sharing = client.fetch(report_id).summary.sharing
    assert sharing == Sharing(scope=Scope.PARTNERS, partners=("aisi-b",))


def test_widening_to_public_redacts_the_stored_copy(world: World, report_data) -> None:
    report_id = world.publish("aisi-a", report_data(), "network")
    with world.client("aisi-a") as client:
        summary = client.update_sharing(report_id, Sharing(scope=Scope.PUBLIC))
    assert summary.redacted
    with world.client(None) as anonymous:
        stored = anonymous.fetch(report_id)  # verifies: the signature survives
    assert stored.envelope["report"]["suites"][0]["samples"][0]["prompt"] is None
