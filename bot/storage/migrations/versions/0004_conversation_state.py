"""Conversation state between turns, issued button tokens, received Telegram updates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "conversation_states",
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("language_explicit", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("unsure_turns", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", name=op.f("pk_conversation_states")),
    )
    op.create_index(
        op.f("ix_conversation_states_updated_at"),
        "conversation_states",
        ["updated_at"],
        unique=False,
    )
    op.create_table(
        "issued_buttons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_buttons")),
        sa.UniqueConstraint("token", name=op.f("uq_issued_buttons_token")),
    )
    op.create_index(
        op.f("ix_issued_buttons_sender_id"), "issued_buttons", ["sender_id"], unique=False
    )
    op.create_index(
        op.f("ix_issued_buttons_issued_at"), "issued_buttons", ["issued_at"], unique=False
    )
    op.create_table(
        "received_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_received_updates")),
    )
    op.create_index(
        op.f("ix_received_updates_received_at"), "received_updates", ["received_at"], unique=False
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f("ix_received_updates_received_at"), table_name="received_updates")
    op.drop_table("received_updates")
    op.drop_index(op.f("ix_issued_buttons_issued_at"), table_name="issued_buttons")
    op.drop_index(op.f("ix_issued_buttons_sender_id"), table_name="issued_buttons")
    op.drop_table("issued_buttons")
    op.drop_index(op.f("ix_conversation_states_updated_at"), table_name="conversation_states")
    op.drop_table("conversation_states")
