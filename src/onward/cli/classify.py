"""Commands about recognising job mail: classify, label, review, model train/eval."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from onward.cli.app import offers_checkin, open_store, out
from onward.config import Config
from onward.terminal import styled

if TYPE_CHECKING:
    from onward.classify.model import Verdict
    from onward.mail.model import Email

# What `onward review --json` gives of each message.
REVIEW_JSON = ("id", "message_id", "kind", "confidence", "from_addr", "subject")

model_app = typer.Typer(
    help="The job-mail classifier: rebuild it or measure it.", no_args_is_help=True
)


def _location(container: Path, kind: str, folder: str, key: str) -> str:
    if kind == "eml":
        return str(container / key) if container.is_dir() else str(container)
    where = f"{folder}/" if folder not in ("", "INBOX") else ""
    return f"{container}:{where}{key}"


def _store_if_any(config: Config):  # type: ignore[no-untyped-def]
    return (
        open_store(config)
        if Path(config.database_url.removeprefix("sqlite:///")).exists()
        or not config.database_url.startswith("sqlite")
        else None
    )


def _classified(pairs: Iterable[tuple[Any, Any]], classifier: Any, explain: bool) -> Iterator[Any]:
    """(raw, email, verdict) in order, classified in batches (the numpy work is per batch)."""
    rest = iter(pairs)
    while batch := list(islice(rest, 256)):
        verdicts = classifier.classify_many([email for _, email in batch], explain=explain)
        for (raw, email), v in zip(batch, verdicts, strict=True):
            yield raw, email, v


def _in_threads(
    results: Iterable[tuple[str, Email, Verdict]], corrected: Collection[str] = ()
) -> Iterator[tuple[str, Email, Verdict]]:
    """The results, with `not_job` mail that answers job mail among them adjusted as a scan
    adjusts it (`classify.thread`). Such replies wait until the end, as the mail they answer
    may come later in the files; the rest comes out as it is classified. As in a scan, the
    messages the person corrected (`corrected`: their Message-IDs) stay as they said."""
    from dataclasses import replace

    from onward.classify import JOB_KINDS
    from onward.classify.thread import in_job_thread, may_become_an_interview
    from onward.mail.model import Email

    kinds: dict[str, str] = {}  # Message-ID of job mail → its kind
    replies: list[tuple[str, Email, Verdict, list[str]]] = []
    for where, email, v in results:
        if v.kind in JOB_KINDS and email.message_id:
            kinds[email.message_id] = v.kind
        refs = [m for m in (email.in_reply_to, *email.references) if m]
        if v.kind == "not_job" and refs and email.message_id not in corrected:
            # Kept whole only where an employer may be read from it later; of the others, what
            # is shown of them (a mailbox's replies, held to the end, add up).
            if not may_become_an_interview(v):
                email = Email(email.message_id, "", email.subject, email.sender)
                v = replace(v, probabilities={})
            replies.append((where, email, v, refs))
        else:
            yield where, email, v
    for where, email, v, refs in replies:
        yield where, email, in_job_thread(email, v, {kinds[m] for m in refs if m in kinds})


def _corrected_ids(store: Any) -> frozenset[str]:
    """The Message-IDs of the messages the person corrected (none without a database)."""
    if store is None:
        return frozenset()
    return frozenset(r["message_id"] for r in store.corrections() if r["message_id"])


def _each(
    paths: list[Path], classifier: Any, explain: bool
) -> Iterator[tuple[str, Email, Verdict]]:
    """(where, email, verdict) for every message of every path, in order."""
    from onward.mail.sources import open_path_source
    from onward.scan import iter_parsed

    for path in paths:
        source = open_path_source(path)
        container = Path(path).expanduser().resolve()
        for raw, email, v in _classified(iter_parsed(source), classifier, explain):
            yield _location(container, source.kind, raw.locator.folder, raw.locator.key), email, v


def _verdict_json(where: str, email: Email, v: Verdict, explain: bool) -> dict[str, Any]:
    obj = {"path": where, "message_id": email.message_id} | v.as_dict()
    if explain:
        obj["reasons"] = list(v.reasons)
    return obj


def _print_reasons(email: Email, v: Verdict) -> None:
    review = ", needs review" if v.needs_review else ""
    out.print(
        styled(
            (v.kind, "bold"),
            f" ({v.confidence:.2f}{review}) {email.subject!r} from {email.sender or 'unknown'}",
        )
    )
    for reason in v.reasons:
        out.print(f"    {reason}", highlight=False)


def classify(
    paths: Annotated[
        list[Path], typer.Argument(help=".eml files, folders of them, mbox, Maildir.")
    ],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per message.")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Say what decided each verdict.")
    ] = False,
) -> None:
    """Classify messages without storing anything (your corrections still apply)."""
    from onward.classify.service import classifier_for

    store = _store_if_any(Config.load())
    classifier = classifier_for(store)
    corrected = _corrected_ids(store)
    table = Table("kind", "conf", "review", "company", "role", "subject")
    for where, email, v in _in_threads(_each(paths, classifier, explain), corrected):
        if jsonl:
            print(json.dumps(_verdict_json(where, email, v, explain), ensure_ascii=False))  # noqa: T201
        elif explain:
            _print_reasons(email, v)
        else:
            table.add_row(
                v.kind,
                f"{v.confidence:.2f}",
                "yes" if v.needs_review else "",
                v.company,
                v.role,
                email.subject[:60],
            )
    if not jsonl and not explain:
        out.print(table)


def label(
    message_id: Annotated[str, typer.Argument(help="Message-ID (or onward's email id).")],
    kind: Annotated[str, typer.Argument(help="The right kind, e.g. rejection or interview.")],
) -> None:
    """Correct a verdict. onward learns from it, and the correction outlives model updates."""
    from onward.corrections import correct

    done = correct(open_store(Config.load()), message_id, kind)
    e, now = done.before, done.after
    out.print(
        f"Recorded: {e['subject'][:70]!r} from {e['from_addr']} is {kind} "
        f"(was {e.get('kind') or 'unclassified'}).",
        highlight=False,
    )
    _say_link(now)


def _say_link(e: dict[str, Any]) -> None:
    """Where a corrected email now stands in the tracker."""
    named = " and ".join(
        f"{what} {e[key]!r}" for what, key in (("employer", "company"), ("role", "role")) if e[key]
    )
    if e["link_state"] == "linked" and e["application_id"] is not None:
        out.print(
            f"It names {named or 'no employer'}; linked to application #{e['application_id']}."
        )
    elif e["link_state"] == "review" and not e["company"]:
        out.print(
            f"It names no employer, so it waits in `onward review`; "
            f"`onward link {e['id']} new --company NAME` opens its application."
        )
    elif e["link_state"] == "review":
        reason = json.loads(e["link_note"] or "{}").get("reason", "")
        out.print(
            f"It names {named}; it waits for you to pick its application ({reason}): "
            "`onward review`.",
            highlight=False,
        )


def review(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Messages the classifier was not sure about: confirm them with `onward label`."""
    from onward.store.review import to_review

    store = open_store(Config.load())
    rows = to_review(store)
    if as_json:
        for r in rows:
            print(json.dumps({k: r[k] for k in REVIEW_JSON}))  # type: ignore[literal-required]  # noqa: T201
        return
    table = Table("id", "guess", "conf", "from", "subject", title=f"{len(rows)} to confirm")
    for r in rows:
        table.add_row(
            str(r["id"]), r["kind"], f"{r['confidence']:.2f}", r["from_addr"], r["subject"][:60]
        )
    out.print(table)
    out.print("Confirm or correct with `onward label ID KIND`.")
    from onward.tracker.repo import Tracker

    links = Tracker(store).review_links()
    if links:
        table = Table(
            "email",
            "kind",
            "company",
            "subject",
            "candidates",
            title=f"{len(links)} emails to link to an application",
        )
        for e in links:
            cands = ", ".join(
                f"#{c['application_id']} {c['why']}" for c in e["note"].get("candidates", [])
            ) or e["note"].get("reason", "")
            table.add_row(str(e["id"]), e["kind"], e["company"], e["subject"][:50], cands)
        out.print(table)
        out.print("Answer with `onward link EMAIL APPLICATION` (or `new`).")


@model_app.command("train")
def model_train(
    corpus: Annotated[Path, typer.Option(help="The labelled corpus folder.")],
    output: Annotated[Path | None, typer.Option(help="Write model.npz/json here instead.")] = None,
) -> None:
    """Rebuild the shipped model from the corpus (fixed seed: same corpus, same model)."""
    from onward.classify.train import train

    with out.status("Training on the corpus, with the held-out evaluation (a minute or two)..."):
        weights, lines = train(corpus, output)
    out.print("\n".join(lines), highlight=False)
    out.print(f"Model {weights.version} written.")


@model_app.command("eval")
def model_eval(
    corpus: Annotated[Path, typer.Option(help="The labelled corpus folder.")],
    peer: Annotated[
        bool, typer.Option(help="Train the plain TF-IDF peer on every fold too (minutes).")
    ] = True,
) -> None:
    """Evaluate on held-out people (docs/evaluation.md), beside the plain peer and keywords."""
    from onward.classify.train import evaluate

    with out.status("Evaluating: each person held out in turn (several minutes with the peer)..."):
        lines = evaluate(corpus, peer=peer)
    out.print("\n".join(lines), highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(offers_checkin(classify))
    app.command()(offers_checkin(label))
    app.command()(offers_checkin(review))
    app.add_typer(model_app, name="model")
