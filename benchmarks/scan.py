"""Scan benchmark: onward vs `notmuch new` and `mu index` on the same generated mail, one table.

    python benchmarks/scan.py [-n 50000] [--dir bench-data] [--runs 3] [--skip-imap]

Generates N messages once (cached in --dir) as a Maildir and as one mbox, then times, each
--runs times (the median is shown, the range beside it): reading every file with `cat` (the
floor), onward's first scan of the Maildir and of the mbox (`onward scan`, parse, classify,
store and tracker linking, every core), of the same Maildir served by a local Dovecot over
IMAP (`onward scan ACCOUNT`: loopback, STARTTLS; the files named as Dovecot's delivery names
them, and again as they are), `notmuch new` and
`mu index` on the same Maildir, and each one's rescan with nothing new. Peak memory is the
largest sum of the command's and all its processes' PSS (resident memory, each page shared
between processes counted once), sampled every 20 ms for the first second, then every 200 ms
(reading every process's page tables 50 times a second took 10-15% of the two cores from the
command measured: a 50,000-message scan took 12.1-13.1 s sampled so, 11.0-11.2 s unsampled).
With --baseline SRC, onward's rows are run again from another checkout's src/, alternating run
by run with this one's, so that both meet the same load on a shared machine.
The page cache is warm (every file is read once first). With --cold, where this user may
write /proc/sys/vm/drop_caches (root on Linux), the cat floors, onward's first scans, notmuch
and mu are also timed cold: the page cache dropped before each run (the programs' own files
too, as after a reboot), each compared with the cold floor and cold peers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mailgen import messages  # noqa: E402

# Runs a command; reports its wall time and the peak of the summed memory of its process tree.
TIMER = r"""
import json, os, resource, subprocess, sys, time

def memory(p):
    # PSS: pages shared between processes (a forked worker's copy of the parent) count once.
    try:
        with open(f"/proc/{p}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{p}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def tree_rss(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += memory(p)
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return total

t = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak = 0
while proc.poll() is None:
    peak = max(peak, tree_rss(proc.pid))
    time.sleep(0.02 if time.perf_counter() - t < 1 else 0.2)
wall = time.perf_counter() - t
err = proc.stderr.read().decode("utf-8", "replace")[-500:]
use = resource.getrusage(resource.RUSAGE_CHILDREN)  # every process of the tree, waited for
cpu = use.ru_utime + use.ru_stime
result = {"rc": proc.returncode, "wall": wall, "cpu": cpu, "rss_mb": peak / 1e6, "err": err}
print(json.dumps(result))
"""


class Failed(Exception):
    pass


def timed(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", TIMER, *cmd],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise Failed(f"{cmd[0]} failed with exit code {result['rc']}: {result['err']}")
    return result


def generate(root: Path, n: int) -> tuple[Path, Path]:
    maildir, mbox = root / f"maildir-v2-{n}", root / f"mail-v2-{n}.mbox"
    if (root / f"done-v2-{n}").exists():
        return maildir, mbox
    shutil.rmtree(maildir, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    t = time.perf_counter()
    with open(mbox, "wb") as box:
        for i, msg in enumerate(messages(n)):
            sub = "new" if i % 5 == 0 else "cur"
            name = f"{1700000000 + i}.M{i}P1.bench" + (":2,S" if sub == "cur" else "")
            (maildir / sub / name).write_bytes(msg)
            body = b"\n".join(
                b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in msg.split(b"\n")
            )
            box.write(b"From bench@example.com Wed Jan  1 00:00:00 2025\n" + body + b"\n\n")
    (root / f"done-v2-{n}").touch()
    print(f"generated {n} messages in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return maildir, mbox


Step = Callable[[], dict]


class Bench:
    def __init__(self, n: int, runs: int, work: Path) -> None:
        self.n, self.runs, self.work = n, runs, work
        self.rows: list[tuple[str, str, list[dict] | None]] = []

    def row(self, name: str, kind: str, setup: Callable[[], None] | None, step: Step) -> None:
        """`runs` timings of `step` (each after `setup`), or a note that it could not run."""
        results = []
        try:
            for _ in range(self.runs):
                if setup:
                    setup()
                results.append(step())
        except (Failed, OSError) as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            self.rows.append((name, kind, None))
            return
        self.rows.append((name, kind, results))
        print(f"{name}: {[round(r['wall'], 2) for r in results]}", file=sys.stderr)

    def median(self, name: str) -> float | None:
        for row_name, _, results in self.rows:
            if row_name == name and results:
                return statistics.median(r["wall"] for r in results)
        return None

    def table(self) -> None:
        warm = [self.median(n) for n in ("cat Maildir files (floor)", "notmuch new", "mu index")]
        cold = [self.median(f"{n}, cold") for n in ("cat Maildir files (floor)", "notmuch new")]
        cold.append(self.median("mu index, cold"))
        print(
            f"{'what':44} {'seconds (range)':>19} {'CPU s':>6} {'msgs/s':>8} {'peak mem':>9} "
            f"{'x cat':>6} {'vs notmuch':>10} {'vs mu':>6}"
        )
        for name, kind, results in self.rows:
            if results is None:
                print(f"{name:44} {'could not run (see above)':>19}")
                continue
            walls = sorted(r["wall"] for r in results)
            med = statistics.median(walls)
            rss = max(r["rss_mb"] for r in results)
            span = f"{med:7.2f} ({walls[0]:.2f}-{walls[-1]:.2f})"
            cpu = statistics.median(r["cpu"] for r in results)
            if kind == "rescan":
                print(f"{name:44} {span:>19} {cpu:6.2f} {'-':>8} {rss:6.0f} MB")
                continue
            cat, nm, mu = cold if name.endswith(", cold") else warm
            if "mbox" in name:  # an mbox is read against the cat of the mbox
                cat = self.median("cat mbox (floor)" + (", cold" if name.endswith("cold") else ""))
            ratios = [f"{med / cat:5.1f}x" if cat else f"{'-':>6}"]
            for peer in (nm, mu):
                ratios.append(f"{peer / med:9.2f}x" if peer and kind == "scan" else f"{'-':>10}")
            print(
                f"{name:44} {span:>19} {cpu:6.2f} {self.n / med:8,.0f} {rss:6.0f} MB "
                f"{ratios[0]:>6} {ratios[1]:>10} {ratios[2]:>6}"
            )


def onward_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "onward", *args]


def add_onward(b: Bench, maildir: Path, mbox: Path, baseline: Path | None) -> None:
    variants = [("", os.environ.get("PYTHONPATH", ""))]
    if baseline:
        variants.append((" [baseline]", str(baseline)))
    for label, path in (("Maildir", maildir), ("mbox", mbox)):
        first: dict[str, list[dict]] = {tag: [] for tag, _ in variants}
        again: dict[str, list[dict]] = {tag: [] for tag, _ in variants}
        try:
            for _ in range(b.runs):
                for tag, src in variants:  # alternating: both meet the same load
                    home = b.work / f"onward-{label}{tag.strip(' []')}"
                    shutil.rmtree(home, ignore_errors=True)
                    home.mkdir(parents=True)
                    env = {"ONWARD_HOME": str(home), "PYTHONPATH": src}
                    cmd = onward_cmd("scan", str(path), "--json")
                    first[tag].append(timed(cmd, env))
                    again[tag].append(timed(cmd, env))
        except (Failed, OSError) as exc:
            print(f"onward scan {label}: {exc}", file=sys.stderr)
            return
        for tag, _ in variants:
            b.rows.append((f"onward scan {label}{tag}", "scan", first[tag]))
            b.rows.append((f"onward scan {label}, nothing new{tag}", "rescan", again[tag]))


def deliver(maildir: Path, box: Path, sized: bool) -> None:
    """The very same files in a Dovecot user's Maildir. `sized` names them as Dovecot's own
    delivery (LDA, LMTP, APPEND) does, with the size and the CRLF size (`,S=...,W=...`);
    without them Dovecot reads every whole file to learn its size on the first FETCH."""
    if not sized:
        shutil.copytree(maildir, box)
        return
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
        for path in (maildir / sub).iterdir():
            raw = path.read_bytes()
            base, colon, flags = path.name.partition(":")
            crlf_size = len(raw) + raw.count(b"\n") - raw.count(b"\r\n")
            (box / sub / f"{base},S={len(raw)},W={crlf_size}{colon}{flags}").write_bytes(raw)


def add_imap(b: Bench, maildir: Path) -> None:
    from tests import dovecot as dv

    if not dv.available():
        print("IMAP: Dovecot is not installed, skipped", file=sys.stderr)
        return
    server = dv.Dovecot()
    server.start()
    try:
        for sized, label in ((True, ""), (False, ", files without sizes in their names")):
            user = dv.new_user()
            deliver(maildir, server.dir / "mail" / user / "Maildir", sized)
            if os.geteuid() == 0:
                subprocess.run(
                    ["chown", "-R", "nobody:nogroup", str(server.dir / "mail")], check=True
                )
            client = server.client(user)
            client.select_folder("INBOX", readonly=True)  # Dovecot indexes the new files once
            client.logout()
            home = b.work / f"onward-imap-{user}"
            env = {"ONWARD_HOME": str(home)}
            account = server.account(user)
            added = subprocess.run(
                onward_cmd(
                    "account", "add", "bench", "--imap", f"127.0.0.1:{server.port}",
                    "--user", user, "--starttls", "--ca-file", str(account["ca_file"]),
                    "--password-command", str(account["password_command"]),
                ),
                env={**os.environ, **env}, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if added.returncode:
                raise Failed(f"onward account add failed: {added.stderr[-300:]}")
            cmd = onward_cmd("scan", "bench", "--json")

            def fresh(home: Path = home) -> None:
                for name in ("onward.db", "onward.db-wal", "onward.db-shm", "last-scan.json"):
                    (home / name).unlink(missing_ok=True)

            def scan(cmd: list[str] = cmd, env: dict[str, str] = env) -> dict:
                return timed(cmd, env)

            b.row(f"onward scan IMAP{label}", "scan", fresh, scan)
            if sized:
                b.row("onward scan IMAP, nothing new", "rescan", None, scan)
    finally:
        server.cleanup()


def add_notmuch(b: Bench, maildir: Path, cold: bool = False) -> None:
    if not shutil.which("notmuch"):
        print("notmuch is not installed (apt-get install notmuch), skipped", file=sys.stderr)
        return
    db, cfg = b.work / "notmuch-db", b.work / "notmuch-config"
    cfg.write_text(
        f"[database]\npath={maildir}\nmail_root={maildir}\n\n[new]\ntags=inbox;\n"
        "[user]\nname=Bench\nprimary_email=sam@example.org\n"
    )
    # Keep the index outside the Maildir so that it is not read as mail.
    env = {"NOTMUCH_CONFIG": str(cfg), "NOTMUCH_DATABASE": str(db)}

    def fresh() -> None:
        shutil.rmtree(db, ignore_errors=True)
        db.mkdir(parents=True)

    cmd = ["notmuch", "new", "--quiet"]
    if cold:
        b.row(
            "notmuch new, cold", "scan", lambda: (fresh(), drop_caches()), lambda: timed(cmd, env)
        )
        return
    b.row("notmuch new", "scan", fresh, lambda: timed(cmd, env))
    b.row("notmuch new, nothing new", "rescan", None, lambda: timed(cmd, env))


def add_mu(b: Bench, maildir: Path, cold: bool = False) -> None:
    if not shutil.which("mu"):
        print("mu is not installed (apt-get install maildir-utils), skipped", file=sys.stderr)
        return
    home = b.work / "mu-home"

    def fresh() -> None:
        shutil.rmtree(home, ignore_errors=True)
        subprocess.run(
            ["mu", "init", f"--muhome={home}", f"--maildir={maildir}"],
            check=True,
            capture_output=True,
        )

    cmd = ["mu", "index", f"--muhome={home}", "--quiet"]
    if cold:
        b.row("mu index, cold", "scan", lambda: (fresh(), drop_caches()), lambda: timed(cmd))
        return
    b.row("mu index", "scan", fresh, lambda: timed(cmd))
    b.row("mu index, nothing new", "rescan", None, lambda: timed(cmd))


DROP = Path("/proc/sys/vm/drop_caches")


def drop_caches() -> None:
    os.sync()
    DROP.write_text("3\n")


def add_cold(b: Bench, maildir: Path, mbox: Path) -> None:
    """The same first scans with nothing in the page cache."""
    if not os.access(DROP, os.W_OK):
        print(f"--cold: {DROP} is not writable here (root on Linux only), skipped", file=sys.stderr)
        return
    cat_md = f"find {maildir} -type f -print0 | xargs -0 cat > /dev/null"
    b.row(
        "cat Maildir files (floor), cold", "floor", drop_caches, lambda: timed(["sh", "-c", cat_md])
    )
    b.row("cat mbox (floor), cold", "floor", drop_caches, lambda: timed(["cat", str(mbox)]))
    for label, path in (("Maildir", maildir), ("mbox", mbox)):
        home = b.work / f"onward-cold-{label}"

        def fresh(home: Path = home) -> None:
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            drop_caches()

        cmd = onward_cmd("scan", str(path), "--json")
        env = {"ONWARD_HOME": str(home)}
        b.row(f"onward scan {label}, cold", "scan", fresh, lambda c=cmd, e=env: timed(c, e))


def compiled(baseline: Path | None) -> None:
    """onward's modules compiled once, as an installed package's are: where the environment
    forbids writing them (PYTHONDONTWRITEBYTECODE) every run would compile every module again,
    10-20 ms of a rescan that finds nothing new."""
    import onward

    trees = [Path(onward.__file__).parent] + ([baseline / "onward"] if baseline else [])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for tree in trees:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], env=env, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=50_000)
    ap.add_argument("--dir", type=Path, default=Path("bench-data"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-imap", action="store_true")
    ap.add_argument("--baseline", type=Path, help="another checkout's src/ to compare with")
    ap.add_argument("--cold", action="store_true", help="also time first scans cold (root)")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    compiled(args.baseline)
    maildir, mbox = generate(args.dir.resolve(), args.n)
    work = Path(tempfile.mkdtemp(prefix="onward-bench-", dir=args.dir.resolve()))
    (maildir / ".notmuch").unlink(missing_ok=True)
    b = Bench(args.n, args.runs, work)
    try:
        cat_md = [f"find {maildir} -type f -print0 | xargs -0 cat > /dev/null"]
        timed(["sh", "-c", *cat_md])  # warms the page cache
        timed(["cat", str(mbox)])
        b.row("cat Maildir files (floor)", "floor", None, lambda: timed(["sh", "-c", *cat_md]))
        b.row("cat mbox (floor)", "floor", None, lambda: timed(["cat", str(mbox)]))
        add_onward(b, maildir, mbox, args.baseline)
        if not args.skip_imap:
            add_imap(b, maildir)
        add_notmuch(b, maildir)
        add_mu(b, maildir)
        if args.cold:
            add_cold(b, maildir, mbox)
            add_notmuch(b, maildir, cold=True)
            add_mu(b, maildir, cold=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size_mb = sum(f.stat().st_size for f in maildir.rglob("*") if f.is_file()) / 1e6
    print(
        f"\n{args.n:,} generated messages, {size_mb:,.0f} MB; {os.cpu_count()} cores; warm page "
        f"cache (', cold': dropped before each run); median of {args.runs} runs (range in "
        "brackets); peak memory (PSS) of all processes"
    )
    print(
        "'CPU s': user + system time of every process of the command (less sensitive to other "
        "work on the machine than the wall clock); 'x cat': time over the cat floor's; "
        "'vs notmuch/mu': onward's speed over theirs\n"
    )
    b.table()


if __name__ == "__main__":
    main()
