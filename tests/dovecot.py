"""A real Dovecot on 127.0.0.1 for the tests: own config, certificate and Maildirs in a temp dir.

Follows shared/notes/imap-testing.md: a static passdb so any fresh user name logs in
(per-test isolation without restarts), root and non-root variants, and a crash that
kills the whole process group followed by a clean restart.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
# Long enough never to occur by chance in a temporary path ("...ovecot-l_8pwlbz/..." did).
PASSWORD = "pw-s3cret-7q"
# A password LOGIN cannot carry (imaplib sends ASCII only), for the passwd file's second user.
UNICODE_USER, UNICODE_PASSWORD = "nadia", "pässwörd-密码"

CONF = """\
instance_name = dovecot-onward-{tag}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{d}/ssl/cert.pem
ssl_key = <{d}/ssl/key.pem
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
{extra}
{privs}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = {uid}home={d}/mail/%u allow_all_users=yes
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {sport}
    ssl = yes
  }}
}}
{anvil}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return Path(DOVECOT).exists()


# Dovecot's post-login capabilities without MOVE: clients must fall back to COPY + EXPUNGE.
NO_MOVE = (
    "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
    "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE "
    "UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH "
    "ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY SPECIAL-USE"
)

# The same without IDLE: a client that waits for mail must poll.
NO_IDLE = (
    "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY "
    "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE "
    "UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH "
    "ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE"
)


class Dovecot:
    def __init__(self, extra: str = "") -> None:
        self.extra = extra
        # Not pytest's tmp_path: as root it is 0700 and Dovecot's users cannot traverse it.
        self.dir = Path(tempfile.mkdtemp(prefix="onward-dovecot-", dir="/tmp"))
        self.port = free_port()
        self.sport = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._configure()

    @property
    def cafile(self) -> str:
        return str(self.dir / "ssl" / "cert.pem")

    def _configure(self) -> None:
        d = self.dir
        root = os.geteuid() == 0
        for sub in ("run", "state", "ssl", "mail"):
            (d / sub).mkdir()
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                str(d / "ssl" / "key.pem"),
                "-out",
                str(d / "ssl" / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        (d / "passwd").write_text(
            f"alice:{{PLAIN}}{PASSWORD}::::::\n{UNICODE_USER}:{{PLAIN}}{UNICODE_PASSWORD}::::::\n",
            encoding="utf-8",
        )
        if root:
            privs, uid, chroot, anvil = "", "uid=nobody gid=nogroup ", "", ""
            os.chmod(d, 0o711)
            os.chmod(d / "passwd", 0o644)
            nobody = pwd.getpwnam("nobody")
            os.chown(d / "mail", nobody.pw_uid, nobody.pw_gid)
        else:
            me = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
            privs = (
                f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                f"default_internal_group = {group}"
            )
            uid, chroot, anvil = "", "chroot =", "service anvil {\n  chroot =\n}"
        (d / "dovecot.conf").write_text(
            CONF.format(
                tag=uuid.uuid4().hex[:8],
                d=d,
                privs=privs,
                uid=uid,
                chroot=chroot,
                anvil=anvil,
                port=self.port,
                sport=self.sport,
                password=PASSWORD,
                extra=self.extra,
            )
        )

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.dir / "run" / "master.pid").unlink()
        self.proc = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.proc.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("dovecot did not greet within 20 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def crash(self) -> None:
        """SIGKILL master and children together, then clear what the dead left behind."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        time.sleep(0.2)  # let the children die before their locks are cleared
        for lock in self.dir.glob("mail/*/Maildir/**/dovecot-uidlist.lock"):
            lock.unlink(missing_ok=True)
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def doveadm(self, *args: str) -> str:
        done = subprocess.run(
            ["doveadm", "-c", str(self.dir / "dovecot.conf"), *args],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    # clients ---------------------------------------------------------------------------
    def account(self, user: str, port: int | None = None) -> dict[str, object]:
        """An onward account for `user` (STARTTLS, this server's certificate)."""
        return {
            "type": "imap",
            "host": "127.0.0.1",
            "port": port or self.port,
            "user": user,
            "security": "starttls",
            "ca_file": self.cafile,
            "password_command": f"echo {PASSWORD}",
        }

    def client(self, user: str, tls: bool = False) -> IMAPClient:
        if tls:
            ctx = ssl.create_default_context(cafile=self.cafile)
            c = IMAPClient("127.0.0.1", port=self.sport, ssl=True, ssl_context=ctx, timeout=30)
        else:
            c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        c.login(user, PASSWORD)
        return c

    def seed(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        c = self.client(user)
        try:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            for i in range(0, len(messages), 500):
                c.multiappend(folder, messages[i : i + 500])
        finally:
            c.logout()

    def add_users(self, passwords: dict[str, str]) -> None:
        """Virtual users with passwords of their own, in the passwd-file; returns once Dovecot
        has read the file again (it looks at most once a second: shared/notes)."""
        lines = "".join(f"{user}:{{PLAIN}}{pw}::::::\n" for user, pw in passwords.items())
        with open(self.dir / "passwd", "a", encoding="utf-8") as f:
            f.write(lines)
        user, pw = list(passwords.items())[-1]
        deadline = time.monotonic() + 10
        while True:
            c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
            try:
                c.login(user, pw)
                c.logout()
                return
            except LoginError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
            finally:
                with contextlib.suppress(Exception):
                    c.shutdown()

    def fill_maildir(self, user: str, messages: list[bytes]) -> None:
        """Put `messages` in `user`'s INBOX as new mail files, as a delivery agent would;
        Dovecot gives them UIDs at the next login. Ten times faster than APPEND for a big
        mailbox (2,000 messages: 0.08 s, then 0.05 s for Dovecot to index them, against 1.0 s
        by MULTIAPPEND)."""
        maildir = self.dir / "mail" / user / "Maildir"
        for sub in ("tmp", "new", "cur"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        stamp = int(time.time())
        files = []
        for i, raw in enumerate(messages):
            # Delivery's own rule: write in tmp/, then rename into new/.
            name = f"{stamp}.M{i}P{os.getpid()}Q{uuid.uuid4().hex[:8]}.onward,S={len(raw)}"
            (maildir / "tmp" / name).write_bytes(raw)
            files.append(name)
        owner = self._mail_owner()
        if owner is not None:
            for d in (maildir.parent, maildir, *(maildir / s for s in ("tmp", "new", "cur"))):
                os.chown(d, *owner)
            for name in files:
                os.chown(maildir / "tmp" / name, *owner)
        for name in files:
            (maildir / "tmp" / name).rename(maildir / "new" / name)

    def _mail_owner(self) -> tuple[int, int] | None:
        """Who Dovecot reads mail as: nobody when run as root (the userdb says so)."""
        if os.geteuid() != 0:
            return None
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_uid, nobody.pw_gid

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Store these exact bytes, as delivery would: APPEND refuses NUL and bare 8-bit."""
        subprocess.run(
            ["doveadm", "-c", str(self.dir / "dovecot.conf"), "save", "-u", user, "-m", folder],
            input=raw,
            check=True,
            capture_output=True,
        )


def new_user() -> str:
    return f"u{uuid.uuid4().hex[:10]}"
