"""Facts as at training time (issue #24): what a report counts about a person for a course is recorded with the
enrolment; a later change of the person's record (position, commune, category, anonymisation) changes neither a past
course's figures, nor the dashboard, nor a closed period's submitted report. Programmes as data: the filter and the
totals. Both databases."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.courses.models import Course, Programme
from app.db import make_engine
from app.enrolment.facts import record_facts
from app.enrolment.models import Enrolment, EnrolmentFact
from app.errors import Invalid
from app.ops.migrate import upgrade
from app.people import service as people
from app.places.models import AdminUnit
from app.privacy import service as privacy
from app.reports import present, service, submissions
from tests.conftest import fresh_database_url
from tests.courses.factories import principal
from tests.helpers import api_token, sign_in
from tests.old_rows import OldRows
from tests.people.factories import cccd


def _figures(db, who, **kw):  # noqa: ANN001
    return present.report_data(service.dashboard(db, who, service.make_filters(**kw)))


def _move(db, who, t, i, *, commune, position, organisation, categories=()):  # noqa: ANN001
    """The person's record changes the way an organiser changes it (app.people.service.update_trainee)."""
    birth = date(1985, 1 + i, 10)
    data = people.parse_or_raise(db, {
        "full_name": t.full_name, "sex": t.sex, "birth_date": birth.strftime("%d/%m/%Y"), "ethnicity": t.ethnicity,
        "citizen_id": cccd(birth, t.sex, 500 + i), "position": position, "organisation_type": organisation,
        "commune": commune, "in_charge_of_radio": False, "commune_categories": list(categories)})
    return people.update_trainee(db, who, t.id, data)


def test_a_change_of_position_commune_category_or_anonymisation_leaves_past_figures(db, programme, make_user):
    admin = principal(make_user("admin"))
    t1, t2 = programme["t"][:2]
    c1 = programme["c"][0]
    asked = [{"period": ""}, {"period": "2026"}, {"period": "2026", "place": "24"},
             {"period": "2026", "place": "07432"}, {"period": "", "place": "01"}]
    before = [_figures(db, admin, **kw) for kw in asked]
    course_before = present.course_data(service.course_report(db, admin, c1.id, service.make_filters()))
    closed = submissions.close_period(db, admin, "2026-H1", "24")
    # T1, culture-social civil servant of Tân Dĩnh (Bắc Ninh), becomes a village head in Ba Đình (Hà Nội); T2 loses
    # the commune's priority categories and asks to be forgotten.
    _move(db, admin, t1, 1, commune="00004", position="truong_thon", organisation="thon_to_dan_pho")
    _move(db, admin, t2, 2, commune="07210", position="truong_thon", organisation="thon_to_dan_pho")
    privacy.anonymise(db, admin, t2.id, "Người học yêu cầu xoá dữ liệu")
    db.flush()
    assert t1.unit.key == "00004" and t1.position == "truong_thon" and t2.full_name != "Hoàng Văn Hai"
    assert [_figures(db, admin, **kw) for kw in asked] == before
    assert present.course_data(service.course_report(db, admin, c1.id, service.make_filters())) == course_before
    # the closed period: what the same report says now does not differ from what was submitted
    assert submissions.detail(db, admin, closed.id).pending == []
    # the known answers of conftest.py stand: Bắc Ninh's culture-social communes, T2 an ethnic-minority official
    tan_dinh = _figures(db, admin, period="2026", place="07432")
    assert tan_dinh["indicators"]["officials_trained"] == 3
    # the anonymised person's facts keep what is counted and nothing that identifies them
    fact = db.scalar(select(EnrolmentFact).join(Enrolment).where(Enrolment.trainee_id == t2.id,
                                                                 Enrolment.course_id == c1.id))
    assert (fact.position, fact.ethnic_minority, sorted(fact.commune_categories)) == ("truong_thon", True,
                                                                                      ["dbkk", "dtts"])
    assert not {"full_name", "citizen_id", "birth_date", "phone", "email", "ethnicity"} & set(
        EnrolmentFact.__table__.columns.keys())


def test_facts_follow_the_record_until_the_course_ends_then_stay(db, programme, make_user):
    admin = principal(make_user("admin"))
    t4 = programme["t"][3]
    c4 = programme["c"][3]  # open, starting 2026-05-01; T4 confirmed on it
    c4.end_date = date.today() + timedelta(days=30)
    e = db.scalar(select(Enrolment).where(Enrolment.course_id == c4.id, Enrolment.trainee_id == t4.id))
    _move(db, admin, t4, 4, commune="00004", position="truong_thon", organisation="thon_to_dan_pho")
    record_facts(db, e, t4, c4)  # a decision while the course runs: the facts of now
    fact = db.get(EnrolmentFact, e.id)
    assert (fact.position, fact.unit_id, fact.source) == ("truong_thon", t4.unit_id, "recorded")
    c4.end_date = date.today() - timedelta(days=1)
    _move(db, admin, t4, 4, commune="07210", position="can_bo_tuyen_giao", organisation="dang_uy_xa")
    record_facts(db, e, t4, c4)  # the course has ended: the facts stay as they were
    db.refresh(fact)
    assert fact.position == "truong_thon"


def test_programme_filter_and_totals(db, programme, make_user):
    admin = principal(make_user("admin"))
    codes = {p.id: p.code for p in db.scalars(select(Programme))}
    c1, c2 = programme["c"][:2]
    # by the year each course starts: C2 (2024) in 2021–2025, the 2026 courses in 2026–2035
    assert codes[c2.programme_id] == "NTP-2021-2025-SP1" and codes[c1.programme_id] == "NTP-2026-2035"
    every = _figures(db, admin, period="")
    rows = {r["code"]: r for r in every["by_programme"]}
    assert rows["NTP-2021-2025-SP1"]["courses_held"] == 1 and rows["NTP-2026-2035"]["courses_held"] == 2
    assert rows["NTP-2021-2025-SP1"]["trainee_attendances"] == 2  # T3 and T2 on C2
    assert (rows["NTP-2021-2025-SP1"]["trainee_attendances"] + rows["NTP-2026-2035"]["trainee_attendances"]
            == every["indicators"]["trainee_attendances"])
    old = _figures(db, admin, period="", programme="ntp-2021-2025-sp1")
    assert old["indicators"]["courses_held"] == 1 and old["indicators"]["officials_trained"] == 2
    assert [r["code"] for r in old["by_programme"]] == ["NTP-2021-2025-SP1"]
    try:
        _figures(db, admin, period="", programme="NTP-1999")
        raise AssertionError("an unknown programme was accepted")
    except Invalid as err:
        assert (err.code, err.field) == ("programme_invalid", "programme")


def test_programme_in_the_api_pages_and_downloads(client, db, programme, make_user):
    user = make_user("admin")
    api = {"Authorization": f"Bearer {api_token(client, user.username)}"}
    sign_in(client, user.username)
    bad = client.get("/api/v1/reports/summary?programme=NOPE", headers=api)
    assert bad.status_code == 422 and bad.json()["code"] == "programme_invalid"
    page = client.get("/reports?period=&programme=NOPE")
    assert page.status_code == 422 and "Không có chương trình “NOPE”" in page.text
    listed = client.get("/api/v1/reports/programmes", headers=api).json()
    assert [p["code"] for p in listed] == ["NTP-2021-2025-SP1", "NTP-2026-2035"] and listed[1]["confirmed"] is False
    dash = client.get("/reports?period=&programme=NTP-2021-2025-SP1")
    assert dash.status_code == 200 and 'id="by-programme"' in dash.text
    csv = client.get("/api/v1/reports/export.csv?period=", headers=api).content.decode("utf-8-sig")
    assert "programme,NTP-2021-2025-SP1" in csv
    assert client.get("/reports/export.xlsx?period=&programme=NTP-2026-2035").status_code == 200
    c4 = programme["c"][3]
    changed = client.patch(f"/api/v1/courses/{c4.id}", json={"programme": "NTP-2021-2025-SP1"}, headers=api)
    assert changed.status_code == 200 and changed.json()["programme"] == "NTP-2021-2025-SP1"
    refused = client.patch(f"/api/v1/courses/{c4.id}", json={"programme": "NOPE"}, headers=api)
    assert refused.status_code == 422 and refused.json()["code"] == "programme_invalid"
    assert "Chương trình MTQG giảm nghèo bền vững 2021–2025" in client.get(f"/courses/{c4.id}").text



def test_the_migration_backfills_existing_enrolments_marked_as_such(backend):
    """Enrolments made before the facts existed get them once from the records of the day, marked "backfilled"; their
    courses get the programme of their year."""
    url = fresh_database_url(backend)
    upgrade("0013_hardening", url)
    engine = make_engine(url)
    rows = OldRows(engine)
    add = rows.add
    with engine.begin() as conn:
        unit, course = rows.course(conn, "OLD-1", start_date=date(2024, 5, 1))
        trainee = add(conn, "trainee", unit_id=unit, position="cong_chuc_vhxh", sex="female", ethnicity="tay",
                      commune_categories=["dtts"], target_group_code="cvh", citizen_id="001185000001", user_id=None)
        add(conn, "enrolment", course_id=course, trainee_id=trainee, status="completed", nominated_by_id=None)
    upgrade("head", url)
    with engine.connect() as conn:
        fact = conn.execute(select(EnrolmentFact.__table__)).one()
        assert (fact.unit_id, fact.position, fact.ethnic_minority, fact.source) == (unit, "cong_chuc_vhxh", True,
                                                                                   "backfilled")
        assert conn.execute(select(Programme.code).join(Course, Course.programme_id == Programme.id)).scalar() == (
            "NTP-2021-2025-SP1")
    engine.dispose()


def test_an_official_whose_facts_differ_between_two_courses_counts_once_per_value(db, programme, make_user):
    admin = principal(make_user("admin"))
    t3 = programme["t"][2]
    c2 = programme["c"][1]
    before = _figures(db, admin, period="")
    groups_before = {g["code"]: g["officials_trained"] for g in before["by_target_group"]}
    # T3 was a village head in Phường Bắc Giang when on C2 (2024), a culture-social civil servant of Đại Lâm on C1
    fact = db.scalar(select(EnrolmentFact).join(Enrolment).where(Enrolment.trainee_id == t3.id,
                                                                 Enrolment.course_id == c2.id))
    other_group = next(g for g in groups_before if g and g != t3.target_group_code)
    fact.position, fact.target_group_code = "truong_thon", other_group
    fact.unit_id = db.scalar(select(AdminUnit.id).where(AdminUnit.code == "07210"))
    db.flush()
    after = _figures(db, admin, period="")
    assert after["indicators"] == before["indicators"]  # counted once in the total
    provinces = {p["key"]: p["officials_trained"] for p in after["places"]}
    assert provinces == {p["key"]: p["officials_trained"] for p in before["places"]}  # both units in Bắc Ninh
    groups_after = {g["code"]: g["officials_trained"] for g in after["by_target_group"]}
    assert sum(groups_after.values()) == sum(groups_before.values()) + 1  # once under each group T3 was in
    assert groups_after[t3.target_group_code] == groups_before[t3.target_group_code]  # still there for C1
