from __future__ import annotations

import io
import mailbox
import tracemalloc
from pathlib import Path

import pytest

from onward.mail.parse import parse_message
from onward.mail.prefix import bounded
from onward.mail.sources import detect_path_kind, open_path_source
from onward.mail.sources.mbox import split_mbox
from onward.scan import Scanner
from onward.store import Store
from tests.factory import mbox_bytes, message


def store(tmp_path: Path) -> Store:
    return Store.for_path(tmp_path / "db" / "onward.db")


def test_mbox_split_unquotes_and_keeps_unquoted_from_lines_inside() -> None:
    body = "Hello\n\nFrom the team at Acme, thanks.\n>From quoted\nbye\n"
    data = mbox_bytes([message(1, body=body), message(2)])
    # A writer that forgot to quote: "From " not after a blank line is body text.
    data = data.replace(b"bye\n", b"bye\nFrom here on it is body\n")
    msgs = list(split_mbox(io.BytesIO(data)))
    assert len(msgs) == 2
    assert b"\nFrom the team at Acme" in msgs[0][1]
    assert b"\n>From quoted" in msgs[0][1]
    assert msgs[0][0] == 0
    assert msgs[1][0] == data.index(b"From MAILER", 1)


def test_truncated_mbox_keeps_the_partial_last_message(tmp_path: Path) -> None:
    data = mbox_bytes([message(i) for i in range(5)])
    path = tmp_path / "cut.mbox"
    path.write_bytes(data[: len(data) - 40])
    s = store(tmp_path)
    summary = Scanner(s).run(open_path_source(path))
    assert summary.new == 5 and summary.errors == 0


def test_mbox_with_50mb_attachment_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    with open(path, "wb") as f:
        f.write(mbox_bytes([message(1)]))
        f.write(mbox_bytes([message(2, attachment=38 * 1024 * 1024)]))  # ~50 MB as base64
        f.write(mbox_bytes([message(3)]))
    assert path.stat().st_size > 50_000_000
    tracemalloc.start()
    with open(path, "rb") as f:
        sizes = [(len(data), size) for _, data, size in split_mbox(f)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(sizes) == 3
    assert sizes[1][1] > 50_000_000 and sizes[1][0] < 64 * 1024
    assert peak < 5_000_000


def test_mbox_rescan_reads_only_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_bytes([message(i) for i in range(10)]))
    s = store(tmp_path)
    assert Scanner(s).run(open_path_source(path)).new == 10
    with open(path, "ab") as f:
        f.write(mbox_bytes([message(i) for i in range(10, 13)]))
    again = Scanner(s).run(open_path_source(path))
    assert (again.scanned, again.new) == (3, 3)
    assert Scanner(s).run(open_path_source(path)).scanned == 0


def test_rewritten_mbox_is_rescanned_without_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_bytes([message(i) for i in range(10)]))
    s = store(tmp_path)
    Scanner(s).run(open_path_source(path))
    # A mail client compacts the file: message 0 deleted, the rest shift.
    tmp = tmp_path / "new.mbox"
    tmp.write_bytes(mbox_bytes([message(i) for i in range(1, 12)]))
    tmp.replace(path)
    again = Scanner(s).run(open_path_source(path))
    assert again.new == 2
    assert s.count_emails() == 12


def _maildir(tmp_path: Path, n: int) -> Path:
    md = mailbox.Maildir(tmp_path / "Mail", create=True)
    for i in range(n):
        md.add(message(i))
    jobs = md.add_folder("Jobs")
    jobs.add(message(100))
    return tmp_path / "Mail"


def test_maildir_folders_and_flag_changes(tmp_path: Path) -> None:
    root = _maildir(tmp_path, 4)
    assert detect_path_kind(root) == "maildir"
    s = store(tmp_path)
    src = open_path_source(root)
    assert src.folders() == ["INBOX", "Jobs"]
    assert Scanner(s).run(src).new == 5
    # Reading a message in a mail client moves it to cur/ and adds flags to its name.
    new = next((root / "new").iterdir())
    new.rename(root / "cur" / (new.name + ":2,S"))
    again = Scanner(s).run(open_path_source(root))
    assert (again.scanned, again.new) == (0, 0)


def test_eml_folder_recursive_and_single_file(tmp_path: Path) -> None:
    root = tmp_path / "exports"
    (root / "2026" / "jan").mkdir(parents=True)
    (root / "a.eml").write_bytes(message(1))
    (root / "2026" / "jan" / "b.EML").write_bytes(message(2))
    (root / "notes.txt").write_text("not mail")
    s = store(tmp_path)
    assert Scanner(s).run(open_path_source(root)).new == 2
    assert Scanner(s).run(open_path_source(root)).new == 0
    # A single file is a source of its own; rescanning it stores nothing again.
    (tmp_path / "c.eml").write_bytes(message(3))
    assert Scanner(s).run(open_path_source(tmp_path / "c.eml")).new == 1
    assert Scanner(s).run(open_path_source(tmp_path / "c.eml")).new == 0
    # A message is one message whichever source brings it: the folder already stored a.eml.
    single = Scanner(s).run(open_path_source(root / "a.eml"))
    assert (single.scanned, single.new, single.skipped) == (1, 0, 1)
    assert detect_path_kind(root / "a.eml") == "eml"


def test_mbox_split_is_the_same_whatever_the_read_size(monkeypatch) -> None:
    import onward.mail.sources.mbox as mbox_module

    bodies = ["From the start\n\n>From quoted\n" * 30, "short\n", "x\n" * 2000]
    data = mbox_bytes(
        [message(i, body=bodies[i % 3], attachment=(i % 4) * 5000) for i in range(60)]
    )
    data = data.replace(b"\n\nFrom MAILER", b"\r\n\r\nFrom MAILER", 5)  # some CRLF writers
    reference = list(split_mbox(io.BytesIO(data)))
    assert len(reference) == 60
    for size in (5, 100, 1023, 4096):
        monkeypatch.setattr(mbox_module, "READ", size)
        assert list(split_mbox(io.BytesIO(data))) == reference


@pytest.mark.parametrize("read", [7, 1000, 1 << 20])
def test_an_mbox_message_is_kept_as_bounded_keeps_it_whole_even_when_its_body_is_all_quoted_from_lines(
    monkeypatch, read: int
) -> None:
    """The reader keeps a limited prefix of each message before unquoting: a body of short
    ">From " lines, each a byte shorter once unquoted, must still yield a full prefix."""
    import onward.mail.sources.mbox as mbox_module

    monkeypatch.setattr(mbox_module, "READ", read)
    quoted = ">From a\n" * 6000  # 48 KB of body, every line quoted
    big_head = "".join(f"X-Pad-{i}: {'h' * 900}\n" for i in range(40))
    bodies = [quoted, "plain\n" * 5000, quoted[:100]]
    msgs = [message(i, body=bodies[i % 3]) for i in range(7)]  # the last runs to the end
    msgs[4] = big_head.encode() + msgs[4]
    data = mbox_bytes(msgs)
    found = list(split_mbox(io.BytesIO(data)))
    assert len(found) == len(msgs)
    starts = [off for off, _, _ in found] + [len(data)]
    for (off, kept, size), end, original in zip(found, starts[1:], msgs, strict=True):
        whole = original.replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n"
        assert kept == bounded(whole)
        assert size == end - off


def test_a_parsed_message_comes_back_from_a_parsing_process_unchanged() -> None:
    """Parsed mail and its verdict are pickled back from the scan's worker processes field by
    field."""
    import pickle

    raw = message(3, body="Unfortunately we will not move forward.", attachment=2000)
    raw = raw.replace(b"To: ", b"Cc: Ana <ana@example.org>, bo@example.org\nTo: ", 1)
    email = parse_message(raw, ("INBOX", "Job"))
    assert email.cc and email.sender and email.date and email.labels
    back = pickle.loads(pickle.dumps(email, pickle.HIGHEST_PROTOCOL))
    assert back == email and type(back) is type(email)
    assert [type(a) for a in back.cc] == [type(a) for a in email.cc]
    from onward.classify.model import Classifier

    verdict = Classifier().classify(email)
    assert verdict.probabilities and verdict.reasons is not None
    assert pickle.loads(pickle.dumps(verdict, pickle.HIGHEST_PROTOCOL)) == verdict


def _awkward_mbox() -> bytes:
    """Quoted and unquoted From lines, a CRLF separator, a big header block, a message past
    the prefix, and a last message that runs to the end of the file."""
    big_head = "".join(f"X-Pad-{i}: {'h' * 900}\n" for i in range(40)).encode()
    bodies = ["From the start\n\n>From quoted\n" * 30, "short\n", ">From a\n" * 6000]
    msgs = [message(i, body=bodies[i % 3], attachment=(i % 4) * 5000) for i in range(12)]
    msgs[7] = big_head + msgs[7]
    data = mbox_bytes(msgs)
    return data.replace(b"\n\nFrom MAILER", b"\r\n\r\nFrom MAILER", 2)


def test_a_scan_reads_each_mbox_message_in_the_parsing_stage_as_the_splitter_keeps_it(
    tmp_path: Path,
) -> None:
    """The scan hands its parsing processes where each message is, not its bytes: what they
    read there is what the one-pass splitter keeps, message for message."""
    from onward.mail.sources.mbox import MboxSource
    from onward.scan import load

    path = tmp_path / "inbox.mbox"
    path.write_bytes(_awkward_mbox())
    with open(path, "rb") as f:
        reference = list(split_mbox(f))
    raws = [
        item
        for item in MboxSource("inbox", path).scan("", {}, lambda _f: set())
        if hasattr(item, "locator")
    ]
    assert len(raws) == len(reference) == 12
    for raw, (offset, kept, size) in zip(raws, reference, strict=True):
        assert raw.data == b"" and raw.span  # nothing but where it is crosses to a worker
        loaded = load(raw)
        assert (raw.locator.key, loaded.data, loaded.size) == (str(offset), kept, size)


def test_an_mbox_replaced_while_it_is_scanned_stops_the_scan_and_is_read_again(
    tmp_path: Path,
) -> None:
    """A mail client compacting the file midway: nothing read from the new file is stored
    where the old file's messages were, the scan says so, and the next one reads it whole."""
    from onward.mail.sources.mbox import MboxSource

    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_bytes([message(i) for i in range(300)]))
    compacted = tmp_path / "compacted.mbox"
    compacted.write_bytes(mbox_bytes([message(i) for i in range(150, 320)]))

    class Compacting(MboxSource):
        def scan(self, folder, state, known):  # type: ignore[no-untyped-def]
            for n, item in enumerate(super().scan(folder, state, known)):
                if n == 150:
                    compacted.replace(path)
                yield item

    s = store(tmp_path)
    first = Scanner(s).run(Compacting(str(path), path))
    assert first.new == 125  # the first chunk, read before the file changed
    assert first.folders_failed == 1
    assert "changed while it was being read" in first.problems[0]
    again = Scanner(s).run(open_path_source(path))
    assert (again.scanned, again.new, again.errors) == (170, 170, 0)
    assert s.count_emails() == 125 + 170


@pytest.mark.parametrize("head_size", [1_020_000, 1_040_000, 1_047_000, 1_048_400])
def test_a_parsing_process_reads_the_body_after_a_header_block_near_the_cap_whole(
    tmp_path: Path, head_size: int
) -> None:
    """A header block ending just short of HEADER_CAP: the body the parsing process keeps is
    the body's start, every line in order (not lines from 32 KB further on, nor none)."""
    from onward.mail.sources.mbox import MboxSource
    from onward.scan import load

    head = b"Subject: big\nX-Pad: " + b"h" * (head_size - 21) + b"\n"
    body = b"".join(b"line %06d\n" % i for i in range(5000))
    one = b"From a@b Thu Jan  1 00:00:00 2026\n" + head + b"\n" + body + b"\n"
    path = tmp_path / "inbox.mbox"
    path.write_bytes(one + one)
    raw = next(
        item
        for item in MboxSource("inbox", path).scan("", {}, lambda _f: set())
        if hasattr(item, "locator")
    )
    kept = load(raw).data
    assert kept == bounded(one[one.index(b"\n") + 1 : -1])


def test_an_mbox_moved_away_while_it_is_scanned_is_a_problem_of_its_target_not_a_crash(
    tmp_path: Path,
) -> None:
    """A mail client or a rotation renaming the file midway: the scan of that target stops
    with a sentence, as for a file replaced, and the command goes on to the next target."""
    from onward.mail.sources.mbox import MboxSource

    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_bytes([message(i) for i in range(300)]))

    class Moving(MboxSource):
        def scan(self, folder, state, known):  # type: ignore[no-untyped-def]
            for n, item in enumerate(super().scan(folder, state, known)):
                if n == 150:
                    path.rename(tmp_path / "inbox.mbox.1")
                yield item

    s = store(tmp_path)
    first = Scanner(s).run(Moving(str(path), path))
    assert first.folders_failed == 1
    assert first.new == 125


def test_a_parsing_process_refuses_a_message_a_mail_client_rewrote_in_place(
    tmp_path: Path,
) -> None:
    """Rewritten in place (same inode), a message made shorter still starts where it was
    listed: read to its listed end it would take in the next message's From_ line, and a
    message removed would leave the next one stored under its place. Neither is read."""
    from onward.mail.sources.mbox import MboxChanged, message_spans, read_message

    msgs = [message(i) for i in range(4)]
    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox_bytes(msgs))
    inode = path.stat().st_ino
    with open(path, "rb") as f:
        spans = [(inode, off, begin, end) for off, begin, end, _size in message_spans(f)]
    assert read_message(str(path), spans[2]).startswith(b"From: ")
    for rewritten in (
        [*msgs[:2], msgs[2].replace(b"Subject: Your application", b"Subject: Re:"), msgs[3]],
        [*msgs[:1], *msgs[2:]],
    ):
        with open(path, "r+b") as f:
            f.write(mbox_bytes(rewritten))
            f.truncate()
        assert path.stat().st_ino == inode
        with pytest.raises(MboxChanged):
            read_message(str(path), spans[2] if len(rewritten) == 4 else spans[1])
