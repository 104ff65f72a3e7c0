"""iCalendar feeds: built by app.courses.calendar, parsed back with the icalendar library, checked field by field."""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from app.courses.calendar import PRODID, CalEvent, build_calendar, session_uid

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 20, 8, 15, 30, tzinfo=UTC)
# Decomposed (NFD) on the way in, as some keyboards and imports give it; the feed must carry NFC.
LONG = unicodedata.normalize("NFD", "Chuyên đề 3: Vận hành đài truyền thanh ứng dụng công nghệ thông tin – viễn thông. "
                                    "Giảng viên: Trần Thị Giảng, Trung tâm Chính trị huyện Tân Yên; mang theo điện "
                                    "thoại, sổ ghi chép và căn cước công dân. ") * 3
EVENTS = [
    CalEvent(uid=session_uid(42, "nangluc.example.vn"), summary="CT2-2026-24-001: Kỹ năng viết tin bài, phóng sự",
             start=datetime(2026, 12, 3, 7, 30, tzinfo=VN), end=datetime(2026, 12, 3, 11, 30, tzinfo=VN),
             location="Hội trường A, Trung tâm Chính trị huyện", description=LONG,
             url="https://nangluc.example.vn/courses/7", sequence=2,
             last_modified=datetime(2026, 11, 19, 1, 0, tzinfo=UTC)),
    # Given in UTC: 06:30Z is 13:30 in Vietnam.
    CalEvent(uid=session_uid(43, "nangluc.example.vn"), summary="CT2-2026-24-001: Đài truyền thanh thông minh",
             start=datetime(2026, 12, 3, 6, 30, tzinfo=UTC), end=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
             location=None, description=None, url=None, status="CANCELLED", sequence=5, last_modified=None),
]


def unescape(text: str) -> str:
    """TEXT unescaping of RFC 5545 §3.3.11."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


@pytest.fixture(scope="module")
def raw() -> bytes:
    return build_calendar("Lịch học — CT2-2026-24-001, Bắc Giang", EVENTS, NOW)


@pytest.fixture(scope="module")
def cal(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def test_session_uid_is_stable() -> None:
    assert session_uid(42, "nangluc.example.vn") == "session-42@nangluc.example.vn"
    assert session_uid(42, "NangLuc.Example.VN") == session_uid(42, "nangluc.example.vn")
    assert session_uid(42, "") == "session-42@nangluc"


def test_calendar_properties(cal: Calendar) -> None:
    assert str(cal["PRODID"]) == PRODID == "-//Năng Lực//nangluc//VI"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    # The library parses X-WR-CALNAME and NAME raw; they are written escaped like any TEXT value (RFC 5545 §3.3.11).
    assert str(cal["X-WR-CALNAME"]) == "Lịch học — CT2-2026-24-001\\, Bắc Giang"
    assert unescape(str(cal["X-WR-CALNAME"])) == unescape(str(cal["NAME"])) == "Lịch học — CT2-2026-24-001, Bắc Giang"


def test_vtimezone(cal: Calendar) -> None:
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Asia/Ho_Chi_Minh"
    [standard] = tz.walk("STANDARD")
    assert standard["TZOFFSETTO"].td == timedelta(hours=7)
    assert not tz.walk("DAYLIGHT")


def test_events_field_by_field(cal: Calendar) -> None:
    first, second = cal.walk("VEVENT")
    assert str(first["UID"]) == "session-42@nangluc.example.vn"
    assert str(first["SUMMARY"]) == "CT2-2026-24-001: Kỹ năng viết tin bài, phóng sự"
    assert first["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    start = first.decoded("DTSTART")
    assert start == datetime(2026, 12, 3, 7, 30, tzinfo=VN)
    assert (start.hour, start.minute, start.utcoffset()) == (7, 30, timedelta(hours=7))
    assert first["DTEND"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert first.decoded("DTEND") == datetime(2026, 12, 3, 11, 30, tzinfo=VN)
    assert first.decoded("DTEND").hour == 11
    assert str(first["LOCATION"]) == "Hội trường A, Trung tâm Chính trị huyện"
    assert str(first["URL"]) == "https://nangluc.example.vn/courses/7"
    assert first.decoded("SEQUENCE") == 2
    assert str(first["STATUS"]) == "CONFIRMED"
    assert first.decoded("DTSTAMP") == NOW and first.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert first.decoded("LAST-MODIFIED") == datetime(2026, 11, 19, 1, 0, tzinfo=UTC)

    assert str(second["UID"]) == "session-43@nangluc.example.vn"
    assert second["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert second.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 12, 3, 13, 30)
    assert second.decoded("DTEND").replace(tzinfo=None) == datetime(2026, 12, 3, 17, 0)
    assert second.decoded("SEQUENCE") == 5
    assert str(second["STATUS"]) == "CANCELLED"
    for absent in ("LOCATION", "DESCRIPTION", "URL", "LAST-MODIFIED"):
        assert absent not in second


def test_raw_text_of_times(raw: bytes) -> None:
    text = raw.decode("utf-8")
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261203T073000\r\n" in text
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20261203T133000\r\n" in text
    assert "DTSTAMP:20261120T081530Z\r\n" in text


def test_vietnamese_round_trips_in_nfc(cal: Calendar, raw: bytes) -> None:
    first = cal.walk("VEVENT")[0]
    description = str(first["DESCRIPTION"])
    assert description == unicodedata.normalize("NFC", LONG)
    assert unicodedata.is_normalized("NFC", raw.decode("utf-8"))


def test_long_lines_are_folded_and_unfold_intact(raw: bytes, cal: Calendar) -> None:
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75  # octets, RFC 5545 §3.1
    assert any(line.startswith(b" ") for line in lines)  # the description was folded
    for line in lines:
        line.decode("utf-8")  # no UTF-8 sequence is split between lines
    assert len(str(cal.walk("VEVENT")[0]["DESCRIPTION"])) > 300


def test_same_input_same_bytes() -> None:
    assert build_calendar("x", EVENTS, NOW) == build_calendar("x", EVENTS, NOW)


def test_empty_calendar_still_valid() -> None:
    cal = Calendar.from_ical(build_calendar("Trống", [], NOW))
    assert cal.walk("VEVENT") == [] and cal.walk("VTIMEZONE")


def test_naive_times_and_bad_status_refused() -> None:
    naive = CalEvent(uid="u", summary="s", start=datetime(2026, 12, 3, 7, 30), end=datetime(2026, 12, 3, 9),
                     location=None, description=None, url=None, last_modified=None)
    with pytest.raises(ValueError, match="aware"):
        build_calendar("x", [naive], NOW)
    bad = CalEvent(uid="u", summary="s", start=NOW, end=NOW + timedelta(hours=1), location=None, description=None,
                   url=None, status="MAYBE", last_modified=None)
    with pytest.raises(ValueError, match="status"):
        build_calendar("x", [bad], NOW)
