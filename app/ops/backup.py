"""`nangluc backup FILE` and `nangluc restore FILE`: the whole database in one file, and back.

SQLite: SQLite's online backup API, so a backup taken while the app serves is consistent (a snapshot, not a copy of
pages being written); the copy is checked with `PRAGMA integrity_check` before it replaces FILE.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --single-transaction` (all or nothing), run with the
client tools of the server's major version when they are installed (/usr/lib/postgresql/N/bin), else those on PATH;
the password goes through the environment, never the command line.

The database holds the records; certificate PDFs, training materials and the generated secret key live in the data
folder (NANGLUC_DATA_DIR), which is backed up separately (docs/operations.md).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from app.db import normalise_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why, in a sentence."""


@dataclass(frozen=True)
class Result:
    path: Path
    size: int
    revision: str | None  # the schema's migration revision inside the backup


def backup(url: str, path: Path) -> Result:
    """Write the whole database at `url` to `path` (replaced only once the new backup is complete and checked)."""
    parsed = make_url(normalise_url(url))
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written next to the target, then renamed: a failed or interrupted backup never leaves a half file as FILE.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if parsed.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(parsed), tmp)
        else:
            _pg_dump(parsed, tmp)
        revision = revision_in(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return Result(path, path.stat().st_size, revision)


def restore(url: str, path: Path) -> Result:
    """Replace the whole database at `url` with the backup in `path`. Nothing changes if the file is not a backup
    of the same kind of database, or if the restore fails part way (PostgreSQL: one transaction)."""
    path = path.resolve()
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    parsed = make_url(normalise_url(url))
    kind = kind_of(path)
    backend = parsed.get_backend_name()
    if kind is None:
        raise BackupError(f"{path} is not a Năng Lực backup (neither a SQLite database nor a pg_dump archive).")
    if kind != backend:
        raise BackupError(f"{path} is a {kind} backup; the configured database is {backend}. Restore it into a "
                          f"{kind} database (NANGLUC_DATABASE_URL).")
    revision = revision_in(path)
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_path(parsed))
    else:
        _pg_restore(parsed, path)
    return Result(path, path.stat().st_size, revision)


def kind_of(path: Path) -> str | None:
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    return None


def revision_in(path: Path) -> str | None:
    """The migration revision recorded in a backup, or None when the file holds no schema of ours."""
    kind = kind_of(path)
    if kind == "sqlite":
        with _sqlite_connect(path, readonly=True) as conn:
            try:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                return None
        return row[0] if row else None
    if kind == "postgresql":
        tool = _pg_tool("pg_restore", None)
        if "TABLE DATA public alembic_version" not in _run([tool, "--list", str(path)], {}).stdout:
            return None
        lines = _run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)], {}).stdout.splitlines()
        copy = next((i for i, line in enumerate(lines) if line.startswith("COPY public.alembic_version")), None)
        if copy is None or copy + 1 >= len(lines) or lines[copy + 1] == "\\.":
            return None
        return lines[copy + 1].strip()
    return None


# --- SQLite ---------------------------------------------------------------------------------------------------------


def _sqlite_path(parsed: URL) -> Path:
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(parsed.database).resolve()


def _sqlite_connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(path, timeout=30)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist.")
    src = _sqlite_connect(source, readonly=True)
    dst = _sqlite_connect(target)
    try:
        src.backup(dst)  # a consistent snapshot, even while the app writes (WAL)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _check_sqlite(dst, target)
    finally:
        src.close()
        dst.close()


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result[0] if result else 'no answer'}")


def _sqlite_restore(backup_file: Path, database: Path) -> None:
    src = _sqlite_connect(backup_file, readonly=True)
    try:
        _check_sqlite(src, backup_file)
        database.parent.mkdir(parents=True, exist_ok=True)
        dst = _sqlite_connect(database)
        try:
            # The backup API writes the whole database under one lock: readers see the old or the new, not a mix.
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def _libpq(parsed: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _server_major(parsed: URL) -> int | None:
    engine = create_engine(parsed, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    except Exception as exc:
        raise BackupError(f"Cannot reach the database: {str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()


def _pg_tool(name: str, major: int | None) -> str:
    """pg_dump/pg_restore of the server's major version when installed (Debian/Ubuntu layout), else on PATH."""
    if major is not None:
        candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install PostgreSQL's client tools (apt-get install "
                          f"postgresql-client{'-' + str(major) if major else ''}).")
    return found


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-1500:]}")
    return done


def _pg_dump(parsed: URL, target: Path) -> None:
    major = _server_major(parsed)
    uri, env = _libpq(parsed)
    _run([_pg_tool("pg_dump", major), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
          f"--dbname={uri}"], env)
    _run([_pg_tool("pg_restore", major), "--list", str(target)], env)  # the archive reads back


def _pg_restore(parsed: URL, backup_file: Path) -> None:
    major = _server_major(parsed)
    uri, env = _libpq(parsed)
    _run([_pg_tool("pg_restore", major), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={uri}", str(backup_file)], env)
