"""A registry with the AIID snapshot imported, and tokens for each incident role."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from _registry_world import EVERY_SCOPE, World, make_world

from helpers.ci import SHARED_DATA
from redline.registry import RegistryClient, SnapshotImport, import_aiid_snapshot
from redline.registry.server import new_token

AIID = SHARED_DATA / "aiid"
needs_aiid = pytest.mark.requires_shared("aiid/incidents.csv")


def aiid_incident_ids() -> set[str]:
    """Incident ids of the snapshot CSV, read independently of the importer."""
    with (AIID / "incidents.csv").open(encoding="utf-8", newline="") as f:
        return {row["incident_id"] for row in csv.DictReader(f)}


@dataclass
class IncidentWorld:
    world: World
    first: SnapshotImport
    """What the first import of the snapshot did."""

    def client(self, token: str | None) -> RegistryClient:
        return self.world.client_with(token)

    def http(self, token: str | None) -> httpx.Client:
        return self.world.http(token=token) if token else self.world.http(None)

    @property
    def editor(self) -> str:
        """Token with every scope, incidents:edit granted by name (aisi-a)."""
        return self.world.tokens["aisi-a"]

    @property
    def submitter(self) -> str:
        """aisi-b with incidents:read and incidents:submit only."""
        return self.world.tokens["aisi-b:submit"]

    @property
    def reader(self) -> str:
        """aisi-c with incidents:read only."""
        return self.world.tokens["aisi-c:read"]


def add_scoped_tokens(world: World) -> None:
    world.tokens["aisi-a"] = new_token(world.db, "aisi-a", scopes=EVERY_SCOPE)
    world.tokens["aisi-b:submit"] = new_token(
        world.db, "aisi-b", scopes=["incidents:read", "incidents:submit"]
    )
    world.tokens["aisi-c:read"] = new_token(
        world.db, "aisi-c", scopes=["incidents:read"]
    )
    world.tokens["aisi-c:reports"] = new_token(
        world.db, "aisi-c", scopes=["reports:read"]
    )


@contextmanager
def make_incident_world(url: str, *, snapshot: bool = True) -> Iterator[IncidentWorld]:
    with make_world(url) as world:
        add_scoped_tokens(world)
        with world.client("aisi-a") as client:
            first = (
                import_aiid_snapshot(client, AIID)
                if snapshot
                else SnapshotImport(
                    source="aiid",
                    read=0,
                    new=(),
                    changed=(),
                    unchanged=(),
                    skipped=(),
                    problems=(),
                    files={},
                )  # fmt: skip
            )
        yield IncidentWorld(world=world, first=first)
