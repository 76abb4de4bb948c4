"""Scan benchmark: onward vs `notmuch new` and `mu index` on the same generated mail.

    python benchmarks/scan.py [-n 50000] [--dir bench-data] [--skip-imap]

Generates N messages once (cached in --dir) as a Maildir and as one mbox, then in one run
times, on a warm page cache: reading every file with `cat` (the floor), `onward scan` of the
Maildir and of the mbox (parse and store, using every core), `notmuch new` and `mu index`
on the same Maildir, and the IMAP rescan of an N-message folder on a local Dovecot when
nothing is new. Prints messages per second, peak RSS of the largest process and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mailgen import messages  # noqa: E402

# Runs a command and reports its wall time and the peak RSS of its largest process.
TIMER = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": rc, "wall": wall, "rss_mb": rss / 1024}))
"""


def timed(cmd: list[str], env: dict[str, str] | None = None, shell: bool = False) -> dict:
    if shell:
        cmd = ["sh", "-c", cmd[0]]
    out = subprocess.run(
        [sys.executable, "-c", TIMER, *cmd],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    result = json.loads(out.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{cmd} failed with exit code {result['rc']}")
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


def onward(args: list[str], home: Path) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return timed(
        [sys.executable, "-m", "onward", "scan", *args, "--json"], env={"ONWARD_HOME": str(home)}
    )


def notmuch(maildir: Path, work: Path) -> dict | None:
    if not shutil.which("notmuch"):
        return None
    db = work / "notmuch-db"
    shutil.rmtree(db, ignore_errors=True)
    db.mkdir(parents=True)
    cfg = work / "notmuch-config"
    cfg.write_text(
        f"[database]\npath={maildir}\nmail_root={maildir}\n\n[new]\ntags=inbox;\n"
        f"[user]\nname=Bench\nprimary_email=sam@example.org\n"
    )
    # Keep the index outside the Maildir so that it is not read as mail.
    env = {"NOTMUCH_CONFIG": str(cfg), "NOTMUCH_DATABASE": str(db)}
    (maildir / ".notmuch").unlink(missing_ok=True)
    return timed(["notmuch", "new", "--quiet"], env=env)


def mu(maildir: Path, work: Path) -> dict | None:
    if not shutil.which("mu"):
        return None
    home = work / "mu-home"
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run(
        ["mu", "init", f"--muhome={home}", f"--maildir={maildir}"], check=True, capture_output=True
    )
    return timed(["mu", "index", f"--muhome={home}", "--quiet"])


def imap_rescan(n: int) -> tuple[float, float] | None:
    from tests import dovecot as dv
    from tests.factory import message

    if not dv.available():
        return None
    from onward.accounts import account_source
    from onward.scan import Scanner
    from onward.store import Store

    server = dv.Dovecot()
    server.start()
    try:
        user = dv.new_user()
        server.seed(user, [message(i) for i in range(n)])
        account = server.account(user)
        with tempfile.TemporaryDirectory() as d:
            store = Store.for_path(Path(d) / "o.db")
            t = time.perf_counter()
            first = Scanner(store).run(account_source("b", account)[0])
            full = time.perf_counter() - t
            assert first.new == n, first
            t = time.perf_counter()
            again = Scanner(store).run(account_source("b", account)[0])
            rescan = time.perf_counter() - t
            assert again.new == 0
        return full, rescan
    finally:
        server.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=50_000)
    ap.add_argument("--dir", type=Path, default=Path("bench-data"))
    ap.add_argument("--skip-imap", action="store_true")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    maildir, mbox = generate(args.dir.resolve(), args.n)
    work = args.dir.resolve() / "work"
    work.mkdir(exist_ok=True)
    size_mb = mbox.stat().st_size / 1e6
    print(f"{args.n} messages, {size_mb:,.0f} MB; {os.cpu_count()} cores; warm cache\n")

    rows: list[tuple[str, dict | None]] = []
    timed([f"find {maildir} -type f -print0 | xargs -0 cat > /dev/null"], shell=True)  # warm
    rows.append(
        (
            "cat (Maildir files, floor)",
            timed([f"find {maildir} -type f -print0 | xargs -0 cat > /dev/null"], shell=True),
        )
    )
    rows.append(("onward scan Maildir", onward([str(maildir)], work / "onward-md")))
    rows.append(("onward scan mbox", onward([str(mbox)], work / "onward-mbox")))
    rows.append(("notmuch new (Maildir)", notmuch(maildir, work)))
    rows.append(("mu index (Maildir)", mu(maildir, work)))

    by = dict(rows)
    print(f"{'what':32} {'seconds':>8} {'msgs/s':>9} {'peak RSS':>9}  vs notmuch  vs mu")
    for name, r in rows:
        if r is None:
            print(f"{name:32} {'not installed':>8}")
            continue
        rate = args.n / r["wall"]
        ratios = []
        for peer in ("notmuch new (Maildir)", "mu index (Maildir)"):
            p = by.get(peer)
            ratios.append(f"{rate / (args.n / p['wall']):9.2f}x" if p else f"{'-':>10}")
        print(
            f"{name:32} {r['wall']:8.1f} {rate:9,.0f} {r['rss_mb']:7.0f} MB {ratios[0]} {ratios[1]}"
        )

    if not args.skip_imap:
        res = imap_rescan(args.n)
        if res is None:
            print("\nIMAP: Dovecot not installed, skipped")
        else:
            full, rescan = res
            print(
                f"\nIMAP, {args.n} messages on a local Dovecot: first scan {full:.1f} s "
                f"({args.n / full:,.0f} msgs/s), rescan with nothing new {rescan * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
