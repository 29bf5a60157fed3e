"""The transparency log end to end: a live registry on 127.0.0.1 (SQLite and
PostgreSQL), `redline log verify` online and offline, and rows edited behind the
API's back."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from _registry_world import World
from click.testing import CliRunner
from sqlalchemy import text

from redline._cli.main import cli
from redline.registry import ExerciseCreate, Sharing
from redline.reports import SigningKey
from redline.transparency import (
    LogEntry,
    append_leaf,
    b64,
    check_consistency,
    check_receipt,
    frontier_root,
    leaf_hash,
    load_tree_heads,
    root_hash,
    unb64,
    verify_tree_head,
)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def _publish(world: World, slug: str, data: dict[str, Any], scope: str = "network"):
    with world.client(slug) as c:
        return c.publish(world.sign(slug, data), Sharing(scope=scope))  # type: ignore[arg-type]


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def _log_rows(world: World) -> list[Any]:
    with world.db.reader() as session:
        return list(
            session.execute(
                text("SELECT leaf_index, leaf, leaf_hash FROM transparency_log "
                     "ORDER BY leaf_index")
            )
        )  # fmt: skip


def test_every_change_is_logged_with_a_receipt_that_verifies(
    world: World, report_data, tmp_path: Path
) -> None:
    first = _publish(world, "aisi-a", report_data())
    assert first.created
    assert first.log is not None
    digest = first.report.assessment_digest
    check_receipt(first.log, subject=digest, kind="report.published")
    assert first.log.entry.institute == "aisi-a"
    assert first.log.entry.ref == first.report.id

    # A retried publish answers the same entry, proven in the current tree.
    data = report_data()
    shared = _publish(world, "aisi-b", data)
    retried = _publish(world, "aisi-b", data)
    assert not retried.created
    assert retried.log is not None
    assert retried.log.entry == shared.log.entry  # type: ignore[union-attr]

    key = SigningKey.from_seed(b"\x44" * 32)
    with world.client("aisi-c") as c:
        c.register_key(key)
        c.revoke_key(key.public.key_id)
        exercise = c.create_exercise(
            ExerciseCreate(
                title="Log test", model="redline/local",
                framework_id="redline-reference", suites=("misuse_refusal",),
                participants=("aisi-c", "aisi-a"),
            )
        )  # fmt: skip
    submitted = _publish(world, "aisi-c", report_data(), scope="network")
    with world.client("aisi-c") as c:
        c.submit(exercise.id, submitted.report.id)
        page = c.log_entries()
        head = c.log_tree_head()

    kinds = [e.kind for e in page.entries]
    # The three institutes' keys came from the operator before the first publish.
    assert kinds[:3] == ["key.registered"] * 3
    assert kinds[3:] == [
        "report.published", "report.published", "key.registered", "key.revoked",
        "report.published", "exercise.submitted",
    ]  # fmt: skip
    assert [e.index for e in page.entries] == list(range(len(kinds)))
    assert page.tree_size == head.tree_size == len(kinds)
    verify_tree_head(head)
    # The signed root is the RFC 9162 root of the served entries' leaves.
    assert unb64(head.root_hash) == root_hash([e.leaf_hash() for e in page.entries])
    # The very first receipt's head is extended by the current one.
    with world.client(None) as anonymous:
        proof = anonymous.log_consistency(first.log.tree_head.tree_size, head.tree_size)
    check_consistency(first.log.tree_head, head, proof)


def test_log_verify_online_then_offline(
    world: World, report_data, tmp_path: Path
) -> None:
    report = _write(tmp_path / "report.json", world.sign("aisi-a", report_data()))
    with world.client("aisi-a") as c:
        c.publish(json.loads(report.read_text()), Sharing(scope="private"))
    sth_dir = tmp_path / "heads"

    first = run(
        "log", "verify", str(report), "--registry", world.url, "--sth-dir", str(sth_dir)
    )
    assert first.exit_code == 0, first.output
    assert "OK:" in first.output
    assert "report.published by aisi-a" in first.output
    assert "consistent with 0 saved tree heads" in first.output
    assert len(load_tree_heads(sth_dir)) == 1

    _publish(world, "aisi-b", report_data())
    second = run(
        "log", "verify", str(report), "--registry", world.url, "--sth-dir", str(sth_dir)
    )
    assert second.exit_code == 0, second.output
    assert "consistent with 1 saved tree head (sizes 4)" in second.output
    assert len(load_tree_heads(sth_dir)) == 2

    receipt = tmp_path / "proof.json"
    made = run(
        "log",
        "proof",
        str(report),
        "--registry",
        world.url,
        "--sth-dir",
        str(sth_dir),
        "-o",
        str(receipt),
    )
    assert made.exit_code == 0, made.output
    saved = sorted(sth_dir.glob("sth-*.json"))
    offline = run("log", "verify", str(report), "--proof", str(receipt),
                  *[a for p in saved for a in ("--sth", str(p))])  # fmt: skip
    assert offline.exit_code == 0, offline.output
    assert "consistent with 2 saved tree heads" in offline.output

    # A forged inclusion proof: one bit of one hash flipped.
    forged = json.loads(receipt.read_text())
    h = base64.b64decode(forged["inclusion"]["hashes"][0])
    forged["inclusion"]["hashes"][0] = b64(bytes([h[0] ^ 1]) + h[1:])
    bad = run(
        "log",
        "verify",
        str(report),
        "--proof",
        str(_write(tmp_path / "forged.json", forged)),
    )
    assert bad.exit_code == 2, bad.output
    assert "forged or stale inclusion proof" in bad.output
    assert "Traceback" not in bad.output

    # A saved tree head whose size was changed no longer verifies.
    altered = json.loads(saved[0].read_text())
    altered["tree_size"] += 1
    sig = run("log", "verify", str(report), "--proof", str(receipt),
              "--sth", str(_write(tmp_path / "altered.json", altered)))  # fmt: skip
    assert sig.exit_code == 2, sig.output
    assert "bad signature" in sig.output

    # A receipt for another report does not vouch for this one.
    other = _write(tmp_path / "other.json", world.sign("aisi-a", report_data()))
    wrong = run("log", "verify", str(other), "--proof", str(receipt))
    assert wrong.exit_code == 2
    assert "records" in wrong.output

    # Another log key than the pinned one is refused.
    stranger = tmp_path / "stranger.pub"
    stranger.write_bytes(SigningKey.from_seed(b"\x09" * 32).public.to_pem())
    pinned = run(
        "log",
        "verify",
        str(report),
        "--proof",
        str(receipt),
        "--log-key",
        str(stranger),
    )
    assert pinned.exit_code == 2
    assert "not by the log key trusted" in pinned.output

    both = run(
        "log", "verify", str(report), "--proof", str(receipt), "--registry", world.url
    )
    assert both.exit_code == 2
    assert "not both" in both.output
    missing = run("log", "verify", str(report))
    assert missing.exit_code == 2
    assert "--registry URL" in missing.output
    garbage = run(
        "log",
        "verify",
        str(report),
        "--proof",
        str(_write(tmp_path / "g.json", {"entry": 1})),
    )
    assert garbage.exit_code == 2
    assert "g.json: not a log receipt" in garbage.output


def _rewrite(world: World, index: int, **changes: Any) -> None:
    """Edit one entry straight in the database and recompute every hash after it,
    as an operator with database access but without the log key might."""
    rows = _log_rows(world)
    entries = [LogEntry.model_validate_json(r.leaf) for r in rows]
    entries[index] = entries[index].model_copy(update=changes)
    frontier: list[bytes] = []
    with world.db.writer() as session:
        for i, entry in enumerate(entries):
            hashed = entry.leaf_hash()
            frontier = append_leaf(frontier, i, hashed)
            session.execute(
                text("UPDATE transparency_log SET leaf = :leaf, leaf_hash = :h, "
                     "subject = :s, root_hash = :r, frontier = :f WHERE leaf_index = :i"),
                {"leaf": entry.leaf().decode(), "h": b64(hashed), "s": entry.subject,
                 "r": b64(frontier_root(frontier)), "i": i,
                 "f": json.dumps([b64(x) for x in frontier])},
            )  # fmt: skip


def test_rows_edited_in_the_database_are_detected(
    world: World, report_data, tmp_path: Path
) -> None:
    mine = _write(tmp_path / "mine.json", world.sign("aisi-a", report_data()))
    theirs = _write(tmp_path / "theirs.json", world.sign("aisi-b", report_data()))
    with world.client("aisi-a") as c:
        c.publish(json.loads(mine.read_text()), Sharing(scope="network"))
    with world.client("aisi-b") as c:
        c.publish(json.loads(theirs.read_text()), Sharing(scope="network"))
    heads = tmp_path / "heads"
    for report in (mine, theirs):
        ok = run(
            "log",
            "verify",
            str(report),
            "--registry",
            world.url,
            "--sth-dir",
            str(heads),
        )
        assert ok.exit_code == 0, ok.output

    # 1. A leaf changed without its hash: its proof no longer leads to the root.
    theirs_index = len(_log_rows(world)) - 1
    with world.db.writer() as session:
        row = session.execute(
            text("SELECT leaf FROM transparency_log WHERE leaf_index = :i"),
            {"i": theirs_index},
        ).scalar_one()
        session.execute(
            text("UPDATE transparency_log SET leaf = :leaf WHERE leaf_index = :i"),
            {"leaf": row.replace('"aisi-b"', '"aisi-c"'), "i": theirs_index},
        )
    edited = run(
        "log", "verify", str(theirs), "--registry", world.url, "--sth-dir", str(heads)
    )
    assert edited.exit_code == 2, edited.output
    assert "forged or stale inclusion proof" in edited.output

    # 2. History rewritten with every hash recomputed: the registry now signs a
    # different root for a size a verifier has already seen.
    _rewrite(world, theirs_index, institute="aisi-c")
    forked = run(
        "log", "verify", str(mine), "--registry", world.url, "--sth-dir", str(heads)
    )
    assert forked.exit_code == 2, forked.output
    assert "different roots" in forked.output

    # 3. Then the log grows: the new head is not an extension of the saved one.
    _publish(world, "aisi-c", report_data())
    grown = run(
        "log", "verify", str(mine), "--registry", world.url, "--sth-dir", str(heads)
    )
    assert grown.exit_code == 2, grown.output
    assert "is not an extension" in grown.output
    # A verifier with no saved head has nothing to compare against (CT's limit).
    fresh = run("log", "verify", str(mine), "--registry", world.url)
    assert fresh.exit_code == 0, fresh.output


def test_bad_proof_requests_are_4xx(world: World, report_data) -> None:
    _publish(world, "aisi-a", report_data())
    with world.http() as http:
        size = http.get("/v1/log/sth").json()["tree_size"]
        for params, status in (
            ({"first": 3, "second": 2}, 422),
            ({"first": 0, "second": 2}, 422),
            ({"first": 1, "second": size + 1}, 422),
            ({"first": -1, "second": 2}, 422),
        ):
            r = http.get("/v1/log/consistency", params=params)
            assert r.status_code == status, (params, r.text)
            assert r.json()["error"]["message"]
        assert http.get("/v1/log/proof").status_code == 422
        assert http.get("/v1/log/proof", params={"index": size}).status_code == 422
        assert (
            http.get(
                "/v1/log/proof", params={"index": 0, "tree_size": size + 5}
            ).status_code
            == 422
        )
        unknown = http.get("/v1/log/proof", params={"subject": "sha256:" + "0" * 64})
        assert unknown.status_code == 404
        assert (
            http.get("/v1/log/proof", params={"subject": "md5:00"}).status_code == 422
        )
        assert (
            http.get("/v1/log/sth", params={"tree_size": size + 1}).status_code == 422
        )
        page = http.get("/v1/log/entries", params={"start": 1, "limit": 2}).json()
        assert [e["index"] for e in page["entries"]] == [1, 2]


def test_concurrent_appends_stay_one_log(world: World, report_data) -> None:
    jobs = [("aisi-a", "aisi-b", "aisi-c")[i % 3] for i in range(12)]
    datas = [report_data() for _ in jobs]
    with ThreadPoolExecutor(6) as pool:
        results = list(
            pool.map(
                lambda j: _publish(world, j[0], j[1]), zip(jobs, datas, strict=True)
            )
        )
    with world.client(None) as c:
        head = c.log_tree_head()
        page = c.log_entries(limit=100)
        indices = sorted(r.log.entry.index for r in results)  # type: ignore[union-attr]
        assert len(set(indices)) == len(jobs)
        for r in results:
            assert r.log is not None
            check_receipt(r.log, subject=r.report.assessment_digest)
            size = r.log.tree_head.tree_size
            if size < head.tree_size:
                check_consistency(
                    r.log.tree_head, head, c.log_consistency(size, head.tree_size)
                )
    assert [e.index for e in page.entries] == list(range(head.tree_size))
    assert unb64(head.root_hash) == root_hash(
        [leaf_hash(e.leaf()) for e in page.entries]
    )


def test_the_log_key_is_private_and_kept(world: World) -> None:
    path = world.app.state.settings.log_key_path
    assert path.stat().st_mode & 0o777 == 0o600
    assert world.app.state.log_key.public.key_id == (
        world.client(None).log_tree_head().log_key_id
    )
