"""onward for many people on one PostgreSQL: their accounts synced by Procrastinate workers.

`providers.py` picks an account's queue (pure), `sync.py` syncs one account with the scanner
as a single person's `onward scan` does, and `worker.py` holds the Procrastinate app: the sync
task, the fan-out that defers due syncs, and the queue's housekeeping.
"""
