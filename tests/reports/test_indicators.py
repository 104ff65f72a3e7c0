"""Each indicator against the hand-built programme of conftest.py, whose answers were counted on paper."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.auth.principal import Principal
from app.errors import NotFound
from app.reports import service
from tests.courses.factories import principal


def _report(db, who, period="", **kw):  # noqa: ANN001
    return service.dashboard(db, who, service.make_filters(period, **kw))


def _people(r):  # noqa: ANN001
    t = r.totals
    return (t["attendances"], t["officials"], t["completions"], t["certificates"])


def test_national_totals_count_every_held_course_and_nothing_else(db, programme):
    r = _report(db, Principal.system("t"))
    # C4 is only open and C5 was cancelled: not held. T4's waitlisted seat and C5's mark never count.
    assert r.courses_held == 3
    # attendances: C1 T1, T2 (one session), T3 (late counts) + C2 T3, T2 + C3 T5; T1 never came to C3.
    assert _people(r) == (6, 4, 5, 4)  # certificates: C1 T1, C2 T3 and T2, C3 T5 (T3's C1 one was revoked)
    assert r.totals["enrolled"] == 7
    # culture-social officials trained: T1 and T3 (both count under today's Tân Dĩnh) and T5 (Ba Đình).
    assert r.totals["cvh_communes"] == 2 and r.communes == 3321
    assert r.cvh_share == Decimal("0.1")  # 2 / 3,321 = 0.06% rounded half up to one decimal


def test_province_report_rolls_former_bac_giang_up_and_never_shows_hanoi(db, programme, make_user):
    who = principal(make_user("organiser", unit="24"))
    r = _report(db, who)
    assert r.scope.name == "Tỉnh Bắc Ninh" and r.scope.child == "commune"
    assert r.courses_held == 2  # C1 by Bắc Ninh and C2 by the former Bắc Giang province
    # T1, T2, T3 (and T4, who never had a seat): C1 3 attendances + C2 2; T1's seat in Hà Nội's C3 is a no-show.
    assert _people(r) == (5, 3, 4, 3)
    assert r.totals["cvh_communes"] == 1 and r.communes == 99
    assert r.cvh_share == Decimal("1.0")
    organisers = {name: n for _, name, n in r.organisers}
    assert organisers == {"Tỉnh Bắc Ninh": 1, "Tỉnh Bắc Giang (trước 1/7/2025; nay thuộc Tỉnh Bắc Ninh)": 1}
    places = {p.name: p for p in r.places}
    assert len(places) == 99
    assert places["Xã Tân Dĩnh"].figures["officials"] == 3  # T3, registered at the former Đại Lâm, rolls up here
    assert places["Xã Tân Dĩnh"].figures["attendances"] == 5
    assert places["Xã Tân Dĩnh"].figures["cvh_communes"] == 1
    assert places["Phường Bắc Giang"].figures["officials"] == 0
    assert "Phường Ba Đình" not in places
    assert r.budget["total"][0].planned == 17_000_000 and r.budget["total"][0].spent == 11_500_000
    assert r.budget["total"][0].rate == Decimal("67.6")
    assert (r.media.products, r.media.rebroadcasts, r.media.by_kind) == (1, 3, {"radio_programme": 1})
    assert r.media.by_topic == {"exemplary_people": 1, "poverty_models": 1}
    assert r.media.budget["total"][0].planned == 1_500_000


def test_breakdowns_by_curriculum_group_half_sex_category(db, programme, make_user):
    r = _report(db, principal(make_user("organiser", unit="24")))
    by_curriculum = {c: (f["attendances"], f["officials"], held) for c, _, f, held in r.by_curriculum}
    assert by_curriculum["CT2"] == (3, 3, 1) and by_curriculum["CT3"] == (2, 2, 1)
    assert by_curriculum["CT1"] == (0, 0, 0)
    groups = {g: f["officials"] for g, _, f in r.by_group if f["officials"]}
    t1, t2, t3 = (t.target_group_code for t in programme["t"][:3])
    assert t1 == "cvh_radio" and t2 == t3 == "grassroots_info"
    assert groups == {"cvh_radio": 1, "grassroots_info": 2}
    assert [(h, f["attendances"], held) for h, f, held in r.by_half] == [(20241, 2, 1), (20261, 3, 1)]
    sex = dict(r.by_sex)
    assert (sex["female"]["officials"], sex["male"]["officials"]) == (2, 1)
    assert (sex["female"]["attendances"], sex["male"]["attendances"]) == (3, 2)
    category = dict(r.by_category)
    assert category["dtts"]["officials"] == category["dbkk"]["officials"] == 1
    assert category["none"]["officials"] == 2 and category["bien_gioi"]["officials"] == 0


def test_ethnicity_of_fewer_than_five_people_is_hidden_with_its_complement(db, programme, make_user):
    r = _report(db, principal(make_user("organiser", unit="24")))
    assert r.by_minority.hidden
    assert r.by_minority.values == {"minority": dict.fromkeys(service.MEASURES, None),
                                    "kinh": dict.fromkeys(service.MEASURES, None)}


def test_filters_period_curriculum_and_target_group(db, programme, make_user):
    who = principal(make_user("organiser", unit="24"))
    h1 = _report(db, who, "2026-H1")
    assert h1.courses_held == 1 and _people(h1) == (3, 3, 2, 1)  # T3 completed C1 but its certificate was revoked
    assert _report(db, who, "2024").courses_held == 1
    assert _report(db, who, "2025").courses_held == 0
    ct3 = _report(db, who, curriculum="ct3")
    assert ct3.courses_held == 1 and _people(ct3) == (2, 2, 2, 2)
    radio = _report(db, who, target_group="cvh_radio")
    assert _people(radio) == (1, 1, 1, 1)
    assert radio.courses_held == 1  # only C1 had an official of that group
    custom = service.dashboard(db, who, service.make_filters(date_from=__import__("datetime").date(2026, 3, 1),
                                                             date_to=__import__("datetime").date(2026, 3, 31)))
    assert custom.courses_held == 1


def test_commune_organiser_sees_only_their_commune_including_merged_former_communes(db, programme, make_user):
    who = principal(make_user("organiser", unit="07432"))
    r = _report(db, who)
    assert r.scope.child == "course" and r.communes == 1
    assert r.courses_held == 0  # the commune organised none of them
    assert _people(r) == (5, 3, 4, 3)  # T1, T2 and T3 (Đại Lâm merged into Tân Dĩnh)
    assert {p.name.split(" — ")[0] for p in r.places} == {"C1", "C2", "C3"}
    assert r.media.products == 1 and r.budget["total"][0].planned == 0
    neighbour = _report(db, principal(make_user("organiser", unit="07210")))
    assert _people(neighbour) == (0, 0, 0, 0) and neighbour.media.products == 0


def test_a_place_outside_the_callers_scope_is_not_found(db, programme, make_user):
    who = principal(make_user("organiser", unit="24"))
    with pytest.raises(NotFound):
        _report(db, who, place="01")
    with pytest.raises(NotFound):
        _report(db, principal(make_user("organiser", unit="07432")), place="07210")
    inside = _report(db, who, place="07432")  # a province organiser drills down to a commune
    assert _people(inside) == (5, 3, 4, 3)


def test_a_former_unit_keeps_its_old_name_and_its_own_figures(db, programme):
    r = _report(db, Principal.system("t"), place="old:24")  # Tỉnh Bắc Giang as it was
    assert r.scope.name == "Tỉnh Bắc Giang"
    assert r.courses_held == 1  # C2
    assert _people(r) == (2, 1, 2, 1)  # only T3 was registered at a former Bắc Giang unit (C1 certificate revoked)


def test_national_places_are_the_34_provinces(db, programme):
    r = _report(db, Principal.system("t"))
    assert len(r.places) == 34
    rows = {p.key: p for p in r.places}
    assert rows["24"].figures["officials"] == 3 and rows["24"].courses_held == 2 and rows["24"].communes == 99
    assert rows["01"].figures["officials"] == 1 and rows["01"].courses_held == 1
    # Communes with a trained culture-social official, per province: Tân Dĩnh (T1 and T3, once) and Ba Đình (T5).
    assert (rows["24"].figures["cvh_communes"], rows["01"].figures["cvh_communes"]) == (1, 1)
    assert rows["24"].cvh_share == Decimal("1.0") and rows["08"].figures["cvh_communes"] == 0


def test_course_report_whole_for_its_organiser_partial_for_another_scope(db, programme, make_user):
    c1, _, c3 = programme["c"][:3]
    who = principal(make_user("organiser", unit="24"))
    whole = service.course_report(db, who, c1.id, service.make_filters())
    assert whole.in_scope and whole.figures["enrolled"] == 3 and whole.figures["attendances"] == 3
    assert [n for _, n in whole.sessions] == [3, 2]
    assert whole.budget["total"][0].planned == 15_000_000
    partial = service.course_report(db, who, c3.id, service.make_filters())  # Hà Nội's course, T1 had a seat
    assert not partial.in_scope and partial.figures["enrolled"] == 1 and partial.budget is None
    with pytest.raises(NotFound):
        service.course_report(db, principal(make_user("organiser", unit="07210")), c3.id, service.make_filters())
