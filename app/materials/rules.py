"""Pure material rules: who may read or manage, file names, byte ranges, the download header.

Plain functions over plain values, no database and no web framework (an import-linter contract checks it), so that
the pages, the API and the tests decide the same way. A refusal carries a code and its reason in Vietnamese (the
text people see) and English.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from types import MappingProxyType
from urllib.parse import quote

from app.enrolment.rules import SEATED, WAITING

__all__ = [
    "LANGUAGES",
    "SEATED",
    "Access",
    "BadName",
    "ByteRange",
    "Decision",
    "RangeNotSatisfiable",
    "clean_filename",
    "content_disposition",
    "course_access",
    "etag_matches",
    "module_access",
    "parse_range",
    "title_from_filename",
    "with_extension",
]

def _(message: str) -> str:
    """Marks a Vietnamese text for the English catalogue (extracted by `make i18n`); translated where it is shown."""
    return message


# --------------------------------------------------------------------------------------------------------------------
# Who may read, who may manage
# --------------------------------------------------------------------------------------------------------------------

# Enrolment statuses that hold (or held) a seat on the course: materials stay open before, during and after it.


class Access(StrEnum):
    NONE = "none"
    READ = "read"  # list and download the current file
    MANAGE = "manage"  # also upload, replace, delete, see older versions and counts


@dataclass(frozen=True)
class Decision:
    access: Access
    code: str = ""
    vi: str = ""
    en: str = ""

    @property
    def may_read(self) -> bool:
        return self.access != Access.NONE

    @property
    def may_manage(self) -> bool:
        return self.access == Access.MANAGE


MANAGE = Decision(Access.MANAGE)
READ = Decision(Access.READ)


def course_access(role: str | None, *, course_in_scope: bool, teaches: bool, seat: str | None) -> Decision:
    """Materials of one course: its staff manage them, its seated trainees read them, nobody else sees them.

    Staff in scope are admins, organisers whose unit contains the course's unit, and trainers who either belong to
    such a unit or teach one of the course's sessions. A trainee reads once confirmed, and keeps reading after the
    course (completed or not): the issue asks for "before, during and after the course".
    """
    if role == "admin":
        return MANAGE
    if role == "organiser" and course_in_scope:
        return MANAGE
    if role == "trainer" and (course_in_scope or teaches):
        return MANAGE
    if role == "trainee" and seat in SEATED:
        return READ
    if role == "trainee" and seat in WAITING:
        return Decision(Access.NONE, "not_confirmed",
                        _("Tài liệu của khoá học mở khi bạn được xác nhận vào khoá học."),
                        "The course's materials open once your place on the course is confirmed.")
    if role == "trainee":
        return Decision(Access.NONE, "not_on_course", _("Tài liệu chỉ dành cho học viên của khoá học."),
                        "Materials are only for the course's trainees.")
    return Decision(Access.NONE, "not_in_scope", _("Khoá học này không thuộc địa bàn của bạn."),
                    "This course is outside your area.")


def module_access(role: str | None, *, owns: bool, seated_on_curriculum: bool) -> Decision:
    """Materials of a curriculum module are shared by every course of the curriculum, in every province.

    Every organiser and trainer may read them (they are teaching resources, not personal data) and add to them;
    the uploader's unit manages what it uploaded. A trainee reads them once seated on any course of the curriculum.
    """
    if role == "admin":
        return MANAGE
    if role in ("organiser", "trainer"):
        return MANAGE if owns else READ
    if role == "trainee" and seated_on_curriculum:
        return READ
    return Decision(Access.NONE, "not_on_curriculum",
                    _("Tài liệu theo chuyên đề dành cho học viên của các khoá học thuộc chương trình này."),
                    "Module materials are for trainees of this curriculum's courses.")


# --------------------------------------------------------------------------------------------------------------------
# Languages of a material (what is spoken or written in it): data an organiser can extend
# --------------------------------------------------------------------------------------------------------------------

# Grassroots radio also broadcasts in ethnic-minority languages, so sample programmes come in them too.
LANGUAGES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "vi": ("Tiếng Việt", "Vietnamese"),
    "en": ("Tiếng Anh", "English"),
    "tyz": ("Tiếng Tày", "Tày"),
    "blt": ("Tiếng Thái", "Tai Dam"),
    "mtq": ("Tiếng Mường", "Mường"),
    "hmn": ("Tiếng Mông", "Hmong"),
    "km": ("Tiếng Khmer", "Khmer"),
    "other": ("Ngôn ngữ khác", "Other language"),
})


# --------------------------------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------------------------------


class BadName(ValueError):
    """A file name that points somewhere (a path, `..`, a drive) or hides control characters."""


MAX_NAME_CHARS = 180
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
_DRIVE = re.compile(r"^[A-Za-z]:")


def clean_filename(raw: str) -> str:
    """The name to show and to offer on download; refuses names that try to leave the folder.

    The name is never used on disk (files are stored under their SHA-256), but a name with a path in it is a
    sign of a crafted request, so it is refused rather than quietly cut down.
    """
    if any(unicodedata.category(ch) == "Cc" for ch in raw):
        raise BadName("control")
    if "/" in raw or "\\" in raw or _DRIVE.match(raw):
        raise BadName("path")
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if name in ("", ".", ".."):
        raise BadName("empty")
    name = _WINDOWS_RESERVED.sub("_", name).lstrip(". ") or "tai-lieu"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    stem = stem[:MAX_NAME_CHARS - len(ext) - 1].rstrip(" .") or "tai-lieu"
    return f"{stem}.{ext}" if ext else stem


def printable(raw: str) -> str:
    """A refused name as it can be shown back to the person (control characters made visible)."""
    return "".join("�" if unicodedata.category(ch) == "Cc" else ch for ch in raw)[:200]


def with_extension(name: str, extensions: tuple[str, ...], known: frozenset[str]) -> str:
    """The name with an extension that says what the file really is: a DOCX named .pdf becomes .docx."""
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    if suffix in extensions:
        return name
    stem = name[: -len(suffix) - 1] if suffix in known else name
    return f"{stem}.{extensions[0]}"


def title_from_filename(name: str) -> str:
    """"Bai_giang-so-1.pdf" → "Bai giang so 1": a readable default title."""
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:300] or name[:300]


def ascii_fallback(name: str) -> str:
    """The name for clients that ignore `filename*`: Vietnamese letters without marks, Đ as D, nothing unsafe."""
    decomposed = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    out = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    out = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\;' else "_" for ch in out)
    return out or "tai-lieu"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 with RFC 5987 `filename*` (UTF-8) for the Vietnamese name, and an ASCII `filename` fallback."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


# --------------------------------------------------------------------------------------------------------------------
# Byte ranges (RFC 9110 §14): one range is served; several ranges get the whole file, which the RFC allows
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(ValueError):
    """The range starts past the end of the file (answer 416 with `Content-Range: bytes */size`)."""


_RANGE = re.compile(r"^\s*([0-9]*)\s*-\s*([0-9]*)\s*$")


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range asked for, or None for the whole file (no header, another unit, several ranges, junk)."""
    if not header or size <= 0:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    m = _RANGE.match(spec)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # a suffix: the last n bytes
        n = int(last)
        if n == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - n), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, min(end, size - 1))


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match / If-Range comparison: "*" or any listed tag equal to ours (weak prefix ignored for 304)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags
