"""Places: the counts match the shipped files, old communes resolve to new ones, search ignores diacritics."""
from __future__ import annotations

import csv

from app.places import service
from app.places.loader import DATA
from app.places.models import Era, Level
from tests.helpers import api_token


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_counts_match_the_data_files(db):
    counts = service.counts(db)
    after = _rows("units-2025.csv")
    before = _rows("units-before-2025-gso.csv")
    assert counts[(Era.CURRENT, Level.PROVINCE)] == len({r["provinceCode"] for r in after}) == 34
    assert counts[(Era.CURRENT, Level.COMMUNE)] == len(after) == 3321
    assert counts[(Era.FORMER, Level.PROVINCE)] == len({r["Mã TP"] for r in before}) == 63
    assert counts[(Era.FORMER, Level.COMMUNE)] == len(before) == 10035


def test_former_bac_giang_commune_resolves_to_todays_bac_ninh(db):
    old = service.get_by_key(db, "old:07435")  # Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang
    assert old.name == "Xã Đại Lâm"
    assert service.path_label(old) == "Xã Đại Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang"
    assert [u.name for u in service.successors(db, old)] == ["Xã Tân Dĩnh"]
    assert old.current_province.name == "Tỉnh Bắc Ninh"
    new = service.get_by_key(db, "07432")
    assert {u.name for u in service.predecessors(db, new)} >= {"Xã Tân Dĩnh", "Xã Đại Lâm", "Xã Thái Đào"}


def test_bac_ninh_scope_covers_former_bac_giang_but_not_hanoi(db):
    bac_ninh = service.get_by_key(db, "24")
    assert len(service.children(db, bac_ninh)) == 99
    assert service.is_within(db, service.get_by_key(db, "old:07435").id, bac_ninh.id)
    assert service.is_within(db, service.get_by_key(db, "07432").id, bac_ninh.id)
    assert not service.is_within(db, service.get_by_key(db, "00004").id, bac_ninh.id)  # Phường Ba Đình, Hà Nội


def test_commune_scope_covers_the_communes_merged_into_it(db):
    tan_dinh = service.get_by_key(db, "07432")
    assert service.is_within(db, service.get_by_key(db, "old:07438").id, tan_dinh.id)  # Thái Đào
    assert not service.is_within(db, service.get_by_key(db, "07210").id, tan_dinh.id)  # Phường Bắc Giang


def test_former_district_scope_is_its_own_communes(db):
    lang_giang = service.get_by_key(db, "old:217")
    assert lang_giang.name == "Huyện Lạng Giang"
    assert service.is_within(db, service.get_by_key(db, "old:07435").id, lang_giang.id)
    assert not service.is_within(db, service.get_by_key(db, "07432").id, lang_giang.id)


def test_search_without_diacritics_finds_tan_dinh(db):
    units, total = service.search(db, "tan dinh", era=Era.CURRENT)
    found = {(u.name, u.parent.name) for u in units}
    assert ("Xã Tân Dĩnh", "Tỉnh Bắc Ninh") in found
    assert ("Phường Tân Định", "Thành phố Hồ Chí Minh") in found  # same letters once the marks are gone
    assert total == len(units)
    with_marks, _ = service.search(db, "Tân Dĩnh", era=Era.CURRENT)
    assert with_marks[0].name == "Xã Tân Dĩnh"  # typed with its marks, the exact name comes first


def test_search_handles_d_with_stroke_and_wildcards(db):
    units, _ = service.search(db, "dai lam", era=Era.FORMER, level=Level.COMMUNE)
    assert "Xã Đại Lâm" in [u.name for u in units]
    nothing, total = service.search(db, "%_%zzz")
    assert (nothing, total) == ([], 0)


def test_units_api_search_and_detail(client, make_user):
    user = make_user("trainee", unit="07432")
    token = api_token(client, user.username)
    headers = {"Authorization": f"Bearer {token}"}
    found = client.get("/api/v1/units", params={"q": "Tân Dĩnh", "era": "current"}, headers=headers).json()
    assert found["items"][0]["key"] == "07432"
    assert found["items"][0]["path"] == "Xã Tân Dĩnh, Tỉnh Bắc Ninh"
    detail = client.get("/api/v1/units/old:07435", headers=headers).json()
    assert detail["current_province"]["name"] == "Tỉnh Bắc Ninh"
    assert [s["key"] for s in detail["successors"]] == ["07432"]
    missing = client.get("/api/v1/units/99999", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "unit_not_found"
