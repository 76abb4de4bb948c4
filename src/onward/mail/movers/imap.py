"""Moving mail on an IMAP server: UID MOVE, or UID COPY + STORE \\Deleted + UID EXPUNGE.

Never a plain EXPUNGE: it would also remove messages another client marked \\Deleted.
A connection that drops mid-command may leave a message in both folders (Dovecot commits
a large MOVE in steps), so `reconcile` compares the copies byte for byte before it removes
the one left behind.

A message no longer at its UID is looked up with `SEARCH HEADER Message-ID`, which matches
every Message-ID that merely contains the text. A hit is only a candidate: it is taken once
its own header block shows exactly the journaled Message-ID and header fingerprint.
"""

from __future__ import annotations

import hashlib
import imaplib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from onward.mail.movers.base import Located, Move, MoveError, Outcome, norm_mid
from onward.mail.network import NETWORK_ERRORS
from onward.mail.parse import message_id_from, parse_message
from onward.mail.sources.base import SourceError
from onward.mail.sources.imap import ImapSource, describe_error

CHUNK = 250  # UIDs per command: a few commands per batch, short enough to resume cheaply
MID_FIELD = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
HEAD_FIELD = b"BODY.PEEK[HEADER]"
MIN_SEARCHABLE = 6  # "<a@b>" and shorter would match half the mailbox as a substring
MAX_HITS = 100  # a real Message-ID is in a folder a few times at most
T = TypeVar("T")
_REFUSED = (imaplib.IMAP4.error, IMAPClientError)  # a NO or BAD answer, the connection is fine


def parse_uid_set(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        a, b = int(lo), int(hi or lo)
        out.extend(range(min(a, b), max(a, b) + 1))
    return out


def copyuid_map(value: bytes | str | None) -> tuple[int, dict[int, int]]:
    """RFC 4315 COPYUID "uidvalidity src-set dst-set" as (uidvalidity, {src: dst})."""
    if not value:
        return 0, {}
    text = value.decode() if isinstance(value, bytes) else value
    parts = text.split()
    if len(parts) != 3:
        return 0, {}
    src, dst = parse_uid_set(parts[1]), parse_uid_set(parts[2])
    return int(parts[0]), dict(zip(src, dst, strict=False))


def search_problem(message_id: str) -> str:
    """Why this Message-ID must not be searched for, or "" when it may be."""
    text = norm_mid(message_id)
    if len(text) < MIN_SEARCHABLE:
        return "its Message-ID is too short to look it up by"
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        return "its Message-ID has control characters, so it was not looked up"
    return ""


def _pairs(moves: list[Move]) -> dict[tuple[str, str], list[Move]]:
    """Moves grouped by (source folder, destination folder)."""
    groups: dict[tuple[str, str], list[Move]] = defaultdict(list)
    for m in moves:
        groups[(m.from_folder, m.to_folder)].append(m)
    return groups


def _chunks(items: list[T], n: int = CHUNK) -> Iterator[list[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fits(m: Move, fingerprint: str) -> bool:
    return not m.fingerprint or fingerprint == m.fingerprint


class ImapMover:
    def __init__(self, source: ImapSource) -> None:
        self.source = source
        self.name = source.name
        self.commands: Counter[str] = Counter()
        self.relocates = True
        self._prefix_sep: tuple[str, str] | None = None

    # plumbing ----------------------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except SourceError as exc:
            raise MoveError(str(exc)) from exc
        except NETWORK_ERRORS as exc:
            self.source.drop()
            raise MoveError(describe_error(exc, self.source.settings, self.source.name)) from exc

    @property
    def _c(self) -> IMAPClient:
        return self.source.connect()

    def _run(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        self.commands[name] += 1
        return fn(*args)

    def _pop(self, code: str) -> bytes | None:
        # imaplib keeps response codes such as COPYUID until read: a stale one would lie.
        found = self._c._imap.untagged_responses.pop(code, None)
        return found[-1] if found else None

    def _select(self, folder: str, readonly: bool = False) -> int:
        # EXAMINE where nothing is changed: a plan (a dry run too) must not even clear \Recent.
        name = "EXAMINE" if readonly else "SELECT"
        info = self._run(name, self._c.select_folder, folder, readonly)
        return int(info[b"UIDVALIDITY"])

    def _message_ids(self, uids: Iterable[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(set(uids)), 500):
            resp = self._run("UID FETCH", self._c.fetch, chunk, [MID_FIELD])
            for uid, data in resp.items():
                raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                out[uid] = norm_mid(message_id_from(raw or b""))
        return out

    def _hashes(self, uids: Iterable[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(set(uids)), 50):
            resp = self._run("UID FETCH", self._c.fetch, chunk, [b"BODY.PEEK[]"])
            for uid, data in resp.items():
                out[uid] = hashlib.sha256(data.get(b"BODY[]") or b"").hexdigest()
        return out

    def _heads(self, uids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """(Message-ID, header fingerprint) of each UID, read exactly as a scan reads them."""
        out: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(sorted(set(uids)), 50):
            resp = self._run("UID FETCH", self._c.fetch, chunk, [HEAD_FIELD])
            for uid, data in resp.items():
                found = parse_message(data.get(b"BODY[HEADER]") or b"")
                out[uid] = (norm_mid(found.message_id), found.fingerprint)
        return out

    def _search_mid(self, mid: str) -> list[int] | None:
        """Candidates only (a substring match); None when the server refused the search."""
        criteria: str | list[str] = ["HEADER", "Message-ID", mid]
        charset: str | None = "UTF-8"  # 8-bit text goes as a literal
        if mid.isascii():
            # IMAPClient sends an atom-like value bare, where "(", "*" or a final "{5}" would
            # break the command or make the server wait for a literal: always quote it.
            criteria, charset = "HEADER Message-ID " + _quoted(mid), None
        try:
            found = self._run("UID SEARCH", self._c.search, criteria, charset)
        except _REFUSED as exc:
            if isinstance(exc, imaplib.IMAP4.abort):
                raise
            return None
        return sorted(found)

    def _by_message_id(self, m: Move) -> tuple[list[int], str]:
        """UIDs in the selected folder whose header block is m's, or why none could be.

        Exact Message-ID always; the header fingerprint too when the journal knows it.
        """
        why = search_problem(m.message_id)
        if why:
            return [], why
        hits = self._search_mid(m.message_id)
        if hits is None:
            return [], "the server would not search for its Message-ID"
        if len(hits) > MAX_HITS:
            return [], "too many messages match its Message-ID to tell which one it is"
        want = norm_mid(m.message_id)
        heads = self._heads(hits) if hits else {}
        same = sorted(u for u, (mid, fp) in heads.items() if mid == want and _fits(m, fp))
        if hits and not same:
            return [], "a message with a similar Message-ID is there, but it is another one"
        return same, ""

    def _refind(self, m: Move, claimed: set[int]) -> tuple[int, str]:
        """The journaled message's UID in the selected folder, proven; or 0 and why not."""
        if not m.fingerprint:
            return 0, "onward has no record of its headers to tell it from another message"
        uids, why = self._by_message_id(m)
        free = [u for u in uids if u not in claimed]
        return (free[0], "") if free else (0, why)

    def _remove(self, uids: list[int]) -> None:
        """Remove exactly these UIDs from the selected folder (their copies are confirmed)."""
        for chunk in _chunks(sorted(uids)):
            self._run("UID STORE", self._c.add_flags, chunk, [DELETED], True)
            self._run("UID EXPUNGE", self._c.uid_expunge, chunk)

    # folders -----------------------------------------------------------------------------
    def _namespace(self) -> tuple[str, str]:
        if self._prefix_sep is None:
            prefix, sep = "", "/"
            c = self._c
            if c.has_capability("NAMESPACE"):
                personal = self._run("NAMESPACE", c.namespace).personal
                if personal:
                    prefix, sep = personal[0][0] or "", personal[0][1] or ""
            else:
                found = self._run("LIST", c.list_folders, "", "INBOX")
                if found:
                    raw = found[0][1]
                    sep = raw.decode() if isinstance(raw, bytes) else (raw or "")
            self._prefix_sep = (prefix, sep)
        return self._prefix_sep

    def folder_name(self, folder: str) -> str:
        if folder.upper() == "INBOX":
            return "INBOX"
        with self._errors():
            prefix, sep = self._namespace()
        name = folder.replace("/", sep) if sep else folder
        return name if name.startswith(prefix) else prefix + name

    def prepare(self, folders: list[str]) -> dict[str, Any]:
        with self._errors():
            c = self._c
            if not (c.has_capability("MOVE") or c.has_capability("UIDPLUS")):
                raise MoveError(
                    f"{self.source.settings.host} offers neither MOVE nor UIDPLUS, so moving "
                    "mail there could expunge other messages; nothing was moved."
                )
            marks: dict[str, Any] = {}
            for folder in folders:
                if not self._run("LIST", c.folder_exists, folder):
                    self._create(folder)
                st = self._run("STATUS", c.folder_status, folder, [b"UIDNEXT", b"UIDVALIDITY"])
                marks[folder] = {
                    "uidnext": int(st[b"UIDNEXT"]),
                    "uidvalidity": int(st[b"UIDVALIDITY"]),
                }
            return marks

    def _create(self, folder: str) -> None:
        _prefix, sep = self._namespace()
        parts = folder.split(sep) if sep else [folder]
        for i in range(1, len(parts) + 1):
            name = sep.join(parts[:i]) if sep else folder
            if i < len(parts) and self._run("LIST", self._c.folder_exists, name):
                continue
            if i < len(parts):
                try:  # some servers want parents first; others refuse them: both are fine
                    self._run("CREATE", self._c.create_folder, name)
                except _REFUSED as exc:
                    if isinstance(exc, imaplib.IMAP4.abort):
                        raise
                continue
            self._run("CREATE", self._c.create_folder, name)
            try:
                self._run("SUBSCRIBE", self._c.subscribe_folder, name)
            except _REFUSED as exc:
                if isinstance(exc, imaplib.IMAP4.abort):
                    raise

    # locating ----------------------------------------------------------------------------
    def locate(self, moves: list[Move]) -> Located:
        out = Located()
        with self._errors():
            by_folder: dict[str, list[Move]] = defaultdict(list)
            for m in moves:
                by_folder[m.from_folder].append(m)
            for folder, group in by_folder.items():
                self._locate_in(folder, group, out)
        return out

    def _locate_in(self, folder: str, group: list[Move], out: Located) -> None:
        uidvalidity = self._select(folder, readonly=True)
        keyed = {id(m) for m in group if m.from_uidvalidity == uidvalidity and m.from_key.isdigit()}
        mids = self._message_ids(int(m.from_key) for m in group if id(m) in keyed)
        claimed: set[int] = set()
        elsewhere: list[Move] = []
        for m in group:
            uid = int(m.from_key) if m.from_key.isdigit() else 0
            if id(m) in keyed and mids.get(uid) == norm_mid(m.message_id) and uid not in claimed:
                claimed.add(uid)
                m.from_uidvalidity = uidvalidity
                out.found.append(m)
            else:
                elsewhere.append(m)
        # Moved by another client, or the folder was renumbered: look each up by Message-ID,
        # only once every message still at its UID has claimed it.
        for m in elsewhere:
            uid, why = self._refind(m, claimed)
            if uid:
                claimed.add(uid)
                m.from_key, m.from_uidvalidity = str(uid), uidvalidity
                out.found.append(m)
            else:
                out.missing.append((m, f"no longer in {folder}" + (f" ({why})" if why else "")))

    # moving ------------------------------------------------------------------------------
    def move(self, moves: list[Move]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with self._errors():
            for (src, dst), group in _pairs(moves).items():
                self._select(src)
                by_uid = {int(m.from_key): m for m in group}
                for chunk in _chunks(sorted(by_uid)):
                    outcomes.extend(self._move_chunk(chunk, dst, by_uid))
        return outcomes

    def _move_chunk(self, uids: list[int], dst: str, by_uid: dict[int, Move]) -> list[Outcome]:
        c = self._c
        self._pop("COPYUID")
        if c.has_capability("MOVE"):
            self._run("UID MOVE", c.move, uids, dst)
            validity, mapping = copyuid_map(self._pop("COPYUID"))
            if not mapping:  # no UIDPLUS: MOVE said OK, so every UID moved
                return [Outcome(by_uid[u].id, "done") for u in uids]
        else:
            self._run("UID COPY", c.copy, uids, dst)
            validity, mapping = copyuid_map(self._pop("COPYUID"))
            if mapping:
                self._remove(sorted(mapping))
        return [
            Outcome(by_uid[u].id, "done", str(mapping[u]), validity)
            if u in mapping
            else Outcome(by_uid[u].id, "aborted", note="the server did not copy it")
            for u in uids
        ]

    # reconciling -------------------------------------------------------------------------
    def reconcile(self, moves: list[Move], marks: dict[str, Any]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with self._errors():
            for (src, dst), group in _pairs(moves).items():
                outcomes.extend(self._reconcile_pair(src, dst, group, marks.get(dst, {})))
        return outcomes

    def _reconcile_pair(
        self, src: str, dst: str, group: list[Move], mark: dict[str, Any]
    ) -> list[Outcome]:
        dst_validity = self._select(dst)
        in_dst = self._in_dst(group, mark, dst_validity)
        at_src = self._at_src(group, self._select(src))
        return self._settle(src, dst, group, at_src, in_dst, dst_validity)

    def _in_dst(
        self, group: list[Move], mark: dict[str, Any], validity: int
    ) -> dict[int, list[int]]:
        """Per move, the destination UIDs carrying its header block: its copies, if any.

        Without a known fingerprint a candidate is only as good as its Message-ID: it is then
        taken only if byte-equal to the message still in the source.
        """
        if mark.get("uidvalidity") != validity:
            return {m.id: self._by_message_id(m)[0] for m in group}
        # Ours are among the UIDs created since the batch began.
        start = int(mark.get("uidnext", 1))
        fresh = [u for u in self._run("UID SEARCH", self._c.search, ["UID", f"{start}:*"])]
        heads = self._heads(u for u in fresh if u >= start)
        return {
            m.id: sorted(
                u
                for u, (mid, fp) in heads.items()
                if mid == norm_mid(m.message_id) and _fits(m, fp)
            )
            for m in group
        }

    def _at_src(self, group: list[Move], validity: int) -> dict[int, Move]:
        """Where each move's message still is in the (selected) source, by UID."""
        if all(m.from_uidvalidity == validity for m in group):
            mids = self._message_ids(int(m.from_key) for m in group)
            return {
                int(m.from_key): m
                for m in group
                if mids.get(int(m.from_key)) == norm_mid(m.message_id)
            }
        at_src: dict[int, Move] = {}
        for m in group:
            uid, _why = self._refind(m, set(at_src))
            if uid:
                m.from_key, m.from_uidvalidity = str(uid), validity
                at_src[uid] = m
        return at_src

    def _settle(
        self,
        src: str,
        dst: str,
        group: list[Move],
        at_src: dict[int, Move],
        in_dst: dict[int, list[int]],
        dst_validity: int,
    ) -> list[Outcome]:
        src_uid = {m.id: uid for uid, m in at_src.items()}
        claimed: set[int] = set()
        # A message gone from the source whose proven copy is in the destination was moved.
        placed: dict[int, int] = {}
        for m in group:
            free = [u for u in in_dst.get(m.id, []) if u not in claimed]
            if m.id not in src_uid and m.fingerprint and free:
                placed[m.id] = free[0]
                claimed.add(free[0])
        both = {
            uid: [u for u in in_dst.get(m.id, []) if u not in claimed] for uid, m in at_src.items()
        }
        both = {uid: cands for uid, cands in both.items() if cands}
        same, differ = self._left_behind(src, dst, both, claimed)
        self._select(dst)
        out: list[Outcome] = []
        for m in group:
            uid = src_uid.get(m.id)
            if uid is not None and uid in same:
                out.append(
                    Outcome(m.id, "done", str(same[uid]), dst_validity, "copy left behind removed")
                )
            elif uid is not None and uid in differ:
                out.append(
                    Outcome(m.id, "conflict", note=f"in {src} and {dst}, and the copies differ")
                )
            elif uid is not None:
                out.append(Outcome(m.id, "aborted", note="the move never happened"))
            elif m.id in placed:
                out.append(Outcome(m.id, "done", str(placed[m.id]), dst_validity))
            else:
                out.append(self._found_late(m, src, dst, claimed, dst_validity))
        return out

    def _left_behind(
        self, src: str, dst: str, both: dict[int, list[int]], claimed: set[int]
    ) -> tuple[dict[int, int], set[int]]:
        """Remove source copies whose destination copy is byte-equal.

        Returns {source UID: its destination UID} and the source UIDs whose candidates all
        differ. Each source message claims one equal copy; equal copies nobody claimed are
        the duplicates an interrupted move left in the destination, and are removed too.
        """
        if not both:
            return {}, set()
        src_hash = self._hashes(both)  # the source is selected
        self._select(dst)
        dst_hash = self._hashes(u for cands in both.values() for u in cands)
        same: dict[int, int] = {}
        equal: dict[int, list[int]] = {}
        for uid, cands in both.items():
            equal[uid] = [u for u in cands if dst_hash.get(u) == src_hash.get(uid)]
            free = [u for u in equal[uid] if u not in claimed]
            if free:
                same[uid] = free[0]
                claimed.add(free[0])
        extra = sorted({u for uid in same for u in equal[uid]} - claimed)
        if extra:
            self._remove(extra)
        if same:
            self._select(src)
            self._remove(sorted(same))
        return same, {uid for uid in both if not equal[uid]}

    def _found_late(
        self, m: Move, src: str, dst: str, claimed: set[int], dst_validity: int
    ) -> Outcome:
        """A message in neither place we looked first: anywhere in the (selected) destination?"""
        uid, why = self._refind(m, claimed)
        if uid:
            claimed.add(uid)
            return Outcome(m.id, "done", str(uid), dst_validity)
        return Outcome(
            m.id, "gone", note=f"in neither {src} nor {dst}" + (f" ({why})" if why else "")
        )

    def close(self) -> None:
        self.source.close()
