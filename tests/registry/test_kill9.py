"""kill -9 of a real server while institutes publish loses no acknowledged report and
leaves no half-written one; the transparency log keeps every acknowledged entry and
stays one consistent log."""

from __future__ import annotations

import copy
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _registry_server import ServerProcess
from sqlalchemy import text

from redline.registry.server import (
    Database,
    Settings,
    add_institute,
    create_app,
    register_key,
)
from redline.reports import SigningKey, sign_report_data, verify_signed_report
from redline.transparency import (
    ConsistencyProof,
    LogEntry,
    LogReceipt,
    SignedTreeHead,
    b64,
    check_consistency,
    check_receipt,
    leaf_hash,
    root_hash,
)

REPORTS = 20
KILL_AFTER = 6


def test_kill9_during_publishing(backend_url: str, tmp_path: Path, golden) -> None:
    create_app(Settings(database_url=backend_url)).state.db.dispose()
    db = Database(Settings(database_url=backend_url))
    token = add_institute(db, "aisi-a", "A")
    key = SigningKey.from_seed(b"\x21" * 32)
    register_key(db, "aisi-a", key.public)
    envelopes = []
    for i in range(REPORTS):
        data = copy.deepcopy(golden)
        data["created_at"] = f"2026-03-01T00:{i // 60:02d}:{i % 60:02d}Z"
        envelopes.append(sign_report_data(data, key))

    server = ServerProcess(backend_url, tmp_path / "server.log")
    server.start()
    acked: dict[int, str] = {}
    receipts: dict[int, LogReceipt] = {}
    lock = threading.Lock()
    killed = threading.Event()

    def publish(i: int) -> None:
        body = {"envelope": envelopes[i], "sharing": {"scope": "network"}}
        headers = {"Authorization": f"Bearer {token}"}
        try:
            r = httpx.post(
                f"{server.url}/v1/reports", json=body, headers=headers, timeout=30
            )
        except httpx.HTTPError:
            return  # no answer: not acknowledged
        if r.status_code in (200, 201):
            with lock:
                acked[i] = r.json()["report"]["id"]
                receipts[i] = LogReceipt.model_validate(r.json()["log"])
                if len(acked) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    server.kill9()

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(publish, range(REPORTS)))
        assert killed.is_set(), "the server finished before it could be killed"
        assert KILL_AFTER <= len(acked) < REPORTS

        server.start()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            for i, report_id in acked.items():
                r = http.get(f"/v1/reports/{report_id}")
                assert r.status_code == 200, (report_id, r.text)
                assert r.json()["envelope"] == envelopes[i]

        # Whatever was stored, acknowledged or not, is whole: a verifying envelope
        # with every threshold indexed.
        with db.reader() as session:
            rows = session.execute(text("SELECT seq, envelope FROM reports")).all()
            indexed = dict(
                session.execute(
                    text(
                        "SELECT report_seq, count(*) FROM report_thresholds GROUP BY report_seq"
                    )
                ).all()
            )
            if db.backend == "sqlite":
                check = session.execute(text("PRAGMA integrity_check")).scalar_one()
                assert check == "ok"
        assert len(rows) >= len(acked)
        _check_log_after_kill(db, server.url, receipts, acked, len(rows))
        for seq, envelope in rows:
            model, _ = verify_signed_report(json.loads(envelope))
            assert indexed.get(seq) == len(
                {t.threshold_id for t in model.report.thresholds}
            )

        # Clients retry what was not acknowledged; publishing is idempotent.
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            for i in set(range(REPORTS)) - set(acked):
                body = {"envelope": envelopes[i], "sharing": {"scope": "network"}}
                assert http.post("/v1/reports", json=body).status_code in (200, 201)
            page = http.get("/v1/reports", params={"limit": 100}).json()
        assert len(page["items"]) == REPORTS
    finally:
        server.stop()
        db.dispose()


def _check_log_after_kill(
    db: Database,
    url: str,
    receipts: dict[int, LogReceipt],
    acked: dict[int, str],
    stored_reports: int,
) -> None:
    with db.reader() as session:
        rows = session.execute(
            text(
                "SELECT leaf_index, leaf, leaf_hash, root_hash, kind, ref "
                "FROM transparency_log ORDER BY leaf_index"
            )
        ).all()
    # One entry per stored report (plus the key registration), none half-written:
    # every row's root is the root of the leaves up to it.
    assert [r.leaf_index for r in rows] == list(range(len(rows)))
    published = [r.ref for r in rows if r.kind == "report.published"]
    assert len(published) == len(set(published)) == stored_reports
    assert set(acked.values()) <= set(published)
    hashes = []
    for r in rows:
        entry = LogEntry.model_validate_json(r.leaf)
        assert b64(leaf_hash(entry.leaf())) == r.leaf_hash
        hashes.append(leaf_hash(entry.leaf()))
        assert b64(root_hash(hashes)) == r.root_hash
    with httpx.Client(base_url=url, timeout=30) as http:
        head = SignedTreeHead.model_validate(http.get("/v1/log/sth").json())
        assert head.tree_size == len(rows)
        for receipt in receipts.values():
            check_receipt(receipt, subject=receipt.entry.subject)
            size = receipt.tree_head.tree_size
            proof = None
            if size < head.tree_size:
                proof = ConsistencyProof.model_validate(
                    http.get(
                        "/v1/log/consistency",
                        params={"first": size, "second": head.tree_size},
                    ).json()
                )
            check_consistency(receipt.tree_head, head, proof)
