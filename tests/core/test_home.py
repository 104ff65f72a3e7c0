"""The trainee's home is theirs: next session with its place and time, what they can join (with the button), their
waitlist place with its reason in one sentence, their materials and certificates; the course page registers."""
from __future__ import annotations

import pytest

from app.auth.principal import Principal
from app.courses import sessions
from app.curricula import service as curricula
from app.enrolment import service as enrolment
from app.home.service import waitlist_sentence
from tests.courses.factories import add_trainee, open_course, principal
from tests.helpers import sign_in


def test_the_waitlist_reason_is_one_sentence_with_the_current_place():
    reasons = [{"code": "waitlisted", "vi": "Khoá học đã đủ 30 chỗ", "en": "The course is full (30 seats)"},
               {"code": "priority", "vi": "x", "en": "x"}]
    assert waitlist_sentence(2, reasons) == (
        "Bạn đang ở vị trí 2 trong danh sách chờ vì khoá học đã đủ 30 chỗ.",
        "You are number 2 on the waitlist because the course is full (30 seats).")
    assert waitlist_sentence(None, []) == ("Bạn đang trong danh sách chờ.", "You are on the waitlist.")


@pytest.fixture
def classroom(db, make_user):
    curricula.sync(db, Principal.system("t"))
    organiser = make_user("organiser", unit="24")
    who = principal(organiser)
    seated = open_course(db, who, capacity=1, title="Lớp kỹ năng số", starts_in_days=10)
    sessions.add_session(db, who, seated.id, sessions.SessionInput(
        session_date=seated.start_date, part_of_day="morning", start_time=None, end_time=None,
        module_ids=[seated.modules[0].id], lecturer_id=None, room="Hội trường UBND xã", online_link=None))
    full = open_course(db, who, capacity=1, title="Lớp đã đủ chỗ")
    other = open_course(db, who, capacity=5, title="Lớp còn chỗ")
    me = make_user("trainee", unit="07432")
    mine = add_trainee(db, who, 30, user_id=me.id)
    enrolment.register(db, who, seated.id, mine.id)
    enrolment.register(db, who, full.id, add_trainee(db, who, 31).id)
    waiting = enrolment.register(db, who, full.id, mine.id)
    assert waiting.status == "waitlisted"
    db.flush()
    return {"me": me, "seated": seated, "full": full, "other": other}


def test_the_home_shows_the_next_session_the_wait_and_what_to_join(client, classroom):
    sign_in(client, classroom["me"].username)
    home = client.get("/dashboard")
    assert home.status_code == 200
    text = home.text
    assert "3.321" not in text and "tỉnh trước sắp xếp" not in text  # the country's figures are not theirs
    nxt = text.split('id="next-session"')[1].split("</section>")[0]
    assert "Lớp kỹ năng số" in nxt and "Hội trường UBND xã" in nxt and "07:30" in nxt
    waiting = text.split(f'id="waiting-reason-{classroom["full"].id}"')[1].split("</p>")[0]
    assert "vị trí 1 trong danh sách chờ vì khoá học đã đủ 1 chỗ" in waiting
    assert f'id="home-register-{classroom["other"].id}"' in text
    assert f'id="home-register-{classroom["full"].id}"' not in text  # already waiting there
    assert "Giấy chứng nhận sẽ hiện ở đây" in text


def test_the_course_page_has_the_register_button_and_it_registers(client, db, classroom):
    sign_in(client, classroom["me"].username)
    other = classroom["other"].id
    page = client.get(f"/courses/{other}")
    assert 'id="register"' in page.text and f'action="/courses/{other}/register"' in page.text
    done = client.post(f"/courses/{other}/register", data={"csrf_token": client.cookies.get("nangluc_csrf")},
                       follow_redirects=False)
    assert done.status_code == 303
    again = client.get(f"/courses/{other}")
    assert 'id="register"' not in again.text and 'id="my-status"' in again.text and "Đã xác nhận" in again.text
    full = client.get(f"/courses/{classroom['full'].id}")
    assert "Danh sách chờ" in full.text and 'id="register"' not in full.text


def test_staff_see_no_register_box_and_the_history_reads_in_words(client, db, make_user, classroom):
    organiser = make_user("admin")
    sign_in(client, organiser.username)
    page = client.get(f"/courses/{classroom['seated'].id}")
    assert page.status_code == 200 and 'id="registration"' not in page.text
    history = page.text.split('class="history"')[1].split("</ul>")[0]
    assert "Tạo khoá học" in history and "Đặt địa bàn của khoá học" in history and "course." not in history
