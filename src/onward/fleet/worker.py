"""The Procrastinate app of a deployment: the sync task, the fan-out that defers every due sync,
and the queue's housekeeping.

- `onward.sync_account` runs with `lock` and `queueing_lock` both `sync:<account id>`: one sync
  per account at a time and at most one waiting, and never a lock shared between accounts (a
  retry waiting in backoff holds every job with its lock: Procrastinate #1599).
- `onward.fan_out`, periodic, claims the accounts that are due and have no sync waiting or
  running (`Fleet.claim_due`), and defers one sync for each, in its provider's queue.
- `onward.retry_stalled` (periodic, a `queueing_lock` and no `lock`: #1408) puts back the jobs
  of a worker that stopped sending heartbeats (killed, or its machine gone).
- `onward.remove_old_jobs` (periodic) keeps the job table small: finished jobs are deleted by
  the worker anyway (`delete_jobs="successful"`), failed ones after three days (#1454).

The sync task is a plain function: Procrastinate runs it on a thread, so a worker's
`concurrency` overlaps IMAP waits inside one process; run one worker process per core.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate import utils as procrastinate_utils
from procrastinate import worker as procrastinate_worker
from procrastinate.exceptions import AlreadyEnqueued

from onward.errors import DatabaseError
from onward.fleet.sync import SyncRetry, sync_account
from onward.store.fleet import SYNC_TASK, Fleet

log = logging.getLogger("onward.fleet")

HOUSEKEEPING_QUEUE = "onward"
OLD_JOBS_HOURS = 72


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 8
    queues: tuple[str, ...] = ()  # none: every queue, housekeeping included
    tick_seconds: int = 60  # how often due accounts are looked for
    stalled_after: float = 30.0  # seconds without a heartbeat before a job is retried
    name: str | None = None


def _cron(seconds: int) -> str:
    """Every `seconds` (a divisor of 60 below a minute), as Procrastinate's cron."""
    if seconds >= 60:
        return f"*/{max(1, seconds // 60)} * * * *"
    return f"* * * * * */{max(1, seconds)}"


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Tally:
    """What this worker did, said in one log line a minute: counts only, never an account's
    mail, and no line per sync (10,000 people would fill a log)."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._since = time.monotonic()
        self._counts = {"synced": 0, "new": 0, "needs owner": 0, "retrying": 0}

    def add(self, outcome: str, new: int = 0) -> None:
        with self._lock:
            self._counts[outcome] = self._counts.get(outcome, 0) + 1
            self._counts["new"] += new
            now = time.monotonic()
            if now - self._since < self.every:
                return
            c, seconds = self._counts, now - self._since
            self._counts = dict.fromkeys(c, 0)
            self._since = now
        log.info(
            "synced %d accounts (%d new messages) in the last %.0f s; %d need their owner, "
            "%d failed and will be retried",
            c["synced"],
            c["new"],
            seconds,
            c["needs owner"],
            c["retrying"],
        )


class _Worker(procrastinate_worker.Worker):
    """Procrastinate's worker, beating on while a stop waits for its running syncs.
    Procrastinate 3.10 stops the heartbeat first (procrastinate#1585, open): a sync that took
    longer than --stalled-after to finish then looked stalled, and onward.retry_stalled gave
    the account to a second worker while the first still synced it."""

    async def _shutdown(self, side_tasks: list[asyncio.Task[Any]]) -> None:
        beat = [t for t in side_tasks if t.get_name() == "update_heartbeats"]
        await procrastinate_utils.cancel_and_capture_errors(
            [t for t in side_tasks if t not in beat]
        )
        if self._running_jobs:
            await asyncio.wait(self._running_jobs, timeout=self.shutdown_graceful_timeout)
        await procrastinate_utils.cancel_and_capture_errors(beat)
        await super()._shutdown([])


class _App(procrastinate.App):
    def _worker(self, **kwargs: Any) -> procrastinate_worker.Worker:
        return _Worker(app=self, **{**self.worker_defaults, **kwargs})


class Deployment:
    """A deployment's Fleet, opened once per worker process and shared by its threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._fleet: Fleet | None = None
        self._lock = threading.Lock()
        self.tally = Tally()

    def fleet(self) -> Fleet:
        with self._lock:
            if self._fleet is None:
                self._fleet = Fleet(self.url)
            return self._fleet


def make_app(url: str, settings: WorkerSettings | None = None) -> procrastinate.App:
    settings = settings or WorkerSettings()
    deployment = Deployment(url)
    app = _App(connector=procrastinate.PsycopgConnector(conninfo=_conninfo(url)))
    retry = procrastinate.RetryStrategy(
        max_attempts=6, exponential_wait=4, retry_exceptions={SyncRetry, DatabaseError}
    )

    @app.task(name=SYNC_TASK, retry=retry)
    def sync(account_id: int) -> None:
        try:
            result = sync_account(deployment.fleet(), account_id)
        except SyncRetry:
            deployment.tally.add("retrying")
            raise
        deployment.tally.add(result.outcome, result.new)
        # Figures only: an account's mail never reaches a log.
        log.debug(
            "account %s: %s, %d scanned, %d new, %.3f s",
            account_id,
            result.outcome,
            result.scanned,
            result.new,
            result.seconds,
        )

    tick = _cron(settings.tick_seconds)

    @app.periodic(cron=tick, periodic_id="fan-out")
    @app.task(name="onward.fan_out", queueing_lock="onward.fan_out", queue=HOUSEKEEPING_QUEUE)
    def fan_out(timestamp: int) -> None:
        defer_due(deployment.fleet(), sync.configure)

    @app.periodic(cron=tick, periodic_id="stalled")
    @app.task(
        name="onward.retry_stalled",
        queueing_lock="onward.retry_stalled",
        queue=HOUSEKEEPING_QUEUE,
        pass_context=True,
    )
    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
        manager = context.app.job_manager
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_after):
            await manager.retry_job(job)

    @app.periodic(cron="17 * * * *", periodic_id="old-jobs")
    @app.task(
        name="onward.remove_old_jobs",
        queueing_lock="onward.remove_old_jobs",
        queue=HOUSEKEEPING_QUEUE,
        pass_context=True,
    )
    async def remove_old_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
        await context.app.job_manager.delete_old_jobs(
            nb_hours=OLD_JOBS_HOURS,
            include_failed=True,
            include_cancelled=True,
            include_aborted=True,
        )

    return app


def defer_due(fleet: Fleet, configure: Callable[..., Any]) -> int:
    """Defer one sync for each account that is due and has none waiting or running."""
    deferred = 0
    for account_id, queue in fleet.claim_due(datetime.now(UTC)):
        key = f"sync:{account_id}"
        try:
            configure(lock=key, queueing_lock=key, queue=queue).defer(account_id=account_id)
            deferred += 1
        except AlreadyEnqueued:  # deferred by hand (`onward fleet sync`) a moment ago
            pass
    return deferred


def ensure_queue(fleet: Fleet) -> None:
    """Procrastinate's tables, created once in a new deployment's database."""
    from procrastinate.schema import SchemaManager

    fleet.ensure_queue(SchemaManager.get_schema())


def run_worker(url: str, settings: WorkerSettings) -> None:
    fleet = Fleet(url)  # the control tables, migrated before any task needs them
    try:
        ensure_queue(fleet)
    finally:
        fleet.close()
    options: dict[str, Any] = {
        "concurrency": settings.concurrency,
        "delete_jobs": "successful",
        "update_heartbeat_interval": max(0.5, settings.stalled_after / 3),
        "stalled_worker_timeout": settings.stalled_after,
        "name": settings.name,
    }
    if settings.queues:
        options["queues"] = list(settings.queues)
    make_app(url, settings).run_worker(**options)
