"""Benchmark: import 5,000 officials from one .xlsx (preview, then the real import) on SQLite or PostgreSQL.

    .venv/bin/python bench/import_trainees.py [sqlite|postgresql] [ROWS]

PostgreSQL uses NANGLUC_TEST_POSTGRES_URL's server (a throw-away database is created and dropped).
Prints the seconds each step took; the goal is seconds, not minutes, for 5,000 rows.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("NANGLUC_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("NANGLUC_DATA_DIR", tempfile.mkdtemp())

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.auth.principal import Principal  # noqa: E402
from app.curricula import service as curricula  # noqa: E402
from app.db import make_engine, normalise_url  # noqa: E402
from app.ops.migrate import upgrade  # noqa: E402
from app.people import service  # noqa: E402
from tests.people.factories import as_xlsx, cccd, person  # noqa: E402

COMMUNES = ["Tân Dĩnh", "07210", "07228", "Xã Đa Mai", "07432"]


def rows(n: int) -> list[dict]:
    out = []
    for i in range(1, n + 1):
        r = person(i, **{"Xã/phường": COMMUNES[i % len(COMMUNES)]})
        birth = date(1970 + i % 35, 1 + i % 12, 1 + i % 28)
        r["Ngày sinh"] = birth.strftime("%d/%m/%Y")
        r["Số CCCD"] = cccd(birth, r["Giới tính"], i)
        r["Số điện thoại"] = f"09{i:08d}"
        out.append(r)
    return out


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        admin_url = make_url(normalise_url(os.environ["NANGLUC_TEST_POSTGRES_URL"]))
        name = f"nangluc_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        drop = (admin, name)
    upgrade("head", url)
    engine = make_engine(url)
    who = Principal.system("bench")
    with Session(engine) as db:
        curricula.sync(db, who)
        db.commit()
    t0 = time.perf_counter()
    content = as_xlsx(rows(n))
    t1 = time.perf_counter()
    with Session(engine) as db:
        preview = service.import_trainees(db, who, content, dry_run=True)
    t2 = time.perf_counter()
    with Session(engine) as db:
        report = service.import_trainees(db, who, content, dry_run=False, lawful_basis_confirmed=True)
        db.commit()
    t3 = time.perf_counter()
    with Session(engine) as db:
        again = service.import_trainees(db, who, content, dry_run=False, lawful_basis_confirmed=True)
        db.commit()
    t4 = time.perf_counter()
    assert not preview.errors and report.created == n and again.unchanged == n, preview.errors[:3]
    print(f"{backend}: {n} rows, file {len(content) / 1024:.0f} KiB (built in {t1 - t0:.2f} s)")
    print(f"  preview (dry run)      {t2 - t1:6.2f} s")
    print(f"  import (all created)   {t3 - t2:6.2f} s  -> {n / (t3 - t2):,.0f} rows/s")
    print(f"  re-import (unchanged)  {t4 - t3:6.2f} s")
    engine.dispose()
    if drop:
        admin, name = drop
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
