"""A display name can never become an address: not when parsed, not when stored and read back
for a follow-up (issue 12, item 6). On SQLite and PostgreSQL."""

from __future__ import annotations

from email.utils import getaddresses

from onward.actions.compose import choose_recipient
from onward.mail.model import Locator, RawMessage
from onward.mail.parse import parse_message
from onward.store import Store

HOSTILE = b"=?utf-8?q?Jan=C3=A9_=3Cevil=40x=2Ecom=3E?= <jane@acme.com>"
RAW = (
    b"From: " + HOSTILE + b"\nReply-To: " + HOSTILE + b", =?utf-8?q?Doe=2C_Bo?= <bo@acme.com>\n"
    b"To: =?utf-8?q?Sam_=3Cboss=40acme=2Ecom=3E?= <sam@example.org>\n"
    b"Message-ID: <dn-1@acme.com>\nSubject: Your application\n\n"
    b"Thank you for your interest in Acme. We went with another candidate.\n"
)


def test_a_display_name_holding_an_address_reads_back_as_a_name(db_url: str) -> None:
    store = Store(db_url)
    loc = Locator("acct", "INBOX", "1", 1)
    store.write_batch(
        "acct", [(RawMessage(loc, RAW, len(RAW)), parse_message(RAW), len(RAW), None)]
    )
    row = store.find_emails("dn-1@acme.com")[0]
    assert (row["from_name"], row["from_addr"]) == ("Jané <evil@x.com>", "jane@acme.com")
    assert getaddresses([row["reply_to"]]) == [
        ("Jané <evil@x.com>", "jane@acme.com"),
        ("Doe, Bo", "bo@acme.com"),
    ]
    assert getaddresses([row["to_addrs"]]) == [("Sam <boss@acme.com>", "sam@example.org")]
    choice = choose_recipient(row, {"sam@example.org"})
    assert choice.to is not None and choice.to.address == "jane@acme.com"
    assert "evil@x.com" not in [r.address for r in choice.alternatives]
