"""Storage: SQLAlchemy models, Alembic migrations and repositories (functions taking a Session).

db (engine, sessions, upgrade) · models · citizens · roster (queries) · requests · outbox ·
updates (seen update ids) · links (message → request) · roster_file / roster_rows / roster_sync (import, export) · demo.
The caller owns the transaction: `with factory.begin() as session:` around one unit of work.
"""
