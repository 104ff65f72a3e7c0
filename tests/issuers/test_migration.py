"""Migration 0014_issuer on data made before it: each body starts its counters where its unit's stood, and bodies of
one province that would print the same numbers get their own symbol."""
from __future__ import annotations

from sqlalchemy import text

from app.db import make_engine
from app.ops.migrate import upgrade
from tests.conftest import fresh_database_url

NOW = "2026-12-01 00:00:00+00:00"


def _unit(conn, code: str) -> int:  # noqa: ANN001
    return conn.execute(text("SELECT id FROM admin_unit WHERE era = 'current' AND level = 'province' AND code = :c"),
                        {"c": code}).scalar_one()


def test_counters_are_carried_over_per_body_and_clashing_bodies_get_a_symbol(backend):
    url = fresh_database_url(backend)
    upgrade("0013", url)
    engine = make_engine(url)
    with engine.begin() as conn:
        bac_ninh, ha_noi = _unit(conn, "24"), _unit(conn, "01")
        ids = []
        for unit, name in ((bac_ninh, "Sở Văn hóa, Thể thao và Du lịch tỉnh Bắc Ninh"),
                           (bac_ninh, "Trung tâm Chính trị tỉnh"), (ha_noi, "Sở Văn hóa và Thể thao Hà Nội")):
            ids.append(conn.execute(text(
                "INSERT INTO issuing_body (unit_id, name, parent_name, short_code, place_name, signer_title, "
                "signer_name, number_pattern, active, created_at, updated_at) VALUES (:u, :n, '', '', '', '', '', "
                "'{n}/{year}/GCN', true, :t, :t) RETURNING id"), {"u": unit, "n": name, "t": NOW}).scalar_one())
        conn.execute(text("INSERT INTO certificate_counter (issuer_unit_id, year, last) VALUES "
                          "(:u, 2026, 41), (:u, 0, 90)"), {"u": bac_ninh})
    upgrade("head", url)
    with engine.connect() as conn:
        counters = set(conn.execute(text("SELECT issuing_body_id, year, last FROM certificate_counter")).all())
        assert counters == {(ids[0], 2026, 41), (ids[0], 0, 90), (ids[1], 2026, 41), (ids[1], 0, 90)}
        bodies = {row[0]: row[1:] for row in conn.execute(
            text("SELECT id, short_code, number_pattern FROM issuing_body")).all()}
        assert bodies[ids[0]] == ("", "{n}/{year}/GCN")  # the first keeps its numbers
        assert bodies[ids[1]] == ("TTCT", "{n}/{year}/GCN-{code}")  # the second gets its own symbol
        assert bodies[ids[2]] == ("", "{n}/{year}/GCN")  # another province: no clash
    engine.dispose()
