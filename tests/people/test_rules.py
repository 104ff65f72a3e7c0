"""Trainee rules: controlled lists, target group, priority for a curriculum, citizen ID, phone and birth date.

No database. Priority ranks are read from the shipped curricula, so these tests also prove that the order comes
from the curriculum data and not from code.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.core.text import fold
from app.curricula.loader import load_curricula
from app.people import reference, rules
from app.people.reference import (
    COMMUNE_CATEGORIES,
    ETHNICITIES,
    ORGANISATION_TYPES,
    POSITIONS,
    PROVINCE_REGISTRATION_CODES,
    SEXES,
    by_code,
    match,
)
from app.people.rules import (
    DEFAULT_CATEGORY_ORDER,
    PersonFacts,
    birth_date_problems,
    citizen_id_problems,
    normalise_phone,
    place,
    priority,
)

CURRICULA = load_curricula()
assert CURRICULA.ok, CURRICULA.errors
CT2 = list(CURRICULA.curriculum("CT2").target_groups)
CT3 = list(CURRICULA.curriculum("CT3").target_groups)
GROUP_CODES = [g.code for g in CURRICULA.target_groups]
NAMES_VI = {g.code: g.name.vi for g in CURRICULA.target_groups}
NAMES = {g.code: g.name for g in CURRICULA.target_groups}  # objects with .vi and .en

ALL_LISTS = {"SEXES": SEXES, "ETHNICITIES": ETHNICITIES, "ORGANISATION_TYPES": ORGANISATION_TYPES,
             "POSITIONS": POSITIONS, "COMMUNE_CATEGORIES": COMMUNE_CATEGORIES}


def facts(position: str = "khac", organisation: str = "khac", radio: bool = False,
          categories: tuple[str, ...] = ()) -> PersonFacts:
    return PersonFacts(position=position, organisation_type=organisation, in_charge_of_radio=radio,
                       commune_categories=frozenset(categories))


CVH_RADIO = facts("cong_chuc_vhxh", "ubnd_xa", radio=True)
CVH = facts("cong_chuc_vhxh", "ubnd_xa")
PROPAGANDIST = facts("can_bo_tuyen_truyen_doan_the", "hoi_phu_nu")
REPORTER = facts("phong_vien", "co_quan_bao_chi")


# --- controlled lists -----------------------------------------------------------------------------------------------


def test_fifty_four_ethnic_groups_with_unique_codes_and_names() -> None:
    assert len(ETHNICITIES) == 54
    assert len({e.code for e in ETHNICITIES}) == 54
    assert len({e.vi for e in ETHNICITIES}) == 54
    assert [e.code for e in ETHNICITIES if not e.minority] == ["kinh"]
    assert reference.is_minority("tay") and not reference.is_minority("kinh")
    assert {"kinh", "tay", "hmong", "e_de", "bru_van_kieu", "ngai", "ro_mam", "o_du"} <= {e.code for e in ETHNICITIES}


@pytest.mark.parametrize("name", list(ALL_LISTS))
def test_every_list_has_unique_codes_and_unambiguous_spellings(name: str) -> None:
    choices = ALL_LISTS[name]
    assert len({c.code for c in choices}) == len(choices)
    owner: dict[str, str] = {}
    for c in choices:
        for label in (c.code, c.vi, c.en, *c.aliases):
            key = reference.match_key(label)
            assert key, (c.code, label)
            assert owner.setdefault(key, c.code) == c.code, f"{label!r} matches both {owner[key]} and {c.code}"
            assert match(choices, label) == c


def test_match_by_code_label_folded_english_and_alias() -> None:
    assert match(ETHNICITIES, "tay").code == "tay"
    assert match(ETHNICITIES, "Tày").code == "tay"
    assert match(ETHNICITIES, "TAY").code == "tay"
    assert match(ETHNICITIES, "Ê-đê").code == "e_de"
    assert match(ETHNICITIES, "ede").code == "e_de"
    assert match(ETHNICITIES, "H'Mông").code == "hmong"
    assert match(ETHNICITIES, "Hmong").code == "hmong"
    assert match(ETHNICITIES, "Cờ Lao").code == "co_lao"
    assert match(ETHNICITIES, "  Bru - Vân Kiều ").code == "bru_van_kieu"
    assert match(ETHNICITIES, "Klingon") is None
    assert match(ETHNICITIES, "") is None and match(ETHNICITIES, None) is None
    assert match(SEXES, "Nữ").code == "female" and match(SEXES, "nu").code == "female"
    assert match(SEXES, "Male").code == "male"
    assert match(ORGANISATION_TYPES, "UBND xã/phường/đặc khu").code == "ubnd_xa"
    assert match(ORGANISATION_TYPES, "ubnd xa").code == "ubnd_xa"
    assert match(ORGANISATION_TYPES, "Hội LHPN").code == "hoi_phu_nu"
    assert match(ORGANISATION_TYPES, "Women's Union").code == "hoi_phu_nu"
    assert match(ORGANISATION_TYPES, "trung tam van hoa - the thao - truyen thong xa").code == "trung_tam_vhtt_xa"
    assert match(POSITIONS, "Công chức Văn hóa - Xã hội").code == "cong_chuc_vhxh"
    assert match(POSITIONS, "cong chuc van hoa xa hoi").code == "cong_chuc_vhxh"
    assert match(POSITIONS, "Trưởng thôn").code == "truong_thon"


@pytest.mark.parametrize(("typed", "code"), [
    ("ĐBKK", "dbkk"), ("đbkk", "dbkk"), ("Xã đặc biệt khó khăn", "dbkk"), ("biên giới", "bien_gioi"),
    ("Bien gioi", "bien_gioi"), ("hải đảo", "hai_dao"), ("DTTS", "dtts"), ("vùng DTTS", "dtts"),
    ("Vùng đồng bào dân tộc thiểu số", "dtts"), ("dtts", "dtts"),
])
def test_commune_categories_accept_short_spreadsheet_labels(typed: str, code: str) -> None:
    assert match(COMMUNE_CATEGORIES, typed).code == code


def test_match_all_reads_several_categories_in_one_cell() -> None:
    found, unknown = reference.match_all(COMMUNE_CATEGORIES, "ĐBKK, biên giới; DTTS, ĐBKK")
    assert [c.code for c in found] == ["dbkk", "bien_gioi", "dtts"] and unknown == []
    found, unknown = reference.match_all(COMMUNE_CATEGORIES, "Xã đảo / hải đảo, vùng cao")
    assert [c.code for c in found] == ["hai_dao"] and unknown == ["vùng cao"]


def test_by_code() -> None:
    assert by_code(POSITIONS, "phong_vien").vi == "Phóng viên"
    assert by_code(ORGANISATION_TYPES, "ubnd_xa").vi == "UBND xã/phường/đặc khu"
    with pytest.raises(KeyError):
        by_code(POSITIONS, "nope")


def test_province_registration_codes_come_from_the_pre_2025_units() -> None:
    assert len(PROVINCE_REGISTRATION_CODES) == 63
    assert {"001", "024", "027", "079", "096"} <= PROVINCE_REGISTRATION_CODES
    assert "000" not in PROVINCE_REGISTRATION_CODES and "003" not in PROVINCE_REGISTRATION_CODES
    assert reference.PROVINCE_REGISTRATION_NAMES["024"] == "Tỉnh Bắc Giang"
    path = Path(reference.__file__).resolve().parents[1] / "places" / "data" / "units-before-2025-gso.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        from_csv = {"0" + row["Mã TP"] for row in csv.DictReader(f)}
    assert from_csv == PROVINCE_REGISTRATION_CODES


def test_fold_is_what_matching_builds_on() -> None:
    assert fold("Xã Tân Dĩnh") == "xa tan dinh"


# --- target group ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("person", "group", "first_reason"), [
    (facts("cong_chuc_vhxh", "ubnd_xa", radio=True), "cvh_radio", "cvh_radio"),
    (facts("cong_chuc_vhxh", "trung_tam_vhtt_xa", radio=True), "cvh_radio", "cvh_radio"),
    (facts("cong_chuc_vhxh", "ubnd_xa", radio=False), "grassroots_info", "cvh_grassroots"),
    (facts("nhan_vien_dai_truyen_thanh", "trung_tam_vhtt_xa", radio=True), "grassroots_info", "radio_staff"),
    (facts("vien_chuc_trung_tam_vhtt", "trung_tam_vhtt_xa"), "grassroots_info", "culture_centre_staff"),
    (facts("pho_chu_tich_ubnd", "ubnd_xa"), "grassroots_info", "vice_chair_culture"),
    (facts("truong_thon", "thon_to_dan_pho"), "grassroots_info", "village_head"),
    (facts("khac", "ubnd_xa"), "grassroots_info", "commune_information_body"),
    (facts("khac", "thon_to_dan_pho"), "grassroots_info", "commune_information_body"),
    (facts("can_bo_tuyen_giao", "dang_uy_xa"), "party_mass_propaganda", "party_propaganda"),
    (facts("lanh_dao_doan_the", "hoi_nong_dan"), "party_mass_propaganda", "mass_propaganda"),
    (facts("can_bo_tuyen_truyen_doan_the", "doan_thanh_nien"), "party_mass_propaganda", "mass_propaganda"),
    (facts("khac", "mttq_xa"), "party_mass_propaganda", "party_or_mass_organisation"),
    (facts("khac", "hoi_ccb"), "party_mass_propaganda", "party_or_mass_organisation"),
    (facts("phong_vien", "co_quan_bao_chi"), "press", "press_staff"),
    (facts("lanh_dao_bao_chi", "co_quan_bao_chi"), "press", "press_staff"),
    (facts("bien_tap_vien", "khac"), "press", "press_staff"),
    (facts("can_bo_quan_ly_bao_chi", "co_quan_quan_ly_bao_chi"), "press", "press_management"),
    (facts("khac", "co_quan_quan_ly_bao_chi"), "press", "press_body"),
    (facts("can_bo_thong_tin_doi_ngoai", "co_quan_doi_ngoai"), "foreign_info", "foreign_info"),
    (facts("khac", "co_quan_doi_ngoai"), "foreign_info", "foreign_info_body"),
    (facts("khac", "khac"), None, "not_a_target"),
])
def test_place(person: PersonFacts, group: str | None, first_reason: str) -> None:
    placement = place(person)
    assert placement.target_group == group
    assert placement.reasons[0].code == first_reason
    assert placement.reasons[-1].code == "organisation"


def test_placement_reasons_read_in_vietnamese_and_english() -> None:
    placement = place(CVH_RADIO)
    assert placement.reasons[0] == rules.Reason(
        "cvh_radio", "Công chức văn hóa - xã hội phụ trách đài truyền thanh xã",
        "Commune culture-social civil servant in charge of the commune radio station")
    assert placement.reasons[1] == rules.Reason("organisation", "Tổ chức: UBND xã/phường/đặc khu",
                                                "Organisation: Commune People's Committee")
    nobody = place(facts("khac", "khac"))
    assert nobody.reasons[0].vi == "Chức danh/tổ chức không thuộc đối tượng của Tiểu dự án 1"
    assert [r.code for r in nobody.reasons] == ["not_a_target", "position", "organisation"]


def test_culture_official_of_another_body_in_charge_of_radio_is_not_the_priority_group() -> None:
    assert place(facts("cong_chuc_vhxh", "dang_uy_xa", radio=True)).target_group == "grassroots_info"


def test_placement_groups_are_the_curricula_target_groups() -> None:
    used = {r.target_group for r in rules.PLACEMENT_RULES} - {None}
    assert used == set(GROUP_CODES)
    for child, parents in rules.GROUP_PARENTS.items():
        assert {child, *parents} <= set(GROUP_CODES)


def test_place_refuses_codes_outside_the_lists() -> None:
    with pytest.raises(ValueError, match="Chức danh"):
        place(facts("thu_truong", "ubnd_xa"))
    with pytest.raises(ValueError, match="tổ chức"):
        place(facts("khac", "bo_ngoai_giao"))


# --- priority -------------------------------------------------------------------------------------------------------


def test_shipped_curricula_order_their_target_groups() -> None:
    assert CT2 == ["cvh_radio", "grassroots_info", "party_mass_propaganda"]
    assert CT3 == ["party_mass_propaganda", "grassroots_info"]


def test_ct2_ranks_follow_the_curriculum_data() -> None:
    assert priority(CVH_RADIO, "CT2", CT2).rank == 1
    assert priority(CVH, "CT2", CT2).rank == 2
    assert priority(facts("truong_thon", "thon_to_dan_pho"), "CT2", CT2).rank == 2
    assert priority(PROPAGANDIST, "CT2", CT2).rank == 3
    reporter = priority(REPORTER, "CT2", CT2)
    assert not reporter.eligible and reporter.rank is None


def test_ct3_ranks_follow_the_curriculum_data() -> None:
    assert priority(PROPAGANDIST, "CT3", CT3).rank == 1
    assert priority(CVH, "CT3", CT3).rank == 2
    # CT3 names grassroots_info but not cvh_radio: the radio official is a grassroots official, so rank 2.
    radio = priority(CVH_RADIO, "CT3", CT3, NAMES_VI)
    assert radio.eligible and radio.rank == 2
    assert radio.reasons[0].vi == "Ưu tiên 2: cán bộ làm công tác thông tin cơ sở"


def test_reversing_the_curriculum_order_reverses_the_ranks() -> None:
    reversed_ct2 = list(reversed(CT2))
    assert priority(PROPAGANDIST, "CT2", reversed_ct2).rank == 1
    assert priority(CVH, "CT2", reversed_ct2).rank == 2
    assert priority(CVH_RADIO, "CT2", reversed_ct2).rank == 3
    assert priority(CVH_RADIO, "CT2", reversed_ct2).sort_key > priority(PROPAGANDIST, "CT2", reversed_ct2).sort_key


def test_priority_reason_wording() -> None:
    plain = priority(CVH_RADIO, "CT2", CT2)
    assert plain.reasons[0] == rules.Reason(
        "priority", "Ưu tiên 1: công chức văn hóa - xã hội phụ trách đài truyền thanh xã",
        "Priority 1: commune culture-social civil servant in charge of the commune radio station")
    named = priority(CVH_RADIO, "CT2", CT2, NAMES)
    assert named.reasons[0].vi == ("Ưu tiên 1: công chức văn hóa - xã hội cấp xã phụ trách đài truyền thanh cấp "
                                   "xã")
    assert named.reasons[0].en.startswith("Priority 1: commune culture and social affairs civil servants")
    assert priority(CVH, "CT2", CT2, NAMES_VI).reasons[0].vi == "Ưu tiên 2: cán bộ làm công tác thông tin cơ sở"
    codes = [r.code for r in plain.reasons]
    assert codes == ["priority", "no_category", "cvh_radio", "organisation"]


def test_not_eligible_reasons() -> None:
    ct1 = list(CURRICULA.curriculum("CT1").target_groups)
    p = priority(CVH, "CT1", ct1, NAMES_VI)
    assert not p.eligible and p.rank is None and p.sub_rank is None
    assert p.reasons[0] == rules.Reason(
        "not_in_curriculum", "Chương trình CT1 không dành cho nhóm cán bộ làm công tác thông tin cơ sở",
        "Curriculum CT1 is not meant for commune culture-social civil servant doing grassroots information work")
    nobody = priority(facts("khac", "khac"), "CT2", CT2)
    assert not nobody.eligible and nobody.rank is None
    assert [r.code for r in nobody.reasons][:2] == ["no_target_group", "not_a_target"]
    assert nobody.sort_key == p.sort_key == (rules.INELIGIBLE, rules.INELIGIBLE)


def test_commune_categories_give_the_sub_rank() -> None:
    dbkk = priority(facts("cong_chuc_vhxh", "ubnd_xa", categories=("dtts", "dbkk")), "CT2", CT2)
    border = priority(facts("cong_chuc_vhxh", "ubnd_xa", categories=("bien_gioi",)), "CT2", CT2)
    island = priority(facts("cong_chuc_vhxh", "ubnd_xa", categories=("hai_dao",)), "CT2", CT2)
    dtts = priority(facts("cong_chuc_vhxh", "ubnd_xa", categories=("dtts",)), "CT2", CT2)
    none = priority(CVH, "CT2", CT2)
    assert [p.sort_key for p in (dbkk, border, island, dtts, none)] == [(2, 0), (2, 1), (2, 2), (2, 3), (2, 4)]
    assert [r.vi for r in dbkk.reasons[1:3]] == ["Xã thuộc địa bàn đặc biệt khó khăn",
                                                "Xã thuộc vùng đồng bào dân tộc thiểu số"]
    # The order inside a group is configurable.
    custom = ("dtts", "dbkk")
    assert priority(facts("cong_chuc_vhxh", "ubnd_xa", categories=("dtts",)), "CT2", CT2,
                    category_order=custom).sort_key == (2, 0)
    assert priority(facts("cong_chuc_vhxh", "ubnd_xa", categories=("hai_dao",)), "CT2", CT2,
                    category_order=custom).sort_key == (2, 2)


# --- priority: properties -------------------------------------------------------------------------------------------

category_sets = st.frozensets(st.sampled_from(reference.codes(COMMUNE_CATEGORIES)))
any_facts = st.builds(
    PersonFacts,
    position=st.sampled_from(reference.codes(POSITIONS)),
    organisation_type=st.sampled_from(reference.codes(ORGANISATION_TYPES)),
    in_charge_of_radio=st.booleans(),
    commune_categories=category_sets,
)
group_orders = st.lists(st.sampled_from(GROUP_CODES), unique=True)
category_orders = st.permutations(list(DEFAULT_CATEGORY_ORDER))

# Every (position, organisation, radio) combination by the group it is placed in, so that a strategy can draw the
# people a property is about instead of filtering at random.
COMBINATIONS: dict[str | None, list[tuple[str, str, bool]]] = {}
for _p in reference.codes(POSITIONS):
    for _o in reference.codes(ORGANISATION_TYPES):
        for _r in (False, True):
            COMBINATIONS.setdefault(place(facts(_p, _o, _r)).target_group, []).append((_p, _o, _r))


def facts_in(*groups: str | None) -> st.SearchStrategy[PersonFacts]:
    combos = sorted(c for g in groups for c in COMBINATIONS[g])
    return st.builds(lambda c, cats: PersonFacts(c[0], c[1], c[2], cats), st.sampled_from(combos), category_sets)


def test_every_group_is_reachable() -> None:
    assert set(COMBINATIONS) == {*GROUP_CODES, None}


@given(any_facts)
def test_every_combination_is_placed_with_reasons(person: PersonFacts) -> None:
    placement = place(person)
    assert placement.target_group is None or placement.target_group in GROUP_CODES
    assert placement.reasons and all(r.code and r.vi and r.en for r in placement.reasons)


@given(facts_in("cvh_radio"), facts_in("party_mass_propaganda"))
def test_radio_official_never_ranks_below_a_propagandist_for_ct2(radio: PersonFacts, other: PersonFacts) -> None:
    assert place(radio).target_group == "cvh_radio"
    assert priority(radio, "CT2", CT2).rank < priority(other, "CT2", CT2).rank
    assert priority(radio, "CT2", CT2).sort_key < priority(other, "CT2", CT2).sort_key


@given(any_facts, any_facts, group_orders, category_orders)
def test_eligible_people_sort_before_ineligible_ones(a: PersonFacts, b: PersonFacts, order: list[str],
                                                     categories: list[str]) -> None:
    pa = priority(a, "X", order, category_order=categories)
    pb = priority(b, "X", order, category_order=categories)
    if pa.eligible and not pb.eligible:
        assert pa.sort_key < pb.sort_key
    if pa.eligible:
        assert pa.rank is not None and 1 <= pa.rank <= len(order)
        assert order[pa.rank - 1] in rules.groups_of(place(a).target_group)
    else:
        assert pa.rank is None


@given(facts_in(*GROUP_CODES), facts_in(*GROUP_CODES), st.permutations(GROUP_CODES), category_orders)
def test_rank_dominates_the_commune_category(a: PersonFacts, b: PersonFacts, order: list[str],
                                             categories: list[str]) -> None:
    pa = priority(a, "X", order, category_order=categories)
    pb = priority(b, "X", order, category_order=categories)
    assert pa.eligible and pb.eligible
    if pa.rank != pb.rank:
        assert (pa.sort_key < pb.sort_key) == (pa.rank < pb.rank)
    else:
        assert (pa.sort_key < pb.sort_key) == (pa.sub_rank < pb.sub_rank)


@given(any_facts, category_sets, group_orders)
def test_a_commune_category_never_moves_someone_across_groups(person: PersonFacts, other_categories: frozenset[str],
                                                              order: list[str]) -> None:
    moved = PersonFacts(person.position, person.organisation_type, person.in_charge_of_radio, other_categories)
    assert place(moved).target_group == place(person).target_group
    p, q = priority(person, "X", order), priority(moved, "X", order)
    assert (p.eligible, p.rank) == (q.eligible, q.rank)


@given(any_facts, st.permutations(GROUP_CODES))
def test_rank_is_the_position_in_the_curriculum_list(person: PersonFacts, order: list[str]) -> None:
    p = priority(person, "X", order)
    group = place(person).target_group
    assert p.eligible == (group is not None)
    if group is not None:
        assert p.rank == order.index(group) + 1
        assert p.reasons[0].vi.startswith(f"Ưu tiên {p.rank}: ")


# --- citizen ID -----------------------------------------------------------------------------------------------------


def cccd(province: str, birth: date, sex: str, tail: str = "123456") -> str:
    digit = (birth.year // 100 - 19) * 2 + (1 if sex == "female" else 0)
    return f"{province}{digit}{birth.year % 100:02d}{tail}"


def test_valid_citizen_ids() -> None:
    assert cccd("024", date(1985, 3, 12), "male") == "024085123456"
    assert citizen_id_problems("024085123456", date(1985, 3, 12), "male") == []
    assert citizen_id_problems("001190000001", date(1990, 1, 1), "female") == []
    assert citizen_id_problems("079201654321", date(2001, 12, 31), "male") == []
    assert citizen_id_problems("027303000000", date(2003, 6, 1), "female") == []
    assert citizen_id_problems("024085123456", None, None) == []
    assert citizen_id_problems("024085123456", date(1985, 3, 12), "Nam") == []  # a label works too


@pytest.mark.parametrize("cid", ["", "02408512345", "0240851234567", "02408512345a", "024 085 123 456",
                                 "０２４０８５１２３４５６"])
def test_citizen_id_must_be_twelve_digits(cid: str) -> None:
    problems = citizen_id_problems(cid, date(1985, 3, 12), "male")
    assert len(problems) == 1 and problems[0].startswith("Số CCCD phải gồm đúng 12 chữ số")


def test_eleven_digits_hint_at_a_lost_leading_zero() -> None:
    assert "mất số 0" in citizen_id_problems("24085123456", None, None)[0]


def test_citizen_id_province_prefix() -> None:
    assert citizen_id_problems("000085123456", None, None) == [
        "Ba chữ số đầu của số CCCD (000) không phải mã tỉnh, thành phố nơi đăng ký khai sinh"]
    assert len(citizen_id_problems("003085123456", None, None)) == 1


def test_citizen_id_sex_digit() -> None:
    assert citizen_id_problems("024085123456", date(1985, 3, 12), "female") == [
        "Chữ số thứ 4 của số CCCD (0) cho biết giới tính nam, nhưng giới tính đã khai là nữ"]
    assert citizen_id_problems("024185123456", None, "male") == [
        "Chữ số thứ 4 của số CCCD (1) cho biết giới tính nữ, nhưng giới tính đã khai là nam"]


def test_citizen_id_century_digit() -> None:
    assert citizen_id_problems("024285123456", date(1985, 3, 12), "male") == [
        "Chữ số thứ 4 của số CCCD (2) cho biết nam sinh từ năm 2000 đến năm 2099, nhưng ngày sinh là 12/03/1985"]


def test_citizen_id_year_digits() -> None:
    assert citizen_id_problems("024086123456", date(1985, 3, 12), "male") == [
        "Chữ số thứ 5 và 6 của số CCCD (86) phải là hai số cuối của năm sinh, nhưng ngày sinh là 12/03/1985"]


def test_citizen_id_reports_every_problem() -> None:
    problems = citizen_id_problems("000386123456", date(1985, 3, 12), "male")
    assert len(problems) == 4  # province, sex, century, year


@st.composite
def valid_citizen_ids(draw: st.DrawFn) -> tuple[str, date, str]:
    province = draw(st.sampled_from(sorted(PROVINCE_REGISTRATION_CODES)))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)))
    sex = draw(st.sampled_from(["male", "female"]))
    tail = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    return cccd(province, birth, sex, tail), birth, sex


@given(valid_citizen_ids())
def test_every_consistent_citizen_id_has_no_problem(case: tuple[str, date, str]) -> None:
    cid, birth, sex = case
    assert citizen_id_problems(cid, birth, sex) == []


@given(valid_citizen_ids(), st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)))
def test_another_birth_year_is_caught(case: tuple[str, date, str], other: date) -> None:
    cid, birth, sex = case
    assume(other.year != birth.year)
    assert citizen_id_problems(cid, other, sex)


# --- phone ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("0912.345.678", "0912345678"),
    ("0912-345-678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("84912345678", "0912345678"),
    ("0084 912 345 678", "0912345678"),
    ("+84 (0) 912 345 678", "0912345678"),
    ("0356 789 012", "0356789012"),
    ("0701234567", "0701234567"),
    ("0812345678", "0812345678"),
    ("0512345678", "0512345678"),
    ("(024) 3825 1234", "02438251234"),
    ("0204 3854 321", "02043854321"),
    ("+84 24 3825 1234", "02438251234"),
    ("  0912\u00a0345\u00a0678 ", "0912345678"),
])
def test_normalise_phone_accepts_common_formats(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("", "Chưa nhập"),
    ("091234567", "10 chữ số"),
    ("09123456789", "10 chữ số"),
    ("0243825123", "11 chữ số"),
    ("912345678", "bắt đầu bằng 0"),
    ("0123456789", "đầu số 01"),
    ("01612345678", "đầu số 01"),
    ("0412345678", "đầu số 04"),
    ("0612345678", "đầu số 06"),
    ("+1 202 555 0100", r"\+84"),
    ("0912 345 678 ext 2", "chỉ được có chữ số"),
    ("0912345678 / 0987654321", "một số điện thoại"),
    ("0912345678, 0987654321", "một số điện thoại"),
    ("09+12345678", r"dấu \+"),
    ("+84", "không có chữ số"),
])
def test_normalise_phone_rejects_with_a_specific_message(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_phone(raw)


@st.composite
def formatted_phones(draw: st.DrawFn) -> str:
    mobile = draw(st.booleans())
    if mobile:
        national = draw(st.sampled_from(rules.MOBILE_PREFIXES)) + draw(st.text("0123456789", min_size=8, max_size=8))
    else:
        national = "02" + draw(st.text("0123456789", min_size=9, max_size=9))
    body = national[1:]
    prefix = draw(st.sampled_from(["0", "+84", "+84 ", "84", "0084 ", "+84 (0) "]))
    sep = draw(st.sampled_from(["", " ", ".", "-"]))
    grouped = sep.join(body[i:i + 3] for i in range(0, len(body), 3))
    return prefix + grouped


@given(formatted_phones())
def test_formatted_phones_normalise_to_national_digits(raw: str) -> None:
    phone = normalise_phone(raw)
    assert phone.isdigit() and phone.startswith("0")
    assert len(phone) == (10 if phone.startswith(rules.MOBILE_PREFIXES) else 11)
    assert phone[1:] == "".join(ch for ch in raw if ch.isdigit())[-len(phone) + 1:]


@given(st.one_of(formatted_phones(), st.text(alphabet="0123456789+84 .-()", max_size=20)))
def test_normalise_phone_is_idempotent(raw: str) -> None:
    try:
        phone = normalise_phone(raw)
    except ValueError as err:
        assert str(err)  # every refusal says why
        return
    assert normalise_phone(phone) == phone


# --- birth date -----------------------------------------------------------------------------------------------------

TODAY = date(2026, 3, 15)


def test_birth_date_ok() -> None:
    assert birth_date_problems(date(1985, 3, 12), TODAY) == []
    assert birth_date_problems(date(2010, 3, 15), TODAY) == []  # 16 today
    assert birth_date_problems(date(1945, 3, 16), TODAY) == []  # 80 until tomorrow


def test_birth_date_in_the_future() -> None:
    assert birth_date_problems(date(2026, 3, 16), TODAY) == ["Ngày sinh 16/03/2026 ở sau ngày hôm nay (15/03/2026)"]


def test_birth_date_too_young() -> None:
    assert birth_date_problems(date(2010, 3, 16), TODAY) == ["Người sinh ngày 16/03/2010 mới 15 tuổi, chưa đủ 16 tuổi"]


def test_birth_date_too_old() -> None:
    problems = birth_date_problems(date(1945, 3, 15), TODAY)
    assert problems == ["Người sinh ngày 15/03/1945 đã 81 tuổi, quá 80 tuổi: hãy kiểm tra lại ngày sinh"]


def test_age_on_a_leap_day_birthday() -> None:
    assert rules.age_on(date(2008, 2, 29), date(2024, 2, 28)) == 15
    assert rules.age_on(date(2008, 2, 29), date(2024, 2, 29)) == 16


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)))
def test_birth_date_problem_iff_out_of_range(d: date) -> None:
    problems = birth_date_problems(d, TODAY)
    ok = d <= TODAY and rules.MIN_AGE <= rules.age_on(d, TODAY) <= rules.MAX_AGE
    assert (problems == []) == ok
    assert len(problems) <= 1
