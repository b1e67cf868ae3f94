"""Alembic migrations of the Patenbot database."""
