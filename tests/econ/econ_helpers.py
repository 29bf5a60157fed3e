"""Shared helpers of the economic index tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from helpers.ci import SHARED_DATA
from redline.econ import Assignment, PreparedConversation, TaskMapper

ONET_DIR = SHARED_DATA / "onet"
AEI_DIR = SHARED_DATA / "anthropic_economic_index"
DATA = Path(__file__).parent / "data"


TINY_TASKS = """\
O*NET-SOC Code,Title,Task ID,Task,Task Type,Incumbents Responding,Date,Domain Source
15-1251.00,Computer Programmers,1,Correct errors in computer programs.,Core,,,
15-1251.00,Computer Programmers,2,Write documentation for programs.,Core,,,
27-3043.00,Writers and Authors,3,Write fiction such as short stories and novels.,Core,,,
27-3043.00,Writers and Authors,4,Edit or rewrite existing written material.,Supplemental,,,
35-1011.00,Chefs and Head Cooks,5,Plan menus and develop recipes.,Core,,,
"""


def write_jsonl(path: Path, records: Iterable[Any]) -> Path:
    """Write records (dicts, or raw strings written as they are) one per line."""
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record if isinstance(record, str) else json.dumps(record))
            handle.write("\n")
    return path


def chat(user: str | None, *texts: str) -> dict[str, Any]:
    record: dict[str, Any] = {"messages": []}
    for i, text in enumerate(texts):
        record["messages"].append({"role": "user", "content": text})
        if i < len(texts) - 1:
            record["messages"].append({"role": "assistant", "content": "Sure."})
    if user is not None:
        record["user_id"] = user
    return record


class ScriptedMapper(TaskMapper):
    """Assigns tasks by a function of the request: exact control over cells."""

    def __init__(self, decide: Callable[[PreparedConversation], Assignment]):
        self.decide = decide
        self.seen: list[PreparedConversation] = []

    @property
    def identity(self) -> dict[str, str]:
        return {"backend": "scripted"}

    def map_batch(
        self, conversations: Sequence[PreparedConversation]
    ) -> list[Assignment]:
        self.seen.extend(conversations)
        return [self.decide(c) for c in conversations]


def by_keyword(mapping: dict[str, int]) -> Callable[[PreparedConversation], Assignment]:
    """Task index by the first keyword found in the request; mode directive."""

    def decide(conversation: PreparedConversation) -> Assignment:
        for word, task in mapping.items():
            if word in conversation.request:
                return Assignment(task, "directive", (task,))
        return Assignment(None, "none", failure="no keyword")

    return decide
