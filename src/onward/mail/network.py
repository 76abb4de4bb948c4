"""How talking to a mail server fails, for every part of onward that talks to one.

`NETWORK_ERRORS` are the exceptions that mean the connection or the server failed, not
onward: the sources, the movers, the outbox and the watch each turn them into one sentence.
"""

from __future__ import annotations

import imaplib
import ssl

from imapclient.exceptions import IMAPClientError

NETWORK_ERRORS = (OSError, EOFError, imaplib.IMAP4.error, IMAPClientError)

# What OpenSSL says when the bytes it reads are not TLS at all: a plain-text greeting.
NOT_TLS = {
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
}
# An issuer this computer does not trust: self-signed, or a private CA (X509_V_ERR_* 18-21).
UNTRUSTED = {18, 19, 20, 21}


def tls_hint(exc: BaseException, where: str, fix_starttls: str, fix_ca: str) -> str | None:
    """The sentence for a TLS failure whose cure is a setting, or None."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_code in UNTRUSTED:
        return (
            f"The TLS certificate of {where} is not from an authority this computer trusts "
            f"({exc.verify_message}): if you trust the server, give onward its certificate "
            f"with {fix_ca}."
        )
    if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLCertVerificationError):
        if exc.reason in NOT_TLS:
            return (
                f"{where} answered in plain text, not TLS: it is probably a STARTTLS port, "
                f"so use {fix_starttls}, or give its TLS port instead."
            )
    return None
