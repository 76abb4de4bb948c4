"""Passwords and tokens: from a command (like mbsync's PassCmd) or the keyring, never config."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from onward.errors import BadInput

if TYPE_CHECKING:
    from onward.config import Account

SERVICE = "onward"


class SecretError(BadInput):
    """No usable password or token for an account."""


def run_secret_command(command: str, what: str) -> str:
    try:
        done = subprocess.run(
            command, shell=True, capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired:
        raise SecretError(f"The {what} command did not finish within 2 minutes.") from None
    if done.returncode != 0:
        raise SecretError(f"The {what} command failed (exit code {done.returncode}).")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise SecretError(f"The {what} command printed nothing.")
    return lines[0]  # the first line, as PassCmd does


def keyring_password(account: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(SERVICE, account)
    except (NoKeyringError, KeyringError, RuntimeError):
        return None


def _instead(account: str) -> str:
    return (
        "give the account a command that prints its password instead, like "
        f'`onward account set {account} --password-command "pass show mail"`.'
    )


def check_keyring(account: str) -> None:
    """Refuse before the password is typed when there is nowhere to keep it: the fail and
    null backends (priority <= 0) stand in when no real keyring is found, and the null one
    accepts a password and silently drops it."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        raise SecretError(f"The keyring package is not installed, so {_instead(account)}") from None
    try:
        backend = keyring.get_keyring()
        if backend.priority > 0:
            backend.get_password(SERVICE, account)  # a locked or broken store fails here
            return
    except (KeyringError, RuntimeError):
        pass
    raise SecretError(f"This computer has no usable system keyring, so {_instead(account)}")


def store_in_keyring(account: str, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(SERVICE, account, password)
    except (NoKeyringError, KeyringError, RuntimeError) as exc:
        raise SecretError(
            f"The system keyring refused the password ({type(exc).__name__}), so "
            f"{_instead(account)}"
        ) from exc


def resolve(account: Account) -> tuple[str, str]:
    """Return ("oauth2", token) or ("password", password) for an account."""
    name = account.name
    if account.oauth2_token_command:
        return "oauth2", run_secret_command(account.oauth2_token_command, "OAuth2 token")
    if account.password_command:
        return "password", run_secret_command(account.password_command, "password")
    stored = keyring_password(name)
    if stored:
        return "password", stored
    raise SecretError(
        f"No password for account {name!r}: give it --password-command, or store it with "
        f"`onward account password {name}`."
    )
