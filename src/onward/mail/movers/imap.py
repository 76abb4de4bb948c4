"""Moving mail on an IMAP server: UID MOVE, or UID COPY + STORE \\Deleted + UID EXPUNGE.

Never a plain EXPUNGE: it would also remove messages another client marked \\Deleted.
A connection that drops mid-command may leave a message in both folders (Dovecot commits
a large MOVE in steps), so `reconcile` compares the copies byte for byte before it removes
the one left behind.
"""

from __future__ import annotations

import hashlib
import imaplib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from onward.mail.movers.base import Located, Move, MoveError, Outcome, norm_mid
from onward.mail.parse import message_id_from
from onward.mail.sources.base import SourceError
from onward.mail.sources.imap import _NETWORK_ERRORS, ImapSource, describe_error

CHUNK = 250  # UIDs per command: a few commands per batch, short enough to resume cheaply
MID_FIELD = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
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


def _pairs(moves: list[Move]) -> dict[tuple[str, str], list[Move]]:
    """Moves grouped by (source folder, destination folder)."""
    groups: dict[tuple[str, str], list[Move]] = defaultdict(list)
    for m in moves:
        groups[(m.from_folder, m.to_folder)].append(m)
    return groups


def _chunks(items: list[T], n: int = CHUNK) -> Iterator[list[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


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
        except _NETWORK_ERRORS as exc:
            self.source.drop()
            raise MoveError(describe_error(exc, self.source.settings)) from exc

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

    def _select(self, folder: str) -> int:
        info = self._run("SELECT", self._c.select_folder, folder)
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

    def _search_mid(self, mid: str) -> list[int]:
        return list(self._run("UID SEARCH", self._c.search, ["HEADER", "Message-ID", mid]))

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
        uidvalidity = self._select(folder)
        keyed = {id(m) for m in group if m.from_uidvalidity == uidvalidity and m.from_key.isdigit()}
        mids = self._message_ids(int(m.from_key) for m in group if id(m) in keyed)
        claimed: set[int] = set()
        for m in group:
            uid = int(m.from_key) if m.from_key.isdigit() else 0
            if id(m) in keyed and mids.get(uid) == norm_mid(m.message_id) and uid not in claimed:
                claimed.add(uid)
                m.from_uidvalidity = uidvalidity
                out.found.append(m)
                continue
            # Moved by another client, or the folder was renumbered: look it up by Message-ID.
            hits = [u for u in self._search_mid(m.message_id) if u not in claimed]
            if hits:
                claimed.add(hits[0])
                m.from_key, m.from_uidvalidity = str(hits[0]), uidvalidity
                out.found.append(m)
            else:
                out.missing.append((m, f"no longer in {folder}"))

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
        # Where each message is now: in the destination among the UIDs created since the
        # batch began (ours), and in the source at the UID it had.
        dst_validity = self._select(dst)
        ours: dict[str, list[int]] = defaultdict(list)
        if mark.get("uidvalidity") == dst_validity:
            start = int(mark.get("uidnext", 1))
            fresh = [u for u in self._run("UID SEARCH", self._c.search, ["UID", f"{start}:*"])]
            for uid, mid in self._message_ids(u for u in fresh if u >= start).items():
                ours[mid].append(uid)
        else:
            for m in group:
                ours[norm_mid(m.message_id)] = self._search_mid(m.message_id)
        src_validity = self._select(src)
        at_src: dict[int, Move] = {}
        if all(m.from_uidvalidity == src_validity for m in group):
            mids = self._message_ids(int(m.from_key) for m in group)
            at_src = {
                int(m.from_key): m
                for m in group
                if mids.get(int(m.from_key)) == norm_mid(m.message_id)
            }
        else:
            for m in group:
                hits = self._search_mid(m.message_id)
                if hits:
                    m.from_key, m.from_uidvalidity = str(hits[0]), src_validity
                    at_src[hits[0]] = m
        return self._settle(src, dst, group, at_src, ours, dst_validity)

    def _settle(
        self,
        src: str,
        dst: str,
        group: list[Move],
        at_src: dict[int, Move],
        ours: dict[str, list[int]],
        dst_validity: int,
    ) -> list[Outcome]:
        out: list[Outcome] = []
        both = {uid: m for uid, m in at_src.items() if ours.get(norm_mid(m.message_id))}
        src_hash = self._hashes(both) if both else {}
        dst_uids = [u for m in both.values() for u in ours[norm_mid(m.message_id)]]
        self._select(dst)
        dst_hash = self._hashes(dst_uids) if dst_uids else {}
        extra: list[int] = []  # duplicate copies our interrupted move left in the destination
        same: dict[int, int] = {}
        for uid, m in both.items():
            equal = [
                u for u in ours[norm_mid(m.message_id)] if dst_hash.get(u) == src_hash.get(uid)
            ]
            if equal:
                same[uid] = equal[0]
                extra.extend(equal[1:])
        if extra:
            self._remove(extra)
        if same:
            self._select(src)
            self._remove(sorted(same))
        self._select(dst)
        for m in group:
            mid = norm_mid(m.message_id)
            uid = int(m.from_key) if m.from_key.isdigit() else 0
            if uid in same:
                out.append(
                    Outcome(m.id, "done", str(same[uid]), dst_validity, "copy left behind removed")
                )
            elif uid in both:
                out.append(
                    Outcome(m.id, "conflict", note=f"in {src} and {dst}, and the copies differ")
                )
            elif uid in at_src:
                out.append(Outcome(m.id, "aborted", note="the move never happened"))
            elif ours.get(mid):
                out.append(Outcome(m.id, "done", str(ours[mid][0]), dst_validity))
            else:
                found = self._search_mid(m.message_id)
                if found:
                    out.append(Outcome(m.id, "done", str(found[0]), dst_validity))
                else:
                    out.append(Outcome(m.id, "gone", note=f"in neither {src} nor {dst}"))
        return out

    def close(self) -> None:
        self.source.close()
