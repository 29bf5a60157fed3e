"""Signing keys under attack: scopes on key routes, proof of possession, final revocation.

Each test runs against a live server on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from _registry_world import World
from sqlalchemy import update

from redline.registry import KeyChallenge, Scope, Sharing
from redline.registry.server import new_token
from redline.registry.server.models import KeyChallengeRow
from redline.reports import SigningKey

NEW_KEY = SigningKey.from_seed(bytes([9]) * 32)


def _challenge(http, key: SigningKey) -> KeyChallenge:
    r = http.post("/v1/keys/challenges", json={"public_key": key.public.b64})
    assert r.status_code == 201, r.text
    return KeyChallenge.model_validate(r.json())


def _registration(challenge: KeyChallenge, public: SigningKey, signer: SigningKey):
    signature = base64.b64encode(signer.sign(challenge.message())).decode()
    return {
        "public_key": public.public.b64,
        "nonce": challenge.nonce,
        "signature": signature,
    }


def _key_ids(world: World, slug: str) -> dict[str, bool]:
    with world.client(slug) as client:
        return {k.key_id: k.revoked for k in client.me().keys}


@pytest.mark.parametrize(
    "scopes", [["incidents:read"], ["reports:publish", "reports:read", "exercises"]]
)
def test_key_routes_need_the_keys_scope(
    world: World, report_data, scopes: list[str]
) -> None:
    narrow = new_token(world.db, "aisi-a", scopes=scopes)
    full = world.tokens["aisi-a"]
    with world.http(token=full) as http:
        # A challenge and a registration that would succeed with the scope.
        body = _registration(_challenge(http, NEW_KEY), NEW_KEY, NEW_KEY)
    a_key = world.keys["aisi-a"].public.key_id
    with world.http(token=narrow) as http:
        calls = {
            "challenge": http.post(
                "/v1/keys/challenges", json={"public_key": NEW_KEY.public.b64}
            ),
            "register": http.post("/v1/keys", json=body),
            "revoke": http.delete(f"/v1/keys/{a_key}"),
        }
    for name, r in calls.items():
        assert r.status_code == 403, (name, r.text)
        assert r.json()["error"]["code"] == "insufficient_scope"
        assert "'keys:manage'" in r.json()["error"]["message"]
    assert _key_ids(world, "aisi-a") == {a_key: False}
    # The institute still publishes: nothing was revoked.
    world.publish("aisi-a", report_data(), "network")


def test_a_token_with_only_the_keys_scope_manages_keys(world: World) -> None:
    keys_only = new_token(world.db, "aisi-a", scopes=["keys:manage"])
    with world.client_with(keys_only) as client:
        registered = client.register_key(NEW_KEY)
        client.revoke_key(registered.key_id)
    assert _key_ids(world, "aisi-a")[NEW_KEY.public.key_id] is True


def test_registering_a_seen_public_key_without_its_private_key_fails(
    world: World,
) -> None:
    # B has seen NEW_KEY's public half (it is in every report it signs) but does
    # not hold the private key: it signs the challenge with its own key instead.
    with world.http("aisi-b") as http:
        challenge = _challenge(http, NEW_KEY)
        forged = _registration(challenge, NEW_KEY, world.keys["aisi-b"])
        r = http.post("/v1/keys", json=forged)
        assert (r.status_code, r.json()["error"]["code"]) == (422, "proof_invalid")
        unsigned = http.post(
            "/v1/keys",
            json={**forged, "signature": base64.b64encode(bytes(64)).decode()},
        )
        assert unsigned.status_code == 422
    assert NEW_KEY.public.key_id not in _key_ids(world, "aisi-b")
    # Its true holder registers it afterwards: nobody squatted on it.
    with world.client("aisi-a") as client:
        assert client.register_key(NEW_KEY).key_id == NEW_KEY.public.key_id


def test_a_challenge_answers_once_for_one_institute_and_key(world: World) -> None:
    other = SigningKey.from_seed(bytes([10]) * 32)
    with world.http("aisi-a") as http:
        challenge = _challenge(http, NEW_KEY)
        body = _registration(challenge, NEW_KEY, NEW_KEY)
    with world.http("aisi-b") as http:
        stolen = http.post("/v1/keys", json=body)  # A's challenge, B's token
    assert (stolen.status_code, stolen.json()["error"]["code"]) == (
        422,
        "challenge_invalid",
    )
    with world.http("aisi-a") as http:
        # Signed for NEW_KEY; presented for another key.
        swapped = http.post("/v1/keys", json={**_registration(challenge, other, other)})
        assert swapped.json()["error"]["code"] == "challenge_invalid"
        assert http.post("/v1/keys", json=body).status_code == 201
        replay = http.post("/v1/keys", json=body)
        assert (replay.status_code, replay.json()["error"]["code"]) == (
            422,
            "challenge_invalid",
        )
    assert other.public.key_id not in _key_ids(world, "aisi-a")


def test_an_expired_challenge_is_refused(world: World) -> None:
    with world.http("aisi-a") as http:
        challenge = _challenge(http, NEW_KEY)
        body = _registration(challenge, NEW_KEY, NEW_KEY)
        with world.db.writer() as session:
            session.execute(
                update(KeyChallengeRow).values(
                    expires_at=datetime.now(UTC) - timedelta(seconds=1)
                )
            )
        r = http.post("/v1/keys", json=body)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "challenge_expired")
    assert NEW_KEY.public.key_id not in _key_ids(world, "aisi-a")


def test_the_challenge_names_the_institute_key_and_expiry(world: World) -> None:
    with world.http("aisi-c") as http:
        challenge = _challenge(http, NEW_KEY)
    assert challenge.institute == "aisi-c"
    assert challenge.key_id == NEW_KEY.public.key_id
    left = challenge.expires_at - datetime.now(UTC)
    assert timedelta(minutes=1) < left <= timedelta(minutes=5)
    message = challenge.message().decode()
    for part in ("aisi-c", challenge.key_id, challenge.nonce):
        assert part in message


def test_a_revoked_key_stays_revoked_and_on_record(world: World, report_data) -> None:
    with world.client("aisi-a") as client:
        client.register_key(NEW_KEY)
        client.revoke_key(NEW_KEY.public.key_id)
        client.revoke_key(NEW_KEY.public.key_id)  # idempotent, keeps the first time
    with world.http("aisi-a") as http:
        body = _registration(_challenge(http, NEW_KEY), NEW_KEY, NEW_KEY)
        r = http.post("/v1/keys", json=body)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "key_revoked")
    assert _key_ids(world, "aisi-a")[NEW_KEY.public.key_id] is True
    from redline.errors import RegistryError
    from redline.reports import sign_report_data

    with world.client("aisi-a") as client, pytest.raises(RegistryError) as info:
        client.publish(
            sign_report_data(report_data(), NEW_KEY), Sharing(scope=Scope.NETWORK)
        )
    assert info.value.code == "key_not_registered"
