"""Storage of registrations, consent, outbox and audit records (SQLAlchemy 2 + Alembic)."""
