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
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate import utils as procrastinate_utils
from procrastinate import worker as procrastinate_worker
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.exc import SQLAlchemyError

from onward.errors import DatabaseError, OnwardError
from onward.fleet.sync import SyncRetry, sync_account
from onward.store.fleet import SYNC_TASK, Fleet, FleetError

log = logging.getLogger("onward.fleet")

HOUSEKEEPING_QUEUE = "onward"
MAX_ATTEMPTS = 6  # a sync's tries, whether it failed or its worker died under it


class SyncFailed(OnwardError):
    """A sync stopped on an error onward did not expect; its text is the error's kind only."""


OLD_JOBS_HOURS = 72


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 8
    queues: tuple[str, ...] = ()  # none: every queue, housekeeping included
    tick_seconds: int = 60  # how often due accounts are looked for
    stalled_after: float = 30.0  # seconds without a heartbeat before a job is retried
    name: str | None = None


def _cron(seconds: int) -> str:
    """Every `seconds`, as Procrastinate's cron: a divisor of a minute, or whole minutes that
    divide an hour (cron counts within the minute and the hour)."""
    minutes, rest = divmod(seconds, 60)
    if seconds < 60 and seconds > 0 and 60 % seconds == 0:
        return f"* * * * * */{seconds}"
    if seconds >= 60 and not rest and 60 % minutes == 0:
        return f"*/{minutes} * * * *"
    raise FleetError(
        f"A tick of {seconds} s cannot be kept evenly: use one that divides a minute (1, 2, 5, "
        "10, 15, 30) or whole minutes that divide an hour (60, 120, 300...)."
    )


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Tally:
    """What this worker did, said in one log line a minute: counts only, never an account's
    mail, and no line per sync (10,000 people would fill a log)."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._since = time.monotonic()
        self._counts = {"synced": 0, "new": 0, "needs owner": 0, "retrying": 0, "failed": 0}

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
            "%d failed and will be retried, %d stopped on an unexpected error",
            c["synced"],
            c["new"],
            seconds,
            c["needs owner"],
            c["retrying"],
            c["failed"],
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

    def __init__(self, url: str, concurrency: int) -> None:
        self.url = url
        self.concurrency = concurrency
        self._fleet: Fleet | None = None
        self._lock = threading.Lock()
        self.tally = Tally()

    def fleet(self) -> Fleet:
        with self._lock:
            if self._fleet is None:
                self._fleet = Fleet(self.url, connections=self.concurrency + 1)
            return self._fleet


def make_app(url: str, settings: WorkerSettings | None = None) -> procrastinate.App:
    settings = settings or WorkerSettings()
    deployment = Deployment(url, settings.concurrency)
    app = _App(connector=procrastinate.PsycopgConnector(conninfo=_conninfo(url)))
    retry = procrastinate.RetryStrategy(
        max_attempts=MAX_ATTEMPTS,
        exponential_wait=4,
        retry_exceptions={SyncRetry, DatabaseError, SQLAlchemyError},
    )

    @app.task(name=SYNC_TASK, retry=retry)
    def sync(account_id: int) -> None:
        try:
            result = sync_account(deployment.fleet(), account_id)
        except (SyncRetry, DatabaseError, SQLAlchemyError):
            deployment.tally.add("retrying")
            raise
        except Exception as exc:
            # Recorded where `fleet status` shows it; the queue's log gets the kind of error
            # only, never a text that might quote the account's mail.
            deployment.tally.add("failed")
            with contextlib.suppress(Exception):
                deployment.fleet().failed(
                    account_id, f"Unexpected error: {type(exc).__name__}.", needs_owner=False
                )
            raise SyncFailed(type(exc).__name__) from None
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
        await rerun_stalled(context.app.job_manager, deployment, settings.stalled_after)

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


async def rerun_stalled(manager: Any, deployment: Deployment, stalled_after: float) -> None:
    """Put back the syncs of workers whose heartbeats stopped; a sync whose workers died under
    it MAX_ATTEMPTS times (a mailbox that kills them) waits for its owner instead. A stalled
    housekeeping job is closed: the next tick runs it anew."""
    from procrastinate.jobs import Status

    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        try:
            if job.task_name != SYNC_TASK:
                await manager.finish_job_by_id_async(job.id, Status.FAILED, delete_job=False)
            elif job.attempts + 1 >= MAX_ATTEMPTS:
                await manager.finish_job_by_id_async(job.id, Status.FAILED, delete_job=False)
                account = int(job.task_kwargs.get("account_id", 0))
                message = (
                    f"The worker stopped during this account's sync {MAX_ATTEMPTS} times: a "
                    "message too big for it, or a server that hangs; see the worker's log."
                )
                await procrastinate_utils.sync_to_async(
                    deployment.fleet().failed, account, message, True
                )
            else:
                await manager.retry_job(job)
        except Exception:  # one job the queue refused must not leave the others stalled
            log.warning("could not put back stalled job %s", job.id, exc_info=True)


def defer_due(fleet: Fleet, configure: Callable[..., Any], batch: int = 500) -> int:
    """Defer one sync for each account that is due and has none waiting or running, in
    batches (one statement each: deferring 500 syncs one by one took 3 to 18 s of a busy
    worker, all of it lag)."""
    jobs = []
    for account_id, queue in fleet.claim_due(datetime.now(UTC)):
        key = f"sync:{account_id}"
        deferrer = configure(lock=key, queueing_lock=key, queue=queue)
        jobs.append((deferrer.job_manager, deferrer.make_new_job(account_id=account_id)))
    deferred = 0
    for i in range(0, len(jobs), batch):
        part = jobs[i : i + batch]
        manager = part[0][0]
        try:
            manager.batch_defer_jobs([job for _, job in part])
            deferred += len(part)
        except AlreadyEnqueued:  # one was deferred by hand a moment ago: the rest one by one
            for _, job in part:
                with contextlib.suppress(AlreadyEnqueued):
                    manager.defer_job(job)
                    deferred += 1
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
    app = make_app(url, settings)

    async def work() -> None:
        # Procrastinate runs a sync task on the loop's default executor, which has cores + 4
        # threads: without this, a --concurrency above that would not overlap more syncs.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(settings.concurrency + 2, thread_name_prefix="onward-sync")
        )
        async with app.open_async():
            log.info(
                "worker started: %d syncs at once, queues %s",
                settings.concurrency,
                ", ".join(settings.queues) or "all",
            )
            await app.run_worker_async(**options)

    asyncio.run(work())
