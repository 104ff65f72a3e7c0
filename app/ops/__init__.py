"""Operations run from the command line, outside a request: `migrate` (Alembic upgrade and downgrade) and `backup`
(a consistent copy of the database and the stored files, and its restore)."""
