"""Rules for recording a course after it took place: plain functions, reasons as data (``Reason``)."""
from __future__ import annotations

from datetime import date

from app.people.rules import Reason


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def date_problems(start: date | None, end: date | None, today: date) -> list[Reason]:
    """A past course has both dates, in order, and ended before today (Việt Nam's date): a course still to come
    or under way is planned and registered for as usual, with its registration window."""
    problems = []
    if start is None or end is None:
        problems.append(Reason("dates_required", "Cần nhập ngày bắt đầu và ngày kết thúc của khoá học đã tổ chức",
                               "Enter the start and end dates of the course that took place"))
        return problems
    if end < start:
        problems.append(Reason("dates_invalid", "Ngày kết thúc phải cùng hoặc sau ngày bắt đầu",
                               "The end date must be on or after the start date"))
    if end >= today:
        problems.append(Reason("not_past", f"Khoá học kết thúc ngày {_d(end)}, chưa phải khoá học đã tổ chức: "
                               "hãy lập kế hoạch và mở đăng ký như thường lệ",
                               f"The course ends on {_d(end)}, so it has not taken place yet: plan it and open "
                               "registration as usual"))
    return problems


def attended_problem(value: object, sessions: int) -> tuple[int | None, Reason | None]:
    """"Số buổi có mặt": a whole number from 0 to the course's sessions."""
    text = str(value if value is not None else "").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text.isdigit() or int(text) > sessions:
        return None, Reason("attended_invalid", f"Số buổi có mặt “{text}” phải là số từ 0 đến {sessions} "
                            f"(khoá học có {sessions} buổi)",
                            f"Sessions attended “{text}” must be a number from 0 to {sessions}")
    return int(text), None


PASSED_WORDS = {"dat": True, "co": True, "x": True, "pass": True, "passed": True,
                "khong dat": False, "khong": False, "truot": False, "fail": False, "failed": False}


def marks_for(attended: int, session_ids: list[int]) -> dict[int, str]:
    """Attendance as the office recorded it (a count): present at the first sessions, absent at the rest. The
    completion rule only counts, so which ones does not change the result."""
    return {sid: ("present" if i < attended else "absent") for i, sid in enumerate(session_ids)}
