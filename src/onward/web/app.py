"""The dashboard application: `create_app` wires the store, the guards, pages and API."""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from onward import __version__
from onward.actions.checkin import via_phrase
from onward.config import Config
from onward.errors import OnwardError
from onward.store import Store
from onward.web import api, pages, queries
from onward.web.security import Secrets, check_csrf, guard

HERE = Path(__file__).parent


def new_secrets(port: int) -> Secrets:
    return Secrets.for_port(secrets.token_urlsafe(24), secrets.token_urlsafe(24), port)


def create_app(config: Config, store: Store, secrets: Secrets) -> FastAPI:
    app = FastAPI(
        title="onward",
        version=__version__,
        description="Your job search, on your machine. Every request carries the session token.",
        dependencies=[Depends(check_csrf)],
        docs_url=None,  # Swagger UI loads scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.store = store
    app.state.config = config
    app.state.secrets = secrets
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["day"] = lambda d: d.strftime("%d %b %Y") if d else ""
    templates.env.filters["reasons"] = queries.reasons_text
    templates.env.filters["via"] = via_phrase
    templates.env.filters["pct"] = lambda v: "-" if v is None else f"{v:.0%}"
    app.state.templates = templates
    app.middleware("http")(guard(secrets))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router, prefix="/api")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(OnwardError)
    async def onward_error(request: Request, exc: OnwardError) -> Response:
        return _error(request, exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _error(request, 422, f"Some fields were not filled in right: {fields}.")

    return app


def _error(request: Request, code: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=code)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"message": message, "code": code, "nav": ""}, status_code=code
    )


__all__ = ["HTMLResponse", "create_app", "new_secrets"]
