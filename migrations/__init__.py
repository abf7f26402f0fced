"""The service database's schema as versioned Alembic migrations (``regsearch db upgrade``).

The Alembic environment is configured in code (``migrations.runner``), not by an
``alembic.ini`` in the current directory, so the command works from anywhere. Only the
service's own database (``settings.app_dsn``) is migrated here; the stand-in registry
belongs to the registration system and keeps its own ``registry/schema.sql``.
"""
