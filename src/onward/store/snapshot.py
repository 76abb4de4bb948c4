"""The figures' inputs (`insights.Snapshot`) computed by the database: counts, and day spans as
numbers, so a dashboard page costs a few indexed queries, not 10,000 rows turned into Python.

`insights.snapshot` computes the same from rows; a test holds the two equal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import Float, String, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from onward.store.db import Store
from onward.store.schema import applications as A
from onward.store.schema import checkins as C
from onward.store.schema import events as E
from onward.timeutil import aware
from onward.tracker.insights import PIPELINE, Snapshot, week_start


class days_between(FunctionElement[float]):  # noqa: N801 (reads as SQL)
    """(b - a) in days, as a float."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return f"(julianday({compiler.process(b, **kw)}) - julianday({compiler.process(a, **kw)}))"


@compiles(days_between, "postgresql")
def _days_pg(element: Any, compiler: Any, **kw: Any) -> str:
    a, b = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(b, **kw)} - {compiler.process(a, **kw)}))"
        " / 86400.0)"
    )


def _median(conn: Any, n: int, expr: ColumnElement[Any], *where: Any) -> float | None:
    """The median of `expr` over the `n` rows `where` selects, as statistics.median: the
    database sorts and hands back only the one or two middle values."""
    if not n:
        return None
    q = select(expr).where(*where).order_by(expr).limit(2 - n % 2).offset((n - 1) // 2)
    mid = [float(v) for v in conn.execute(q).scalars()]
    return sum(mid) / len(mid)


def snapshot(store: Store, now: datetime, history: bool = True) -> Snapshot:
    """The figures' inputs. `history=False` skips what only Insights shows (where rejections
    happen, medians, bounce-back), for pages that need the pipeline and nudges only."""
    with store.engine.connect() as conn:
        by_status = {
            r.status: int(r.n)
            for r in conn.execute(select(A.c.status, func.count().label("n")).group_by(A.c.status))
        }
        total, sum_sq, top = _concentration(conn)
        applied, this_week, last, responded, n_response, n_rejection = conn.execute(
            select(
                func.count(A.c.applied_at),
                func.count(A.c.applied_at).filter(A.c.applied_at >= week_start(now)),
                func.max(A.c.applied_at),
                func.count(A.c.applied_at).filter(A.c.first_response_at.is_not(None)),
                func.count(A.c.response_days),
                func.count(A.c.rejection_days),
            )
        ).one()
        pick = (A.c.company, A.c.role, A.c.created_at, A.c.last_contact_at)
        saved = conn.execute(
            select(*pick)
            .where(A.c.status == "saved")
            .order_by(A.c.created_at.is_(None), A.c.created_at, A.c.id)
            .limit(1)
        ).first()
        later = A.alias("later")
        said_no_since = (  # a "no" from the employer after this one went quiet (insights)
            select(later.c.id)
            .where(
                later.c.company_key == A.c.company_key,
                later.c.status == "rejected",
                later.c.closed_at > A.c.last_contact_at,
            )
            .exists()
        )
        quiet = conn.execute(
            select(*pick)
            .where(A.c.status == "ghosted", ~said_no_since)
            .order_by(A.c.last_contact_at.is_not(None), A.c.last_contact_at.desc(), A.c.id)
            .limit(3)
        ).all()
        days = (A.c.response_days, A.c.rejection_days)
        return Snapshot(
            by_status=by_status,
            active_total=total,
            active_sum_sq=sum_sq,
            top_company=top,
            applied=int(applied),
            this_week=int(this_week),
            last_applied=aware(last) if not isinstance(last, str) else _parse(last),
            responded=int(responded),
            to_response=_median(conn, n_response, days[0], days[0].is_not(None))
            if history
            else None,
            to_rejection=_median(conn, n_rejection, days[1], days[1].is_not(None))
            if history
            else None,
            rejections_by_stage=_stages(conn) if history else {},
            bounce=_bounce(conn) if history else None,
            first_saved=_row(saved),
            quiet=[r for q in quiet if (r := _row(q)) is not None],
        )


def _concentration(conn: Any) -> tuple[int, int, tuple[str, str, int] | None]:
    """Active applications, the sum of their per-employer counts squared, and the top one."""
    grouped = (
        select(A.c.company_key, func.min(A.c.company).label("name"), func.count().label("n"))
        .where(A.c.status.in_(PIPELINE))
        .group_by(A.c.company_key)
        .subquery()
    )
    top = conn.execute(
        select(
            grouped,
            func.sum(grouped.c.n).over().label("total"),
            func.sum(grouped.c.n * grouped.c.n).over().label("sum_sq"),
        )
        .order_by(grouped.c.n.desc(), grouped.c.company_key)
        .limit(1)
    ).first()
    if top is None:
        return 0, 0, None
    return int(top.total), int(top.sum_sq), (top.company_key, top.name, int(top.n))


def _stages(conn: Any) -> dict[str, int]:
    stage = func.coalesce(func.nullif(A.c.closed_stage, ""), "applied").label("stage")
    q = select(stage, func.count().label("n")).where(A.c.status == "rejected").group_by("stage")
    return {r.stage: int(r.n) for r in conn.execute(q)}


def _bounce(conn: Any) -> float | None:
    """Median days from a rejection to the next application. One pass: each rejection's next
    application is an index lookup, and the spans come back as numbers."""
    nxt = A.alias("nxt")
    following = (
        select(func.min(nxt.c.applied_at)).where(nxt.c.applied_at > A.c.closed_at).scalar_subquery()
    )
    spans = conn.execute(
        select(days_between(A.c.closed_at, following)).where(
            A.c.status == "rejected", A.c.closed_at.is_not(None), following.is_not(None)
        )
    ).scalars()
    gaps = [max(float(v), 0.0) for v in spans]
    return median(gaps) if gaps else None


def _parse(value: str) -> datetime:
    # func.max() loses the column's type on SQLite, so the stored text comes back as is.
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _row(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "company": r.company,
        "role": r.role,
        "created_at": aware(r.created_at),
        "last_contact_at": aware(r.last_contact_at),
    }


class monday(FunctionElement[str]):  # noqa: N801 (reads as SQL)
    """The Monday of a timestamp's week, as YYYY-MM-DD text (as `mood.week_of`)."""

    type = String()
    inherit_cache = True


@compiles(monday, "sqlite")
def _monday_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    col = compiler.process(list(element.clauses)[0], **kw)
    return f"date({col}, '-' || ((CAST(strftime('%w', {col}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(monday, "postgresql")
def _monday_pg(element: Any, compiler: Any, **kw: Any) -> str:
    col = compiler.process(list(element.clauses)[0], **kw)
    return f"to_char(date_trunc('week', {col}), 'YYYY-MM-DD')"


def per_week(store: Store, start: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Applications sent and rejections received per week since `start`."""
    queries = (
        (A.c.applied_at, A.c.applied_at >= start),
        (A.c.closed_at, and_(A.c.status == "rejected", A.c.closed_at >= start)),
    )
    out = []
    with store.engine.connect() as conn:
        for col, where in queries:
            week = monday(col).label("week")
            q = select(week, func.count().label("n")).where(where).group_by(week)
            out.append({r.week: int(r.n) for r in conn.execute(q)})
    return out[0], out[1]


def _next(kind: str | None, at: Any) -> tuple[Any, Any]:
    """The first application (kind None) or event of `kind` after `at`: (company, when)."""
    if kind is None:
        nxt = A.alias()
        base = select(nxt.c.company, nxt.c.applied_at.label("at")).where(nxt.c.applied_at > at)
        order = (nxt.c.applied_at, nxt.c.id)
    else:
        ev, ap = E.alias(), A.alias()
        base = (
            select(ap.c.company, ev.c.at)
            .join(ap, ap.c.id == ev.c.application_id)
            .where(ev.c.kind == kind, ev.c.at > at)
        )
        order = (ev.c.at, ev.c.id)
    first = base.order_by(*order).limit(1)
    return first.with_only_columns(first.selected_columns[0]).scalar_subquery(), (
        first.with_only_columns(first.selected_columns[1]).scalar_subquery()
    )


def after_rejections(store: Store, limit: int = 15) -> list[dict[str, Any]]:
    """The latest rejections and what came next: as `mood.after_rejections`, in SQL."""
    nexts = {
        "next_application": _next(None, E.c.at),
        "next_interview": _next("interview", E.c.at),
        "next_offer": _next("offer", E.c.at),
    }
    cols: list[ColumnElement[Any]] = [E.c.at, A.c.company]
    for name, (company, when) in nexts.items():
        cols += [company.label(f"{name}_company"), days_between(E.c.at, when).label(f"{name}_days")]
    q = (
        select(*cols)
        .join(A, A.c.id == E.c.application_id)
        .where(E.c.kind == "rejection")
        .order_by(E.c.at.desc(), E.c.id.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        m = r._mapping
        item: dict[str, Any] = {"at": aware(r.at), "company": r.company}
        for name in nexts:
            days = m[f"{name}_days"]
            item[name] = (
                None
                if days is None
                else {"company": m[f"{name}_company"], "days": round(float(days), 1)}
            )
        out.append(item)
    return out


def bounce_by_feeling(store: Store) -> tuple[list[tuple[str, float]], int]:
    """(feeling, days to the next application) for each check-in about a rejection, and how
    many rejections have no application after them yet."""
    company, when = _next(None, E.c.at)
    q = (
        select(C.c.feeling, days_between(E.c.at, when).label("days"))
        .join(E, E.c.id == C.c.event_id)
        .where(C.c.state == "done", when.is_not(None))
    )
    waiting = select(func.count()).where(E.c.kind == "rejection", when.is_(None))
    with store.engine.connect() as conn:
        pairs = [(r.feeling, float(r.days)) for r in conn.execute(q)]
        return pairs, int(conn.execute(waiting.select_from(E)).scalar() or 0)
