"""The dashboard's pages: server-rendered HTML forms, each change a POST with its CSRF token."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onward.actions import checkin as ck
from onward.classify import KINDS
from onward.store.checkins import Checkins
from onward.tracker import status as standing
from onward.tracker.repo import Tracker, TrackerError
from onward.tracker.state import STATUSES
from onward.web import charts, queries
from onward.web.deps import Ctx, ctx

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
MANUAL_EVENTS = ("rejection", "interview", "assessment", "offer", "withdrawn")


def page(c: Ctx, name: str, **values: Any) -> HTMLResponse:
    return c.templates.TemplateResponse(
        c.request, name, {"csrf": c.secrets.csrf, "nav": name.split(".")[0], **values}
    )


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _email(c: Ctx, email_id: int) -> dict[str, Any]:
    row = queries.email(c.store, email_id)
    if row is None:
        raise HTTPException(404, "No such email.")
    return row


def _day(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(12), UTC)
    except ValueError:
        raise TrackerError(f"{value!r} is not a date (YYYY-MM-DD).") from None


@router.get("/", response_class=HTMLResponse)
def today(request: Request) -> Response:
    c = ctx(request)
    t = Tracker(c.store)
    figures = standing.status(t, history=False)  # Today shows the pipeline, not the medians
    follow = queries.followup_summary(c.store, t.now)
    pending = Checkins(c.store).pending(t.now)
    return page(
        c,
        "today.html",
        figures=figures,
        follow=follow,
        pending=pending[:1],
        more_pending=max(len(pending) - 1, 0),
        feelings=ck.FEELINGS,
        to_review=queries.review_count(c.store),
    )


@router.get("/checkin", response_class=HTMLResponse)
def checkin_form(request: Request) -> Response:
    c = ctx(request)
    pending = Checkins(c.store).pending(datetime.now(UTC))
    return page(c, "checkin.html", pending=pending[:1], feelings=ck.FEELINGS)


@router.post("/checkin")
def checkin_post(
    request: Request,
    feeling: Annotated[str, Form()] = "",
    intensity: Annotated[int, Form(ge=1, le=5)] = 3,
    note: Annotated[str, Form(max_length=2000)] = "",
    skip: Annotated[str, Form()] = "",
) -> Response:
    c = ctx(request)
    now = datetime.now(UTC)
    checkins = Checkins(c.store)
    pending = checkins.pending(now)
    if skip:
        checkins.skip(now, pending)
        return back("/?skipped=1")
    ck.check(feeling, intensity)
    new = checkins.record(now, feeling, intensity, note, pending)
    return back(f"/checkin/{new}")


@router.get("/checkin/{checkin_id}", response_class=HTMLResponse)
def checkin_done(request: Request, checkin_id: Id) -> Response:
    c = ctx(request)
    row = Checkins(c.store).get(checkin_id)
    if row is None:
        raise HTTPException(404, "No such check-in.")
    advice = ck.advise(ck.load(c.config.paths.config_dir), row["feeling"], row["intensity"] or 3)
    active = standing.status(Tracker(c.store), history=False)["active"]
    return page(c, "checkin_done.html", row=row, advice=advice, active=active)


@router.get("/review", response_class=HTMLResponse)
def review(request: Request, p: Annotated[int, Query(ge=0, le=10**6)] = 0) -> Response:
    c = ctx(request)
    rows, total = queries.uncertain(c.store, p)
    return page(
        c,
        "review.html",
        rows=rows,
        total=total,
        p=p,
        per=queries.PER_PAGE,
        links=queries.link_reviews(c.store),
        kinds=KINDS,
        done=request.query_params.get("done", ""),
    )


@router.post("/review/{email_id}")
def review_post(request: Request, email_id: Id, kind: Annotated[str, Form()]) -> Response:
    from onward.corrections import correct

    correct(ctx(request).store, str(email_id), kind)
    return back(f"/review?done={email_id}")


@router.post("/review/{email_id}/link")
def review_link(request: Request, email_id: Id, application: Annotated[str, Form()]) -> Response:
    c = ctx(request)
    target = None if application == "new" else int(application) if application.isdigit() else -1
    if target == -1:
        raise TrackerError("Choose an application, or a new one.")
    app_id = Tracker(c.store).attach(email_id, target)
    return back(f"/applications/{app_id}")


@router.get("/applications", response_class=HTMLResponse)
def applications(
    request: Request,
    sort: Annotated[str, Query(max_length=20)] = "last",
    desc: Annotated[int, Query(ge=0, le=1)] = 1,
    status: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    p: Annotated[int, Query(ge=0, le=10**6)] = 0,
) -> Response:
    c = ctx(request)
    rows, total = queries.applications_page(c.store, sort, bool(desc), status, q, p)
    return page(
        c,
        "applications.html",
        rows=rows,
        total=total,
        sort=sort,
        desc=desc,
        status=status,
        q=q,
        p=p,
        per=queries.PER_PAGE,
        statuses=STATUSES,
    )


@router.get("/applications/new", response_class=HTMLResponse)
def application_new(request: Request) -> Response:
    return page(ctx(request), "application_new.html", today=date.today().isoformat())


@router.post("/applications")
def application_add(
    request: Request,
    company: Annotated[str, Form(min_length=1, max_length=300)],
    role: Annotated[str, Form(max_length=300)] = "",
    stage: Annotated[str, Form()] = "applied",
    on: Annotated[str, Form()] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    t = Tracker(ctx(request).store)
    if stage == "saved":
        app_id = t.save(company, role, url, note)
    else:
        app_id = t.apply(company, role, _day(on), "added by hand", url, note)
    return back(f"/applications/{app_id}")


@router.get("/applications/{app_id}", response_class=HTMLResponse)
def application(request: Request, app_id: Id) -> Response:
    c = ctx(request)
    data = queries.application(c.store, Tracker(c.store), app_id)
    today = date.today().isoformat()
    return page(c, "application.html", **data, statuses=STATUSES, manual=MANUAL_EVENTS, today=today)


@router.post("/applications/{app_id}/edit")
def application_edit(
    request: Request,
    app_id: Id,
    company: Annotated[str, Form(min_length=1, max_length=300)],
    role: Annotated[str, Form(max_length=300)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    Tracker(ctx(request).store).edit(app_id, company=company, role=role, url=url, note=note)
    return back(f"/applications/{app_id}")


@router.post("/applications/{app_id}/event")
def application_event(
    request: Request,
    app_id: Id,
    kind: Annotated[str, Form()],
    via: Annotated[str, Form(max_length=40)] = "phone",
    on: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if kind not in MANUAL_EVENTS:
        raise TrackerError(f"{kind!r} is not something to record here.")
    Tracker(ctx(request).store).record(app_id, kind, _day(on), via or "manual", note)
    return back(f"/applications/{app_id}")


@router.post("/applications/{app_id}/merge")
def application_merge(
    request: Request, app_id: Id, other: Annotated[int, Form(ge=1, le=2**31 - 1)]
) -> Response:
    if other == app_id:
        raise TrackerError("An application cannot be merged into itself.")
    Tracker(ctx(request).store).merge(app_id, other)
    return back(f"/applications/{app_id}")


@router.get("/emails/{email_id}", response_class=HTMLResponse)
def email_view(request: Request, email_id: Id) -> Response:
    c = ctx(request)
    return page(c, "email.html", e=_email(c, email_id), kinds=KINDS)


@router.get("/emails/{email_id}/original", response_class=HTMLResponse)
def email_original(request: Request, email_id: Id) -> Response:
    from onward.mail.original import TOO_BIG
    from onward.web.original import original_html

    c = ctx(request)
    row = _email(c, email_id)
    html, problem = original_html(c.config, c.store, email_id)
    return page(c, "original.html", e=row, html=html, problem=problem, show_text=problem == TOO_BIG)


@router.get("/insights", response_class=HTMLResponse)
def insights_page(request: Request) -> Response:
    c = ctx(request)
    t = Tracker(c.store)
    d = queries.insight_data(c.store, t, t.now)
    f = d["figures"]
    rates = {"answered at all": f["response_rate"] or 0.0, "went quiet": d["ghost_rate"] or 0.0}
    return page(
        c,
        "insights.html",
        d=d,
        f=f,
        weekly_svg=charts.weekly(d["weeks"], f["weekly_goal"]),
        stages_svg=charts.hbars(
            "stages", "At which stage rejections happen", f["rejections_by_stage"]
        ),
        rates_svg=charts.hbars("rates", "How often employers answer", rates, percent=True),
        feelings_svg=charts.feelings(d["weeks"]),
    )


@router.get("/followups", response_class=HTMLResponse)
def followups_page(request: Request) -> Response:
    c = ctx(request)
    now = datetime.now(UTC)
    return page(
        c,
        "followups.html",
        rows=queries.followup_rows(c.store),
        follow=queries.followup_summary(c.store, now),
        waiting=queries.without_followup(c.store),
    )


@router.post("/followups/{email_id}/draft")
def followup_draft(request: Request, email_id: Id) -> Response:
    from onward.actions import followup as fu

    c = ctx(request)
    draft = fu.prepare(c.config, _email(c, email_id), store=c.store)
    fu.store_draft(c.config, c.store, draft)
    return back("/followups")
