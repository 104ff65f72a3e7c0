"""The `nangluc` command."""
from __future__ import annotations

import getpass
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.auth.models import Role

app = typer.Typer(help="Năng Lực: quản lý bồi dưỡng cán bộ thông tin cơ sở.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
curricula_app = typer.Typer(help="The Decision 1288 curricula in curricula/*.yaml.", no_args_is_help=True)
reports_app = typer.Typer(help="The reports.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(curricula_app, name="curricula")
app.add_typer(reports_app, name="reports")

ROOT = Path(__file__).resolve().parent.parent


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply all migrations to the configured database (creates the SQLite file if needed)."""
    from app.ops.migrate import upgrade

    upgrade(revision)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" empties the database)."""
    from app.ops.migrate import downgrade

    downgrade(revision)
    typer.echo(f"database at {revision}")


@user_app.command("create")
def user_create(username: str,
                role: Annotated[Role, typer.Option(help="admin, organiser, trainer or trainee")],
                unit: Annotated[str | None, typer.Option(help='unit code: "24", "07432", or "old:213"')] = None,
                password: Annotated[str | None, typer.Option(help="asked for when omitted")] = None,
                full_name: Annotated[str, typer.Option("--full-name")] = "") -> None:
    """Create an account."""
    from app.auth import service
    from app.auth.principal import Principal
    from app.db import new_session
    from app.errors import DomainError
    from app.places import service as places

    if password is None:
        password = getpass.getpass("Mật khẩu / Password: ")
        if getpass.getpass("Nhập lại / Repeat: ") != password:
            _fail("Hai lần nhập mật khẩu không khớp.")
    with new_session() as db:
        try:
            unit_row = places.get_by_key(db, unit) if unit else None
            user = service.create_user(db, Principal.system("cli"), username=username, password=password,
                                       role=role.value, full_name=full_name, unit=unit_row)
            db.commit()
        except DomainError as err:
            _fail(f"error: {err.message}")
    typer.echo(f"created {user.username} ({user.role}{', ' + unit if unit else ''})")


@curricula_app.command("check")
def curricula_check(directory: Annotated[Path, typer.Argument(help="default: curricula/")] = ROOT / "curricula"
                    ) -> None:
    """Validate the curriculum files; print every error as file: path: reason and exit 1 if there is any."""
    from app.curricula.loader import load_curricula

    result = load_curricula(directory)
    for error in result.errors:
        typer.echo(str(error))
    if result.errors:
        typer.echo(f"{len(result.errors)} error(s) in {directory}", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {len(result.curricula)} curricula ({', '.join(c.code for c in result.curricula)}), "
               f"{len(result.target_groups)} target groups")


@curricula_app.command("sync")
def curricula_sync(directory: Annotated[Path, typer.Argument(help="default: curricula/")] = ROOT / "curricula"
                   ) -> None:
    """Validate, then load the curricula into the database; unchanged files change nothing, a changed one becomes
    a new version (courses keep the version they were built from)."""
    from app.auth.principal import Principal
    from app.curricula import service
    from app.db import new_session

    with new_session() as db:
        try:
            report = service.sync(db, Principal.system("cli"), directory)
        except service.CurriculaInvalid as err:
            for line in err.errors:
                typer.echo(line)
            raise typer.Exit(1) from None
        db.commit()
    for line in report.lines():
        typer.echo(line)


@curricula_app.command("schema")
def curricula_schema(directory: Annotated[Path, typer.Argument()] = ROOT / "curricula") -> None:
    """Rewrite the JSON Schema files next to the curricula (for editors) after the schema changes."""
    from app.curricula.loader import export_json_schema

    for path in export_json_schema(directory):
        typer.echo(f"wrote {path}")


@reports_app.command("refresh")
def reports_refresh() -> None:
    """Work out every enrolment's results (marked present, certified) again from its marks and certificates: after
    rows were written around the application (a bulk load, a repair by hand). Safe while the app serves."""
    from app.db import write_session
    from app.enrolment import results

    with write_session() as db:
        changed = results.refresh_all(db)
        db.commit()
    typer.echo(f"{changed} enrolments corrected")


@app.command()
def demo(password: Annotated[str | None, typer.Option(help="password of every demo account")] = None,
         scale: Annotated[str, typer.Option(help='"province" (the demo province) or "national" (all 34 provinces, '
                                                 '60,000 officials, 3 million attendance marks: for the reports)')]
         = "province",
         fraction: Annotated[float, typer.Option(help="with --scale national: build this part of it (0.1 = a "
                                                      "tenth)")] = 1.0) -> None:
    """Load the demo province and one account per role; running it twice changes nothing."""
    from app.demo.load import load_demo

    if scale not in ("province", "national") or not 0 < fraction <= 1:
        _fail('error: --scale is "province" or "national"; --fraction is between 0 and 1')
    shown = password is None
    password = password or secrets.token_urlsafe(9)
    report = load_demo(password)
    for line in report:
        typer.echo(line)
    if shown and any("created" in line for line in report):
        typer.echo(f"demo password: {password}")
    if scale == "national":
        from app.db import get_engine, new_session
        from app.demo.national import load_national

        with new_session() as db:
            for line in load_national(db, get_engine(), fraction=fraction, log=lambda _line: None):
                typer.echo(line)


@app.command()
def retention(apply: Annotated[bool, typer.Option("--apply", help="change the data (default: only count)")] = False
              ) -> None:
    """Anonymise officials whose records have not moved for NANGLUC_RETENTION_YEARS, drop expired sessions."""
    from app.db import write_session
    from app.privacy import service

    with write_session() as db:
        result = service.apply_retention(db, apply)
        db.commit()
    typer.echo(" ".join(f"{k}={v}" for k, v in result.items()))


@app.command()
def backup(file: Annotated[Path, typer.Argument(help="where to write the backup, e.g. /var/backups/nangluc/"
                                                     "nangluc-2026-11-26.dump")]) -> None:
    """Back up the whole database to FILE: SQLite's online backup, or pg_dump (custom format) for PostgreSQL.
    Safe while the app serves. The data folder (certificates, materials) is backed up separately."""
    from app.config import get_settings
    from app.ops import backup as backups

    try:
        result = backups.backup(get_settings().database_url, file)
    except backups.BackupError as err:
        _fail(f"error: {err}")
    typer.echo(f"backed up to {result.path} ({result.size:,} bytes, schema {result.revision or 'none'})")


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="a file written by `nangluc backup`")],
            yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False) -> None:
    """Replace the whole database with the backup in FILE (all or nothing). Stop the app first; afterwards run
    `nangluc db upgrade` if the backup comes from an older version."""
    from sqlalchemy.engine import make_url

    from app.config import get_settings
    from app.db import normalise_url
    from app.ops import backup as backups

    url = get_settings().database_url
    shown = make_url(normalise_url(url)).render_as_string(hide_password=True)
    if not yes and not typer.confirm(f"Replace every record in {shown} with {file}?"):
        raise typer.Exit(1)
    try:
        result = backups.restore(url, file)
    except backups.BackupError as err:
        _fail(f"error: {err}")
    typer.echo(f"restored {result.path} into {shown} (schema {result.revision or 'none'}); "
               "run `nangluc db upgrade` if this version is newer than the backup")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          proxy_headers: Annotated[bool, typer.Option(help="trust X-Forwarded-* from a reverse proxy")] = False
          ) -> None:
    """Serve the application with uvicorn."""
    import uvicorn

    # A worker has 30 s (uvicorn's default: 5) to answer its supervisor's health check: on a busy machine starting the
    # app takes longer, and a worker killed for it is restarted, killed again, and never serves.
    uvicorn.run("app.asgi:app", host=host, port=port, workers=workers, proxy_headers=proxy_headers,
                access_log=False, timeout_worker_healthcheck=30)


@app.command()
def worker(concurrency: Annotated[int, typer.Option(help="jobs run at once by this process")] = 2) -> None:
    """Run background jobs and e-mail from the PostgreSQL queue (run any number, on any machine; SQLite needs none)."""
    from app.jobs.queue import run_worker

    run_worker(concurrency)


def main() -> None:
    try:
        app()
    except Exception as exc:  # a configuration error should read as a sentence, not a traceback
        from app.config import SettingsError

        if isinstance(exc, SettingsError):
            typer.echo(f"error: {exc}", err=True)
            sys.exit(2)
        raise
