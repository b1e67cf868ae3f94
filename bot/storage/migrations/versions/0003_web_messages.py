"""The web chat's transcript (a reload shows the conversation so far).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "web_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_messages")),
    )
    op.create_index(
        "ix_web_messages_sender_id_id", "web_messages", ["sender_id", "id"], unique=False
    )
    op.create_index(
        op.f("ix_web_messages_created_at"), "web_messages", ["created_at"], unique=False
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index(op.f("ix_web_messages_created_at"), table_name="web_messages")
    op.drop_index("ix_web_messages_sender_id_id", table_name="web_messages")
    op.drop_table("web_messages")
