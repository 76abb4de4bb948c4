"""The JSON API (OpenAPI schema at /openapi.json): the same reads and changes as the pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field, field_validator

from onward.actions import checkin as ck
from onward.classify import KINDS
from onward.corrections import correct
from onward.store.checkins import Checkins
from onward.timeutil import aware
from onward.tracker import status as standing
from onward.tracker.repo import Tracker
from onward.web import queries
from onward.web.deps import ctx

router = APIRouter(tags=["api"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Field(max_length=2000)]
Kind = Literal[KINDS]  # type: ignore[valid-type]
Feeling = Literal[ck.FEELINGS]  # type: ignore[valid-type]


class Out(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _aware(cls, v: Any) -> Any:
        # SQLite hands datetimes back without their zone; they were stored as UTC.
        return aware(v) if isinstance(v, datetime) else v


class Application(Out):
    id: int
    company: str
    role: str
    status: str
    reached: str
    applied_at: datetime | None
    last_contact_at: datetime | None
    url: str
    note: str


class Page(Out):
    total: int
    items: list[Application]


class NewApplication(BaseModel):
    company: Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
    role: Annotated[str, Field(max_length=300)] = ""
    stage: Literal["applied", "saved"] = "applied"
    applied_at: datetime | None = None
    url: Text = ""
    note: Text = ""


class Created(Out):
    id: int


class Uncertain(Out):
    id: int
    message_id: str
    subject: str
    from_addr: str
    sent_at: datetime | None
    kind: str | None
    confidence: float | None


class Label(BaseModel):
    kind: Kind


class Labelled(Out):
    id: int
    kind: str
    previous: str | None


class NewCheckin(BaseModel):
    feeling: Feeling
    intensity: Annotated[int, Field(ge=1, le=5)] = 3
    note: Text = ""


class Advice(Out):
    id: int
    feeling: str
    acknowledge: str
    suggestions: list[str]
    reminder: str


class Checkin(Out):
    id: int
    feeling: str
    intensity: int | None
    note: str
    created_at: datetime | None
    company: str | None
    companies: list[str]  # every employer the check-in was about, `company` first


def _app_model(row: dict[str, Any]) -> Application:
    return Application.model_validate({k: row.get(k) for k in Application.model_fields})


@router.get("/status")
def status(request: Request) -> dict[str, Any]:
    """Pipeline health: active applications, the weekly goal, concentration, nudges."""
    return standing.status(Tracker(ctx(request).store))


@router.get("/applications")
def applications(
    request: Request,
    sort: Literal["company", "role", "status", "applied", "last", "id"] = "last",
    desc: bool = True,
    status: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> Page:
    rows, total = queries.applications_page(ctx(request).store, sort, desc, status, q, page)
    return Page(total=total, items=[_app_model(r) for r in rows])


@router.post("/applications", status_code=201)
def add_application(request: Request, body: NewApplication) -> Created:
    t = Tracker(ctx(request).store)
    if body.stage == "saved":
        return Created(id=t.save(body.company, body.role, body.url, body.note))
    return Created(
        id=t.apply(body.company, body.role, body.applied_at, "added by hand", body.url, body.note)
    )


@router.get("/applications/{app_id}")
def application(request: Request, app_id: Id) -> Application:
    return _app_model(Tracker(ctx(request).store).app(app_id))


@router.get("/review")
def review(request: Request, page: Annotated[int, Query(ge=0, le=10**6)] = 0) -> list[Uncertain]:
    rows, _ = queries.uncertain(ctx(request).store, page)
    return [Uncertain.model_validate(r) for r in rows]


@router.post("/emails/{email_id}/label")
def label_email(request: Request, email_id: Id, body: Label) -> Labelled:
    """Confirm or correct the kind of a message; onward learns from it."""
    store = ctx(request).store
    if queries.email(store, email_id) is None:
        raise HTTPException(404, "No such email.")
    done = correct(store, str(email_id), body.kind)
    return Labelled(id=email_id, kind=body.kind, previous=done.before.get("kind"))


@router.get("/checkins")
def checkins(request: Request) -> list[Checkin]:
    return [Checkin.model_validate(r) for r in Checkins(ctx(request).store).history()]


@router.post("/checkins", status_code=201)
def add_checkin(request: Request, body: NewCheckin) -> Advice:
    c = ctx(request)
    now = datetime.now(UTC)
    store = Checkins(c.store)
    new = store.record(now, body.feeling, body.intensity, body.note, store.pending(now))
    a = ck.advise(ck.load(c.config.paths.config_dir), body.feeling, body.intensity)
    return Advice(
        id=new,
        feeling=a.feeling,
        acknowledge=a.acknowledge,
        suggestions=list(a.suggestions),
        reminder=a.reminder,
    )
