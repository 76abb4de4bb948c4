"""What every route needs from the running app, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.templating import Jinja2Templates

from onward.config import Config
from onward.store import Store
from onward.web.security import Secrets


@dataclass(frozen=True)
class Ctx:
    request: Request
    store: Store
    config: Config
    secrets: Secrets
    templates: Jinja2Templates


def ctx(request: Request) -> Ctx:
    s = request.app.state
    return Ctx(request, s.store, s.config, s.secrets, s.templates)
