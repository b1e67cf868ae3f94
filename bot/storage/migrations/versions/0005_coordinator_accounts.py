"""Coordinators' console: accounts, audit log, notes, take-over, inbox indexes (issue 13).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "coordinator_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("password_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_pending_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("totp_required", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_coordinator_accounts_name")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("target_account", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.String(length=64), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"], unique=False)
    op.create_index(op.f("ix_audit_events_actor"), "audit_events", ["actor"], unique=False)
    op.create_index(
        op.f("ix_audit_events_registration_id"), "audit_events", ["registration_id"], unique=False
    )
    op.create_table(
        "registration_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_notes_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_notes")),
    )
    op.create_index(
        op.f("ix_registration_notes_registration_id"),
        "registration_notes",
        ["registration_id"],
        unique=False,
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_registrations_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_registrations_status_created_at", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_registrations_municipality_status", ["municipality", "status"], unique=False
        )
        batch_op.create_index(
            "ix_registrations_language_status", ["language", "status"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_language_status")
        batch_op.drop_index("ix_registrations_municipality_status")
        batch_op.drop_index("ix_registrations_status_created_at")
        batch_op.drop_index("ix_registrations_created_at_id")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assigned_to")
    op.drop_index(op.f("ix_registration_notes_registration_id"), table_name="registration_notes")
    op.drop_table("registration_notes")
    op.drop_index(op.f("ix_audit_events_registration_id"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_actor"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_table("coordinator_accounts")
