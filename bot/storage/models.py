"""Database tables. Changes to them need an Alembic migration (bot/storage/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time in UTC (stored timezone-aware)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of all Patenbot tables; Rasa's own ``events`` table is not one of them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class ConsentRecord(Base):
    """Proof of informed consent: which notice, in which language, when."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    notice_version: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Registration(Base):
    """An interest registration of a prospective mentor or a family's request."""

    __tablename__ = "registrations"
    __table_args__ = (
        Index("ix_registrations_person_kind", "person_ref", "kind"),
        # The coordinators' inbox: newest first, alone or within one status (issue 13).
        Index("ix_registrations_created_at_id", "created_at", "id"),
        Index("ix_registrations_status_created_at", "status", "created_at", "id"),
        # Its counts per status within one municipality or chat language.
        Index("ix_registrations_municipality_status", "municipality", "status"),
        Index("ix_registrations_language_status", "language", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    contact_method: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    municipality: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_records.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )
    # The coordinator who took the registration over ("Übernehmen"), as an actor name.
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    consent: Mapped[ConsentRecord | None] = relationship()
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", passive_deletes=True
    )


class StatusChange(Base):
    """One step of a registration's workflow, with who made it and when."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="status_changes")


class OutboxMessage(Base):
    """A notification for the coordinators, written with the change it reports."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    person_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class ExportAudit(Base):
    """Who exported registrations, when, with which filters, and how many rows."""

    __tablename__ = "export_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    exported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    file_format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    row_count: Mapped[int]


class Handoff(Base):
    """A conversation handed to the coordinators: the bot is silent while it is open."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(64))

    messages: Mapped[list[HandoffMessage]] = relationship(
        back_populates="handoff", cascade="all, delete-orphan", passive_deletes=True
    )


class HandoffMessage(Base):
    """A message the bot posted in the coordinators' group for a handoff.

    A coordinator's reply to it is relayed to the person.
    """

    __tablename__ = "handoff_messages"

    group_message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )

    handoff: Mapped[Handoff] = relationship(back_populates="messages")


class WebMessage(Base):
    """One message of a web chat's transcript, so that a reload shows the conversation.

    Erased with the conversation (``/delete``) and by the chat retention period.
    """

    __tablename__ = "web_messages"
    __table_args__ = (Index("ix_web_messages_sender_id_id", "sender_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64))
    # "user", "bot" or "office" (a coordinator's reply to a handoff).
    role: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    # {"choices": [[title, token], ...]}: the buttons shown under a bot message.
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class ConversationState(Base):
    """What the front end knows about a conversation between turns (no personal data).

    Kept here, not in one process's memory, so a restarted front end or a second
    worker continues every conversation.
    """

    __tablename__ = "conversation_states"

    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(16))
    language_explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(64))
    unsure_turns: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )


class IssuedButton(Base):
    """A button token the front end gave a conversation, and the payload it stands for."""

    __tablename__ = "issued_buttons"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class ReceivedUpdate(Base):
    """A Telegram ``update_id`` already taken, so a repeat after a restart is dropped."""

    __tablename__ = "received_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class CoordinatorAccount(Base):
    """A login of the coordinators' console (bot/office/); never deleted, only disabled."""

    __tablename__ = "coordinator_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    # A one-time password (set by the command line) must be changed at the next login
    # and is refused once it expires.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    password_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_required: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """Who did what in the coordinators' console, when: never the personal data itself.

    ``registration_id`` has no foreign key on purpose: the row outlives the registration
    (erasure, retention) and then names only a number that points nowhere.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    registration_id: Mapped[int | None] = mapped_column(index=True)
    target_account: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(64))
    filters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    row_count: Mapped[int | None]


class RegistrationNote(Base):
    """A coordinator's internal note on a registration: personal data, erased with it."""

    __tablename__ = "registration_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
