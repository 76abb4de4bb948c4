"""The deployment's small decisions, each on its own: which queue, which tick, which login
failure passes, which connection options."""

from __future__ import annotations

import pytest
from imapclient.exceptions import LoginError

from onward.fleet.providers import queue_for
from onward.fleet.worker import _cron
from onward.mail.sources.imap import refused_for_now
from onward.store.fleet import FleetError, person_folder, person_url


def test_each_provider_has_its_queue_so_a_worker_caps_its_connections() -> None:
    assert queue_for({"type": "imap", "host": "IMAP.Gmail.com."}) == "imap-gmail"
    assert queue_for({"type": "imap", "host": "outlook.office365.com"}) == "imap-outlook"
    assert queue_for({"type": "imap", "host": "imap.fastmail.com"}) == "imap-other"
    assert queue_for({"type": "mbox", "path": "/srv/ada.mbox"}) == "files"


def test_a_login_turned_away_for_now_is_told_from_a_wrong_password() -> None:
    assert refused_for_now(LoginError("[UNAVAILABLE] Temporary authentication failure."))
    assert refused_for_now(LoginError("[ALERT] Too many simultaneous connections. (Failure)"))
    assert refused_for_now(LoginError("[THROTTLED] Login rate exceeded"))
    assert not refused_for_now(LoginError("[AUTHENTICATIONFAILED] Invalid credentials (Failure)"))
    assert not refused_for_now(LoginError("Authentication failed."))


def test_a_tick_is_one_cron_can_keep_evenly() -> None:
    assert _cron(1) == "* * * * * */1"
    assert _cron(15) == "* * * * * */15"
    assert _cron(60) == "*/1 * * * *"
    assert _cron(300) == "*/5 * * * *"
    for uneven in (7, 45, 90, 420):
        with pytest.raises(FleetError, match="evenly"):
            _cron(uneven)


def test_a_persons_connection_keeps_the_operators_options_and_adds_their_schema() -> None:
    url = person_url(
        "postgresql://onward@db:5433/jobs?options=-c%20statement_timeout%3D5s", "p000007"
    )
    assert "statement_timeout%3D5s" in url and "search_path%3Dp000007" in url
    plain = person_url("postgresql://onward@db/jobs", "p000007")
    assert "search_path%3Dp000007" in plain


def test_two_deployments_on_one_computer_never_share_a_persons_folder() -> None:
    a = person_folder("postgresql://onward@db:5432/staging", "p000001")
    b = person_folder("postgresql://onward@db:5432/production", "p000001")
    assert a != b and a.endswith("p000001")
