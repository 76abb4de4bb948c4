"""A scan's memory stays flat however large the mailbox: its parsing processes share the
pages they were forked with, and the classifier's caches are bounded."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from onward.classify import features
from onward.classify.chars import grams
from onward.classify.model import Classifier
from onward.mail.model import Address, Email
from onward.mail.sources import open_path_source
from onward.scan import Scanner
from onward.store import Store
from tests import jobmail
from tests.factory import mbox_bytes


def private_dirty_kb() -> int:
    with open(f"/proc/{os.getpid()}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1])
    raise AssertionError("no Private_Dirty line")


class CollectorProbe:
    """Stands in for the classifier inside a parsing process: it runs a full garbage
    collection there and writes down how much of the process became private by it."""

    def __init__(self, out: Path) -> None:
        self.out = out

    def classify_many(self, emails: Sequence[Email]) -> list[None]:
        before = private_dirty_kb()
        gc.collect()
        with self.out.open("a") as f:
            f.write(f"{private_dirty_kb() - before}\n")
        return [None] * len(emails)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")
def test_a_collection_in_a_parsing_process_does_not_copy_the_pages_it_shares(
    tmp_path: Path,
) -> None:
    probe = CollectorProbe(tmp_path / "copied-kb")
    messages, _ = jobmail.inbox(40, 10, seed=3)
    (tmp_path / "mail.mbox").write_bytes(mbox_bytes(messages))
    store = Store.for_path(tmp_path / "onward.db")
    summary = Scanner(store, workers=2, classifier=probe).run(
        open_path_source(tmp_path / "mail.mbox", "mail")
    )
    assert summary.scanned == 40
    copied = [int(n) for n in probe.out.read_text().split()]
    # Unfrozen, the collector writes to every object this test process holds (tens of MB).
    assert copied and max(copied) < 4_000, f"a collection copied {max(copied)} kB"


def _email(i: int, words: int) -> Email:
    return Email(
        message_id=f"<{i}@example.org>",
        fingerprint=str(i),
        subject=f"Your application {i}",
        sender=Address("Acme Hiring", "jobs@acme.example"),
        # Job words, so that the model reads it (other mail is screened out unread).
        text="Thank you for your application; we would like to schedule an interview. "
        + " ".join(f"w{i}x{j}" for j in range(words)),
    )


def test_the_classifier_caches_stay_bounded_however_many_new_words_it_reads() -> None:
    classifier = Classifier()
    grams.cache_clear()
    for start in range(0, 800, 100):
        classifier.classify_many([_email(i, 150) for i in range(start, start + 100)])
    # 120,000 distinct words read; a cache per word would grow with the mailbox.
    assert len(features._CODE_CACHE) <= 40_000
    # The batch path's word numbers: replaced when full, so at most a bound plus one batch.
    assert len(features._VOCABULARY[0].words) <= features.Vocabulary.LIMIT + 100 * 170
    assert classifier._grams is not None and len(classifier._grams._index) <= 40_000
    assert grams.cache_info().currsize == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")
def test_memory_a_chunk_of_big_messages_took_is_handed_back_and_a_small_chunk_keeps_its_own(
    monkeypatch,
) -> None:
    """After a chunk, a process that grew by more than KEEP_GROWTH gives its freed memory back
    (a chunk of 1 MB header blocks must not leave a worker at that size); one that did not
    keeps it for the next chunk instead of faulting it in again."""
    import onward.scan as scan

    scan.release_memory()  # this process's size now is where growth is counted from
    blocks = [bytes(60_000) + bytes([i % 256]) for i in range(1500)]  # 90 MB, in the heap
    kept = blocks[::10]  # what stays in use keeps the freed blocks from going back by itself
    del blocks
    grown = scan._resident()
    scan.release_memory()
    assert scan._resident() < grown - 40_000_000
    trims: list[int] = []
    real = scan._MALLOC_TRIM
    monkeypatch.setattr(scan, "_MALLOC_TRIM", lambda pad: trims.append(pad) or real(pad))
    small = [bytes(60_000) + bytes([i % 256]) for i in range(50)]  # 3 MB
    del small
    scan.release_memory()
    assert trims == []
    assert len(kept) == 150


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc (Linux only)")
def test_memory_still_in_use_at_a_trim_is_handed_back_once_it_is_freed() -> None:
    """The scan's main process trims with parsed chunks still waiting to be stored: freed
    afterwards, they must not stay with the process because it has not grown since."""
    import onward.scan as scan

    if scan._IN_USE() is None:
        pytest.skip("glibc without mallinfo2 (before 2.33): every chunk trims, as before")
    scan.release_memory(always=True)
    waiting = [bytes(60_000) + bytes([i % 256]) for i in range(1500)]  # 90 MB of parsed mail
    scan.release_memory()  # grown: trims, all of it still in use
    before = scan._resident()
    stored = waiting[::10]  # what stays in use keeps the freed blocks from going back by itself
    del waiting
    scan.release_memory()
    assert scan._resident() < before - 60_000_000
    assert len(stored) == 150
