"""Alembic migrations of the Cunjing database."""
