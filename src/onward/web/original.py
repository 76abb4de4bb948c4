"""An email as it was sent, read back from its mailbox on request, with its HTML sanitised."""

from __future__ import annotations

from onward import accounts
from onward.config import Config
from onward.errors import OnwardError
from onward.mail.original import TooBig, read_original, safe_html
from onward.store import Store
from onward.store.emails import places


def original_html(config: Config, store: Store, email_id: int) -> tuple[str | None, str]:
    """(sanitised HTML, "") or (None, one sentence saying why not)."""
    copies = places(store, email_id)
    if not copies:
        return None, "onward does not know where this email is stored."
    problem = ""
    for loc in copies:
        try:
            source, _ = accounts.source_for(config, loc.source)
        except OnwardError as exc:
            problem = str(exc)
            continue
        try:
            raw = read_original(source, loc.folder, loc.key, loc.uidvalidity)
        except TooBig as exc:
            return None, str(exc)
        except (OSError, OnwardError) as exc:
            problem = f"Could not read it from {loc.source}: {exc}"
            continue
        finally:
            source.close()
        if raw is None:
            problem = f"{loc.source} no longer holds it."
            continue
        try:
            html = safe_html(raw)
        except TooBig as exc:
            return None, str(exc)
        return (html, "") if html is not None else (None, "This email has no HTML part.")
    return None, problem
