"""The dashboard's guards: Host check, session token, CSRF, and headers that forbid scripts.

The token (as Jupyter's) is given once in the URL onward prints; the first request trades it
for an HttpOnly, SameSite=Strict cookie and redirects to a URL without it. API clients may
send it as `Authorization: Bearer TOKEN` instead.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from fastapi import HTTPException, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "onward_session"  # + "_<port>": cookies ignore ports, so two dashboards would share one
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# No script may run on any page: the dashboard needs none, and email content must never run.
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Secrets:
    token: str
    csrf: str
    hosts: frozenset[str]
    cookie: str = COOKIE

    @classmethod
    def for_port(cls, token: str, csrf: str, port: int) -> Secrets:
        names = ("127.0.0.1", "localhost", "[::1]")
        return cls(token, csrf, frozenset(f"{n}:{port}" for n in names), f"{COOKIE}_{port}")


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


def local_target(path: str, query: str = "") -> str:
    """A redirect target that stays on this origin, whatever path the request named.

    Browsers read `//host` and `/` + backslash + `host` as another origin, and drop tabs and
    newlines before they look, so leading slashes and backslashes collapse to one slash and the
    rest is percent-encoded (a tab or backslash left inside becomes %09 or %5C, read as text).
    """
    rest = quote(path.lstrip("/\\"), safe="/-._~!$&'()*+,;=:@").lstrip("/")
    return "/" + rest + (f"?{query}" if query else "")


def bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else None


def guard(
    secrets: Secrets,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        # DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends its own Host.
        if request.headers.get("host", "") not in secrets.hosts:
            return PlainTextResponse("Unknown host.", status_code=400)
        given = request.query_params.get("token")
        if given is not None and request.method == "GET":
            if not _same(given, secrets.token):
                return PlainTextResponse("Wrong token.", status_code=401)
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            target = local_target(request.url.path, urlencode(rest))
            resp: Response = RedirectResponse(target, status_code=303)
            resp.set_cookie(
                secrets.cookie, secrets.token, httponly=True, samesite="strict", path="/"
            )
            return _headers(resp, start)
        if not (
            _same(request.cookies.get(secrets.cookie), secrets.token)
            or _same(bearer(request), secrets.token)
        ):
            return PlainTextResponse(
                "Open the dashboard with the link `onward serve` printed (it carries the token).",
                status_code=401,
            )
        return _headers(await call_next(request), start)

    return middleware


def _headers(resp: Response, start: float) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
    return resp


async def check_csrf(request: Request) -> None:
    """Every change made with the session cookie carries the form's CSRF token (a form field or
    the X-CSRF-Token header). Bearer-token clients are not a browser's ambient credential."""
    if request.method not in UNSAFE:
        return
    secrets: Secrets = request.app.state.secrets
    if _same(bearer(request), secrets.token):
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = str((await request.form()).get("csrf", ""))
    if not _same(sent, secrets.csrf):
        raise HTTPException(403, "This form is out of date or did not come from onward: reload.")
