"""Passwords and tokens: from a command (like mbsync's PassCmd) or the keyring, never config."""

from __future__ import annotations

import subprocess
from typing import Any

SERVICE = "onward"


class SecretError(Exception):
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


def store_in_keyring(account: str, password: str) -> None:
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(SERVICE, account, password)
    except (NoKeyringError, KeyringError, RuntimeError) as exc:
        raise SecretError(
            f"No system keyring is available ({exc}); use --password-command instead."
        ) from exc


def resolve(name: str, account: dict[str, Any]) -> tuple[str, str]:
    """Return ("oauth2", token) or ("password", password) for an account."""
    if account.get("oauth2_token_command"):
        return "oauth2", run_secret_command(account["oauth2_token_command"], "OAuth2 token")
    if account.get("password_command"):
        return "password", run_secret_command(account["password_command"], "password")
    stored = keyring_password(name)
    if stored:
        return "password", stored
    raise SecretError(
        f"No password for account {name!r}: give it --password-command, or store it with "
        f"`onward account password {name}`."
    )
