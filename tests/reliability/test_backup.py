"""`nangluc backup` and `nangluc restore`, run as an IT officer would, compared table by table."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import Engine

from app.db import normalise_url
from app.ops.migrate import alembic_config
from tests.conftest import fresh_database_url
from tests.reliability import live


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine: Engine = create_engine(normalise_url(url))
    try:
        meta_tables = inspect(engine).get_table_names()
        out = {}
        with engine.connect() as conn:
            for name in sorted(meta_tables):
                table = Table(name, MetaData(), autoload_with=conn)
                order = list(table.primary_key.columns) or list(table.columns)
                out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
        return out
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(backend: str, tmp_path_factory) -> dict[str, str]:  # noqa: ANN001
    """The demo province, loaded once per database; each test leaves it as complete as it found it."""
    env = live.environment(fresh_database_url(backend), tmp_path_factory.mktemp("backup") / "data")
    live.prepare(env, demo_password="Demo-backup-2026")
    return env


def test_round_trip_restores_every_table(demo, tmp_path):
    url = demo["NANGLUC_DATABASE_URL"]
    before = snapshot(url)
    assert len(before) >= 20 and sum(len(rows) for rows in before.values()) > 1000  # a real province's worth
    file = tmp_path / "backups" / "nangluc.backup"
    done = live.nangluc(demo, "backup", str(file))
    assert done.returncode == 0, done.stderr
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"backed up to {file}" in done.stdout and f"schema {head})" in done.stdout

    # Life goes on after the backup: records change, are added and deleted.
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE course SET title = 'Đã đổi sau sao lưu'"))
        conn.execute(text("DELETE FROM notification"))
    engine.dispose()
    assert live.nangluc(demo, "user", "create", "sau-sao-luu", "--role", "trainer", "--unit", "24",
                        "--password", "Mat-khau-sau-sao-luu").returncode == 0
    assert snapshot(url) != before

    refused = live.nangluc(demo, "restore", str(file), check=False)  # asks first; no answer means no
    assert refused.returncode == 1 and snapshot(url) != before
    restored = live.nangluc(demo, "restore", str(file), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert snapshot(url) == before

    # The restored database takes new records (PostgreSQL's sequences came back with the rows).
    again = live.nangluc(demo, "user", "create", "sau-khoi-phuc", "--role", "trainer", "--unit", "24",
                         "--password", "Mat-khau-sau-khoi-phuc")
    assert again.returncode == 0, again.stderr
    assert live.nangluc(demo, "db", "upgrade").returncode == 0


def test_restore_into_an_empty_database_elsewhere(demo, backend, tmp_path):
    file = tmp_path / "nangluc.backup"
    assert live.nangluc(demo, "backup", str(file)).returncode == 0
    elsewhere = live.environment(fresh_database_url(backend), tmp_path / "data2")
    done = live.nangluc(elsewhere, "restore", str(file), "--yes")
    assert done.returncode == 0, done.stderr
    assert snapshot(elsewhere["NANGLUC_DATABASE_URL"]) == snapshot(demo["NANGLUC_DATABASE_URL"])
    server = live.serve(elsewhere, tmp_path / "server.log")  # and the app runs on it
    try:
        assert live.health(server.url) == 200
    finally:
        server.stop()


def test_a_backup_is_never_half_written_and_a_wrong_file_changes_nothing(demo, backend, tmp_path):
    url = demo["NANGLUC_DATABASE_URL"]
    before = snapshot(url)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("không phải bản sao lưu")
    bad = live.nangluc(demo, "restore", str(not_a_backup), "--yes", check=False)
    assert bad.returncode == 1 and "is not a Năng Lực backup" in bad.stderr
    missing = live.nangluc(demo, "restore", str(tmp_path / "none.backup"), "--yes", check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    other = "postgresql" if backend == "sqlite" else "sqlite"
    foreign = tmp_path / "foreign.backup"
    foreign.write_bytes(b"PGDMP" + b"\0" * 100 if other == "postgresql" else b"SQLite format 3\x00" + b"\0" * 100)
    wrong = live.nangluc(demo, "restore", str(foreign), "--yes", check=False)
    assert wrong.returncode == 1 and f"is a {other} backup" in wrong.stderr
    assert snapshot(url) == before

    unreachable = live.environment("postgresql+psycopg://postgres@127.0.0.1:9/none" if backend == "postgresql"
                                   else f"sqlite:///{tmp_path}/missing.db", tmp_path / "d3")
    target = tmp_path / "kept.backup"
    target.write_bytes(b"the previous backup")
    failed = live.nangluc(unreachable, "backup", str(target), check=False)
    assert failed.returncode == 1 and failed.stderr.startswith("error:")
    assert target.read_bytes() == b"the previous backup"  # the last good backup is not replaced by a failed one
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
