"""Table definitions, used by queries. Alembic migrations (in `migrations/`) create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

folder_state = Table(
    "folder_state",
    metadata,
    Column("source", String(500), primary_key=True),
    Column("folder", String(500), primary_key=True),
    Column("state", Text, nullable=False, default="{}"),
    Column("updated_at", DateTime(timezone=True)),
)

emails = Table(
    "emails",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(500), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("message_id", String(500), nullable=False, default=""),
    Column("subject", Text, nullable=False, default=""),
    Column("from_name", Text, nullable=False, default=""),
    Column("from_addr", String(500), nullable=False, default=""),
    Column("reply_to", Text, nullable=False, default=""),
    Column("to_addrs", Text, nullable=False, default=""),
    Column("sent_at", DateTime(timezone=True)),
    Column("in_reply_to", String(500), nullable=False, default=""),
    Column("refs", Text, nullable=False, default=""),
    Column("list_id", Text, nullable=False, default=""),
    Column("list_unsubscribe", Text, nullable=False, default=""),
    Column("auto_submitted", String(100), nullable=False, default=""),
    Column("labels", Text, nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("has_html", Boolean, nullable=False, default=False),
    Column("attachments", Integer, nullable=False, default=0),
    Column("size", Integer, nullable=False, default=0),
    Column("defects", Text, nullable=False, default=""),
    Column("scanned_at", DateTime(timezone=True)),
    Column("kind", String(40)),
    Column("confidence", Float),
    Column("needs_review", Boolean),
    Column("company", Text, nullable=False, default=""),
    Column("role", Text, nullable=False, default=""),
    Column("ats", String(100), nullable=False, default=""),
    Column("reasons", Text, nullable=False, default=""),
    Column("model_version", String(100), nullable=False, default=""),
    Column("interview_p", Float),  # the verdict's interview probability (migration 0009)
    Column("application_id", Integer),
    Column("link_state", String(20), nullable=False, default=""),
    Column("link_note", Text, nullable=False, default=""),
    Column("archive_state", String(20), nullable=False, default=""),
    UniqueConstraint("source", "fingerprint", name="uq_emails_source_fingerprint"),
    sqlite_autoincrement=True,  # an id is never handed out twice (migration 0007)
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email_id", Integer, ForeignKey("emails.id", ondelete="SET NULL")),
    Column("message_id", String(500), nullable=False, default=""),
    Column("kind", String(40), nullable=False),
    Column("previous_kind", String(40), nullable=False, default=""),
    Column("subject", Text, nullable=False, default=""),
    Column("from_name", Text, nullable=False, default=""),
    Column("from_addr", String(500), nullable=False, default=""),
    Column("body", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True)),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email_id", Integer, ForeignKey("emails.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(500), nullable=False),
    Column("folder", String(500), nullable=False),
    Column("uidvalidity", BigInteger, nullable=False, default=0),
    Column("key", String(1000), nullable=False),
    UniqueConstraint("source", "folder", "uidvalidity", "key", name="uq_locations_place"),
)

applications = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("company", Text, nullable=False),
    Column("company_key", String(300), nullable=False),
    Column("role", Text, nullable=False, default=""),
    Column("role_key", String(300), nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("reached", String(20), nullable=False),
    Column("closed_stage", String(20), nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True)),
    Column("applied_at", DateTime(timezone=True)),
    Column("first_response_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("last_contact_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("response_days", Float),
    Column("rejection_days", Float),
    sqlite_autoincrement=True,
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "application_id", Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False
    ),
    Column("kind", String(40), nullable=False),
    Column("at", DateTime(timezone=True)),
    Column("email_id", Integer, ForeignKey("emails.id", ondelete="SET NULL")),
    Column("via", String(20), nullable=False, default="email"),
    Column("note", Text, nullable=False, default=""),
    sqlite_autoincrement=True,
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(500), nullable=False),
    Column("action", String(20), nullable=False),  # archive | undo | record | delete
    Column("folder", String(500), nullable=False, default=""),
    Column("undo_of", Integer),
    Column("marks", Text, nullable=False, default="{}"),  # per-folder UIDNEXT at the start
    Column("created_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    # A delete: the rows it removed and the links it undid, as JSON, for its undo.
    Column("undo_data", Text, nullable=False, default=""),
)

moves = Table(
    "moves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
    Column("email_id", Integer, ForeignKey("emails.id", ondelete="SET NULL")),
    Column("message_id", String(500), nullable=False, default=""),
    Column("from_folder", String(500), nullable=False),
    Column("from_key", String(1000), nullable=False),
    Column("from_uidvalidity", BigInteger, nullable=False, default=0),
    Column("to_folder", String(500), nullable=False),
    Column("to_key", String(1000), nullable=False, default=""),
    Column("to_uidvalidity", BigInteger, nullable=False, default=0),
    # pending (written, not yet confirmed) | done | aborted (never happened) | gone | conflict
    Column("state", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
)

followups = Table(
    "followups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email_id", Integer, ForeignKey("emails.id", ondelete="SET NULL")),
    Column("application_id", Integer, ForeignKey("applications.id", ondelete="SET NULL")),
    Column("source", String(500), nullable=False, default=""),
    Column("to_addr", Text, nullable=False, default=""),
    Column("subject", Text, nullable=False, default=""),
    Column("message_id", String(500), nullable=False, default=""),
    Column("state", String(20), nullable=False),  # drafted | sent
    Column("stored_in", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("remind_at", DateTime(timezone=True)),
    Column("recontact_at", DateTime(timezone=True)),
    Column("reply_email_id", Integer, ForeignKey("emails.id", ondelete="SET NULL")),
    Column("feedback", Text, nullable=False, default=""),
    Column("answered_at", DateTime(timezone=True)),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="SET NULL")),
    Column("application_id", Integer, ForeignKey("applications.id", ondelete="SET NULL")),
    Column("state", String(20), nullable=False),  # done | skipped
    Column("feeling", String(40), nullable=False, default=""),
    Column("intensity", Integer),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True)),
    UniqueConstraint("event_id", name="uq_checkins_event"),
)
