"""A private PostgreSQL on 127.0.0.1, for the demo of a deployment, the tests and the benchmarks:
its own data directory in a temp dir, trust authentication, durability off (shared/notes), never
a system service. As root it runs as the `postgres` user, which PostgreSQL requires."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


class Postgres:
    def __init__(self, *settings: str) -> None:
        """`settings` are extra `name=value` server settings (max_connections=300...)."""
        import psycopg

        binaries = pg_bin()
        if binaries is None:
            raise RuntimeError("PostgreSQL is not installed")
        root = os.geteuid() == 0
        as_pg: list[str] = []
        if root:
            pw = pwd.getpwnam("postgres")
            as_pg = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups"]
        # In /tmp, not a private home: the postgres user must own it and reach it.
        self.dir = tempfile.mkdtemp(prefix="onward-pg-")
        if root:
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        data = str(Path(self.dir) / "data")
        subprocess.run(
            [
                *as_pg,
                str(binaries / "initdb"),
                "-D",
                data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-N",
                "--no-instructions",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
            cwd="/",
        )
        self._log = open(Path(self.dir) / "log", "wb")  # noqa: SIM115
        options = [
            "listen_addresses=127.0.0.1",
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            *settings,
        ]
        self.proc = subprocess.Popen(
            [
                *as_pg,
                str(binaries / "postgres"),
                "-D",
                data,
                "-p",
                str(self.port),
                "-k",
                self.dir,
                *[arg for o in options for arg in ("-c", o)],
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd="/",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(
                    host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
                ).close()
                break
            except psycopg.OperationalError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(Path(self.dir, "log").read_text()) from None
                time.sleep(0.05)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"

    def database(self, name: str) -> str:
        """A new, empty database; its URL."""
        import psycopg

        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
