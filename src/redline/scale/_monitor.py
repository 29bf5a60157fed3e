"""The suite's one sequential test, shared by its shards: a Ray actor's state.

Shards report each finished sample with its place in the seeded order. The monitor
feeds the suite's `SequentialStopping` policy (the single-process policy, not a
second statistic) only the longest complete prefix of that order, in order, so the
test sees exactly the sequence a single-process run would have seen, and optional
stopping keeps its level. Once the prefix decides, the stop position is fixed and
every shard's next scheduling question is answered "no" past it.

Token and cost budgets are the single-process rule too: the policy checks them
against what the replayed prefix spent (each shard reports a sample's usage with
its place), so the budget stops the order where one process with one sample in
flight stops it, however the shards' samples interleave in time.

A shard may run at most `window` positions ahead of the complete prefix; past that,
its scheduling question waits. Without this, a shard whose partner starts late runs
its whole share before the prefix can decide, and the stop reaches it too late.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pydantic import JsonValue

from redline.evals import RunOptions, SuitePlan, suite_policy
from redline.frameworks import Framework


class SuiteMonitor:
    """Holds one suite's sequential policy; run as an async Ray actor."""

    def __init__(
        self,
        plan: SuitePlan,
        options: RunOptions,
        framework: Framework,
        window: int,
    ):
        self.plan = plan
        self.window = max(1, window)
        """How far past the complete prefix a sample may start."""
        self.options = options
        self.framework = framework
        self.order = sorted(plan.positions().items(), key=lambda item: item[1])
        self.done: dict[
            int, tuple[str | int, int, Mapping[str, Any] | None, tuple[int, float]]
        ] = {}
        self.spent = (0, 0.0)
        """Tokens and cost of the complete prefix."""
        self.next = 0
        """Length of the complete prefix fed to the policy."""
        self.cut: int | None = None
        """Position from which no sample may start (the stop)."""
        self.policy: Any = None
        self.lock = asyncio.Lock()
        self.progress = asyncio.Condition(self.lock)
        """Notified whenever the prefix grows or the stop is set."""

    async def _ready(self) -> Any:
        if self.policy is None:
            self.policy = await suite_policy(
                self.plan, self.options, self.framework, usage=lambda: self.spent
            )
            await self._check_stop()
        return self.policy

    async def _check_stop(self) -> None:
        # The single-process policy is asked before each sample is scheduled: ask it
        # for the next position as soon as the prefix before it is complete.
        if self.cut is None and self.next < len(self.order):
            (sample_id, epoch), _ = self.order[self.next]
            if await self.policy.schedule_sample(sample_id, epoch) is not None:
                self.cut = self.next

    async def may_start(self, position: int) -> str | None:
        """None if the sample at `position` may start, else the stop's reason."""
        async with self.progress:
            policy = await self._ready()
            # Positions before the stop are below `next`, so they never wait.
            await self.progress.wait_for(
                lambda: self.cut is not None or position < self.next + self.window
            )
            if self.cut is not None and position >= self.cut:
                return str(policy.reason)
            return None

    async def completed(
        self,
        position: int,
        sample_id: str | int,
        epoch: int,
        scores: Mapping[str, Any] | None,
        usage: tuple[int, float] = (0, 0.0),
    ) -> None:
        """Record a finished sample and replay the prefix it completes."""
        async with self.progress:
            policy = await self._ready()
            # A retried shard reports its flushed samples again: once is enough.
            self.done.setdefault(position, (sample_id, epoch, scores, usage))
            while self.cut is None and self.next in self.done:
                sid, ep, sc, used = self.done[self.next]
                # An errored sample's calls were spent all the same.
                self.spent = (self.spent[0] + used[0], self.spent[1] + used[1])
                # A sample that ended in an error never reaches the policy, as in
                # a single-process run; it still completes its place in the order.
                if sc is not None:
                    await policy.complete_sample(sid, ep, dict(sc))
                self.next += 1
                await self._check_stop()
            self.progress.notify_all()

    async def outcome(self) -> tuple[int | None, dict[str, JsonValue] | None]:
        """The stop position (None: no stop) and the policy's summary."""
        async with self.lock:
            policy = await self._ready()
            summary: dict[str, JsonValue] = await policy.complete_task()
            return self.cut, summary

    async def prefix(self) -> int:
        """Length of the complete prefix replayed so far."""
        return self.next
