"""Load the shipped administrative-unit files into the database (run once, by the first data migration).

Uses lightweight Core tables rather than the ORM models, so that this loader keeps working for the migration
that calls it even after the models grow new columns.
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sqlalchemy import Boolean, Connection, Float, Integer, String, column, table

from app.core.text import fold

DATA = Path(__file__).parent / "data"

unit_table = table(
    "admin_unit",
    column("id", Integer), column("era", String), column("level", String), column("code", String),
    column("name", String), column("short_name", String), column("unit_type", String),
    column("search_name", String), column("parent_id", Integer), column("current_province_id", Integer),
    column("latitude", Float), column("longitude", Float), column("area_km2", Float),
)
successor_table = table(
    "admin_unit_successor", column("former_id", Integer), column("current_id", Integer), column("divided", Boolean),
)

PROVINCE_PREFIXES = ("Thành phố ", "Tỉnh ")
DISTRICT_PREFIXES = ("Thành phố ", "Thị xã ", "Quận ", "Huyện ")
COMMUNE_PREFIXES = ("Thị trấn ", "Phường ", "Đặc khu ", "Xã ")


def _code(raw: str, width: int) -> str:
    return str(int(float(raw))).zfill(width)


def _strip(name: str, prefixes: tuple[str, ...]) -> tuple[str, str]:
    for p in prefixes:
        if name.startswith(p):
            return name[len(p):], p.strip()
    return name, ""


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_rows() -> tuple[list[dict], list[dict]]:
    """Return (units, successors) as plain rows with stable ids."""
    units: list[dict] = []
    ids: dict[tuple[str, str, str], int] = {}

    def add(era: str, level: str, code: str, name: str, prefixes, parent: int | None, **extra) -> int:
        key = (era, level, code)
        if key in ids:
            return ids[key]
        short, unit_type = _strip(name, prefixes)
        uid = len(units) + 1
        ids[key] = uid
        units.append({"id": uid, "era": era, "level": level, "code": code, "name": name, "short_name": short,
                      "unit_type": unit_type, "search_name": fold(name), "parent_id": parent,
                      "current_province_id": None, "latitude": extra.get("lat"), "longitude": extra.get("lon"),
                      "area_km2": extra.get("area")})
        return uid

    def num(v: str) -> float | None:
        return float(v) if v not in ("", None) else None

    for r in _read("units-2025.csv"):
        p = add("current", "province", _code(r["provinceCode"], 2), r["province"], PROVINCE_PREFIXES, None,
                lat=num(r["provinceLat"]), lon=num(r["provinceLon"]))
        add("current", "commune", _code(r["wardCode"], 5), r["ward"], COMMUNE_PREFIXES, p,
            lat=num(r["wardLat"]), lon=num(r["wardLon"]), area=num(r["wardAreaKm2"]))
    for r in _read("units-before-2025-gso.csv"):
        p = add("former", "province", _code(r["Mã TP"], 2), r["Tỉnh / Thành Phố"], PROVINCE_PREFIXES, None)
        d = add("former", "district", _code(r["Mã QH"], 3), r["Quận Huyện"], DISTRICT_PREFIXES, p)
        add("former", "commune", _code(r["Mã"], 5), r["Tên"], COMMUNE_PREFIXES, d)

    successors: dict[tuple[int, int], dict] = {}
    for r in _read("before-to-2025.csv"):
        new_id = ids[("current", "commune", _code(r["newWardCode"], 5))]
        if r["wardCode"]:
            old_id = ids[("former", "commune", _code(r["wardCode"], 5))]
        else:  # island districts with no communes became special zones directly
            p = add("former", "province", _code(r["provinceCode"], 2), r["province"], PROVINCE_PREFIXES, None)
            old_id = add("former", "district", _code(r["districtCode"], 3), r["district"], DISTRICT_PREFIXES, p)
        successors[(old_id, new_id)] = {"former_id": old_id, "current_id": new_id,
                                        "divided": r["isDividedWard"] == "True"}

    by_id = {u["id"]: u for u in units}
    for u in units:  # current units: their own province
        if u["era"] == "current":
            u["current_province_id"] = u["id"] if u["level"] == "province" else u["parent_id"]
    # Former units count under the current province that received most of their communes.
    votes: dict[int, Counter] = {}
    for s in successors.values():
        new_province = by_id[s["current_id"]]["parent_id"]
        node: int | None = s["former_id"]
        while node is not None:
            votes.setdefault(node, Counter())[new_province] += 1
            node = by_id[node]["parent_id"]
    for uid, counter in votes.items():
        by_id[uid]["current_province_id"] = counter.most_common(1)[0][0]
    return units, list(successors.values())


def load_units(conn: Connection, batch: int = 2000) -> int:
    """Insert every unit and successor link; returns the number of units. Parents come before children."""
    units, successors = build_rows()
    for i in range(0, len(units), batch):
        conn.execute(unit_table.insert(), units[i:i + batch])
    for i in range(0, len(successors), batch):
        conn.execute(successor_table.insert(), successors[i:i + batch])
    return len(units)
