"""Pure rules: who reads and who manages, file names, byte ranges, the download header."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from app.materials import rules
from app.materials.rules import Access, ByteRange, RangeNotSatisfiable


@pytest.mark.parametrize(("role", "in_scope", "teaches", "seat", "expected"), [
    ("admin", False, False, None, Access.MANAGE),
    ("organiser", True, False, None, Access.MANAGE),
    ("organiser", False, False, None, Access.NONE),  # another province
    ("trainer", False, True, None, Access.MANAGE),  # teaches a session
    ("trainer", True, False, None, Access.MANAGE),  # the province's own trainer
    ("trainer", False, False, None, Access.NONE),
    ("trainee", False, False, "confirmed", Access.READ),
    ("trainee", False, False, "completed", Access.READ),  # after the course
    ("trainee", False, False, "not_completed", Access.READ),
    ("trainee", False, False, "waitlisted", Access.NONE),
    ("trainee", False, False, "pending", Access.NONE),
    ("trainee", False, False, "withdrawn", Access.NONE),
    ("trainee", False, False, None, Access.NONE),  # on another course
    (None, False, False, None, Access.NONE),
])
def test_course_access(role, in_scope, teaches, seat, expected):
    d = rules.course_access(role, course_in_scope=in_scope, teaches=teaches, seat=seat)
    assert d.access == expected
    if expected == Access.NONE:
        assert d.code and d.vi and d.en


def test_a_waiting_trainee_is_told_why():
    d = rules.course_access("trainee", course_in_scope=False, teaches=False, seat="waitlisted")
    assert d.code == "not_confirmed" and "xác nhận" in d.vi


def test_module_access():
    assert rules.module_access("organiser", owns=False, seated_on_curriculum=False).access == Access.READ
    assert rules.module_access("organiser", owns=True, seated_on_curriculum=False).access == Access.MANAGE
    assert rules.module_access("trainee", owns=False, seated_on_curriculum=True).access == Access.READ
    assert rules.module_access("trainee", owns=False, seated_on_curriculum=False).access == Access.NONE


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "C:\\boot.ini",
                                  "c:evil.pdf", "bai\x00giang.pdf", "bai\ngiang.pdf", "..", ".", "", "   ",
                                  "thư mục/bài giảng.pdf"])
def test_names_that_point_somewhere_are_refused(name):
    with pytest.raises(rules.BadName):
        rules.clean_filename(name)


def test_names_are_kept_readable():
    decomposed = "Bài giảng".replace("à", "a\u0300")  # as macOS sends it (NFD)
    assert rules.clean_filename(f"  {decomposed}   số 1.pdf ") == "Bài giảng số 1.pdf"
    assert rules.clean_filename('Ghi "chú": 1?.docx') == "Ghi _chú__ 1_.docx"
    assert rules.clean_filename(".htaccess") == "htaccess"
    long = rules.clean_filename("Đ" * 400 + ".pdf")
    assert long.endswith(".pdf") and len(long) <= rules.MAX_NAME_CHARS


def test_extension_follows_the_content():
    known = frozenset({"pdf", "docx", "mp3"})
    assert rules.with_extension("Bài giảng.pdf", ("docx",), known) == "Bài giảng.docx"
    assert rules.with_extension("Bài giảng", ("pdf",), known) == "Bài giảng.pdf"
    assert rules.with_extension("ban-tin.v2", ("mp3",), known) == "ban-tin.v2.mp3"
    assert rules.with_extension("Ảnh.JPEG", ("jpg", "jpeg"), known) == "Ảnh.JPEG"


def test_content_disposition_keeps_the_vietnamese_name():
    name = "Kỹ năng giải quyết xung đột — Đài truyền thanh xã.pdf"
    header = rules.content_disposition(name)
    assert header.startswith("attachment; ")
    assert 'filename="Ky nang giai quyet xung dot _ Dai truyen thanh xa.pdf"' in header
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded, encoding="utf-8") == name
    assert all(ord(ch) < 128 for ch in header)
    assert rules.content_disposition("a.mp3", inline=True).startswith("inline; ")
    assert 'filename="x_y_.pdf"' in rules.content_disposition('x"y;.pdf')


@pytest.mark.parametrize(("header", "expected"), [
    (None, None), ("", None), ("bytes=0-99", ByteRange(0, 99)), ("bytes=100-", ByteRange(100, 999)),
    ("bytes=-100", ByteRange(900, 999)), ("bytes=-5000", ByteRange(0, 999)), ("bytes=990-5000", ByteRange(990, 999)),
    ("bytes=0-0", ByteRange(0, 0)), ("bytes=0-9,20-29", None), ("items=0-9", None), ("bytes=9-1", None),
    ("bytes=abc", None), ("bytes=-", None),
])
def test_parse_range(header, expected):
    assert rules.parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        rules.parse_range(header, 1000)


def test_etag_matching():
    assert rules.etag_matches('"abc"', '"abc"')
    assert rules.etag_matches('W/"abc", "def"', '"abc"')
    assert rules.etag_matches("*", '"abc"')
    assert not rules.etag_matches('"abd"', '"abc"')
    assert not rules.etag_matches(None, '"abc"')
