"""Pure rules of the reports: reporting periods, which courses and marks count, shares and rates, and the
small-cell rule that keeps ethnicity (sensitive personal data, Law 91/2025) from identifying anyone.

No database and no web framework here (an import-linter contract checks it): the pages, the exports, the API and
the tests apply the same rules.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from app.courses.rules import HELD
from app.enrolment.rules import SEATED
from app.people.reference import COMMUNE_CATEGORIES

__all__ = [
    "ATTENDED_MARKS",
    "HELD_STATUSES",
    "SEAT_STATUSES",
    "SMALL_CELL",
    "Period",
    "Suppressed",
    "half_key",
    "half_label",
    "parse_period",
    "period_between",
    "period_choices",
    "rate",
    "share",
    "suppress_pair",
]

HELD_STATUSES = HELD
"""A course counts as held once it has started; drafts, open (not started) and cancelled courses do not."""

SEAT_STATUSES = SEATED
"""Enrolments that held a seat: the people a course actually took (not the waitlisted, rejected or withdrawn)."""

ATTENDED_MARKS = ("present", "late")
"""A trainee-attendance (lượt học viên tham dự) is an enrolment marked present or late at one session at least, or
one that completed the course (a completion is an attendance)."""

SMALL_CELL = 5
"""Ethnicity breakdowns show no count of officials from 1 to 4 (nor the count that would give it away)."""


# --- periods -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A reporting period: inclusive dates (None = unbounded), the key people type and its labels."""

    key: str
    start: date | None
    end: date | None
    vi: str
    en: str

    @property
    def is_all(self) -> bool:
        return self.start is None and self.end is None

    def dates_vi(self) -> str:
        if self.is_all:
            return "toàn bộ thời gian"
        start = self.start.strftime("%d/%m/%Y") if self.start else "…"
        end = self.end.strftime("%d/%m/%Y") if self.end else "…"
        return f"từ {start} đến {end}"


_PERIOD = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<part>H[12]|Q[1-4]))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_period(key: str) -> Period:
    """"2026" (a year), "2026-H1"/"2026-H2" (six months, the programme's reporting cadence), "2026-Q3", or ""
    (all time). ``ValueError`` with a Vietnamese message for anything else."""
    key = (key or "").strip().upper()
    if key in ("", "ALL"):
        return Period("", None, None, "Toàn bộ thời gian", "All time")
    m = _PERIOD.match(key)
    if not m:
        raise ValueError(f"Kỳ báo cáo “{key}” không hợp lệ; hãy dùng dạng 2026, 2026-H1, 2026-H2 hoặc 2026-Q1.")
    year = int(m.group("year"))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Năm {year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}.")
    part = m.group("part")
    if part is None:
        return Period(key, date(year, 1, 1), date(year, 12, 31), f"Năm {year}", f"Year {year}")
    if part.startswith("H"):
        first = part == "H1"
        return Period(key, date(year, 1 if first else 7, 1), date(year, 6 if first else 12, 30 if first else 31),
                      half_label(year * 10 + int(part[1])), half_label(year * 10 + int(part[1]), en=True))
    q = int(part[1])
    end_month = q * 3
    end_day = 31 if end_month in (3, 12) else 30
    return Period(key, date(year, end_month - 2, 1), date(year, end_month, end_day), f"Quý {q} năm {year}",
                  f"Q{q} {year}")


def period_between(start: date | None, end: date | None) -> Period:
    """A period between two dates chosen by hand; ``ValueError`` when the start is after the end."""
    if start and end and start > end:
        raise ValueError("Ngày bắt đầu kỳ báo cáo phải trước hoặc bằng ngày kết thúc.")
    if start is None and end is None:
        return parse_period("")
    s = start.strftime("%d/%m/%Y") if start else "…"
    e = end.strftime("%d/%m/%Y") if end else "…"
    key = f"{start.isoformat() if start else ''}..{end.isoformat() if end else ''}"
    return Period(key, start, end, f"Từ {s} đến {e}", f"From {s} to {e}")


def period_choices(today: date, years: int = 6) -> list[Period]:
    """The periods a dashboard offers: this year and the years before, each whole and by half, then all time."""
    out: list[Period] = []
    for year in range(today.year, today.year - years, -1):
        out.extend(parse_period(k) for k in (str(year), f"{year}-H2", f"{year}-H1"))
    out.append(parse_period(""))
    return out


def half_key(year: int, month: int) -> int:
    """20261 for January–June 2026, 20262 for July–December: what the SQL groups by."""
    return year * 10 + (1 if month <= 6 else 2)


def halves_between(first: date | None, last: date | None) -> list[int]:
    """The half-year keys from the one of `first` to the one of `last`, both included (none without dates)."""
    if first is None or last is None:
        return []
    out, (year, half) = [], divmod(half_key(first.year, first.month), 10)
    while year * 10 + half <= half_key(last.year, last.month):
        out.append(year * 10 + half)
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return out


def half_label(key: int, en: bool = False) -> str:
    year, half = divmod(key, 10)
    if en:
        return f"H{half} {year}"
    return f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"


# --- ratios ------------------------------------------------------------------------------------------------------

_TENTH = Decimal("0.1")


def share(part: int | float | Decimal | None, whole: int | float | Decimal | None) -> Decimal | None:
    """A percentage with one decimal, rounded half up (12.35 → 12.4); None when there is nothing to divide by, so
    that a page shows "—" rather than a made-up 0%."""
    if part is None or not whole:
        return None
    return (Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(_TENTH, rounding=ROUND_HALF_UP)


def rate(spent: int | float | Decimal | None, planned: int | float | Decimal | None) -> Decimal | None:
    """Budget execution: spent against planned, in percent (may exceed 100); None without a plan or spending."""
    if spent is None:
        return None
    return share(spent, planned)


# --- small cells -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppressed:
    """The figures of a two-way breakdown as they may be shown: ``None`` where a cell is hidden."""

    values: Mapping[str, Mapping[str, int | None]]
    hidden: bool
    reason_vi: str = ""
    reason_en: str = ""


def suppress_pair(rows: Mapping[str, Mapping[str, int]], *, people: str = "officials",
                  threshold: int = SMALL_CELL) -> Suppressed:
    """Hide a breakdown of a total into two groups (ethnic minority / Kinh) when either group counts 1 to
    ``threshold - 1`` people.

    Both groups are hidden, not only the small one: the total is shown elsewhere, so the other group's count would
    give the small one away (complementary suppression). Every measure of the rows is hidden with it, because
    attendances and completions of a handful of people say as much about them as their number. A zero is shown:
    "nobody" identifies nobody.
    """
    small = any(0 < (measures.get(people) or 0) < threshold for measures in rows.values())
    if not small:
        return Suppressed({k: dict(v) for k, v in rows.items()}, False)
    hidden = {k: dict.fromkeys(v, None) for k, v in rows.items()}
    return Suppressed(hidden, True, f"Ẩn vì có nhóm dưới {threshold} người (dữ liệu dân tộc là dữ liệu nhạy cảm).",
                      f"Hidden because a group has fewer than {threshold} people (ethnicity is sensitive data).")


# --- submitted reports ------------------------------------------------------------------------------------------


def may_close(period: Period, today: date) -> tuple[str, str] | None:
    """A period is closed (its report submitted and kept as submitted) once it has ended: a year, a half or a
    quarter, never "all time". None when it may be; otherwise the reason (Vietnamese, English)."""
    if period.is_all or period.start is None or period.end is None:
        return ("Chỉ chốt được một kỳ cụ thể (năm, 6 tháng hoặc quý), không chốt “toàn bộ thời gian”.",
                "Only a year, half or quarter can be closed, not all time.")
    if period.end >= today:
        return (f"Kỳ {period.key} chưa kết thúc (đến hết ngày {period.end:%d/%m/%Y}); hãy chốt sau khi kỳ kết thúc.",
                f"Period {period.key} has not ended yet (it ends on {period.end:%d/%m/%Y}).")
    return None


def _flatten(value: object, path: str, out: dict[str, object]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            label = item.get("key") or item.get("code") or item.get("sex") or item.get("group") or item.get(
                "category") or i if isinstance(item, Mapping) else i
            _flatten(item, f"{path}[{label}]", out)
    else:
        out[path] = value


def differences(submitted: Mapping, current: Mapping) -> list[tuple[str, object, object]]:
    """Every figure that differs between a submitted report and the same report computed now, as (where, then,
    now): what an amendment would change. Labels (names, titles) are compared too, so a renamed unit shows."""
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    _flatten(submitted, "", before)
    _flatten(current, "", after)
    return [(k, before.get(k), after.get(k)) for k in sorted(before.keys() | after.keys())
            if before.get(k) != after.get(k)]


# What each part of a report's figures is called (the keys of app.reports.present.report_data), (vi, en).
SECTION_LABELS: Mapping[str, tuple[str, str]] = {
    "scope": ("Phạm vi", "Scope"), "period": ("Kỳ", "Period"), "indicators": ("Chỉ tiêu chung", "Key figures"),
    "by_curriculum": ("Theo chương trình", "By curriculum"),
    "by_target_group": ("Theo nhóm đối tượng", "By target group"),
    "by_half_year": ("Theo nửa năm", "By half year"), "by_sex": ("Theo giới tính", "By sex"),
    "by_ethnicity": ("Theo dân tộc", "By ethnicity"), "by_commune_category": ("Theo loại xã", "By commune category"),
    "by_programme": ("Theo chương trình mục tiêu", "By programme"), "places": ("Theo địa bàn", "By place"),
    "organising_units": ("Theo đơn vị tổ chức", "By organising unit"), "budget": ("Kinh phí", "Budget"),
    "media": ("Sản phẩm truyền thông", "Media products"), "by_commune": ("Theo xã/phường", "By commune"),
}
MEASURE_LABELS: Mapping[str, tuple[str, str]] = {
    "courses_held": ("Khoá học đã tổ chức", "Courses held"),
    "trainee_attendances": ("Lượt học viên tham dự", "Trainee attendances"),
    "officials_trained": ("Số cán bộ được bồi dưỡng", "Officials trained"),
    "completions": ("Lượt hoàn thành khoá học", "Completions"), "certificates": ("Giấy chứng nhận đã cấp",
                                                                               "Certificates issued"),
    "seats": ("Lượt đăng ký được tính", "Seats counted"), "communes": ("Số xã/phường", "Communes"),
    "communes_with_trained_cvh": ("Xã có công chức văn hoá - xã hội được bồi dưỡng",
                                  "Communes with a trained culture-social official"),
    "cvh_share_percent": ("Tỷ lệ xã có công chức văn hoá - xã hội được bồi dưỡng (%)",
                          "Share of communes with a trained culture-social official (%)"),
    "planned": ("Dự toán (đồng)", "Planned (VND)"), "spent": ("Đã chi (đồng)", "Spent (VND)"),
    "rate_percent": ("Tỷ lệ giải ngân (%)", "Spending rate (%)"), "products": ("Số sản phẩm", "Products"),
    "published": ("Đã đăng, phát", "Published"), "rebroadcasts": ("Lượt phát lại", "Rebroadcasts"),
    "name": ("Tên", "Name"), "title": ("Tên", "Title"), "label": ("Tên", "Label"), "total": ("Tổng", "Total"),
    "category": ("Theo khoản chi", "By category"), "source": ("Theo nguồn kinh phí", "By funding source"),
    "by_kind": ("Theo loại sản phẩm", "By kind"), "by_topic": ("Theo chủ đề", "By topic"),
}
SEX_LABELS: Mapping[str, tuple[str, str]] = {"male": ("Nam", "Men"), "female": ("Nữ", "Women")}
ETHNIC_GROUP_LABELS: Mapping[str, tuple[str, str]] = {"minority": ("Dân tộc thiểu số", "Ethnic minority"),
                                                       "kinh": ("Dân tộc Kinh", "Kinh")}
_STEP = re.compile(r"([^.\[\]]+)(?:\[([^\]]*)\])?")


def describe(where: str, *figures: Mapping, en: bool = False) -> str:
    """A difference's place (`differences`' first field, e.g. ``places[07432].certificates``) in words a commune
    official reads: "Theo địa bàn › Xã Tân Dĩnh › Giấy chứng nhận đã cấp". A row is named by its own name or title in
    the figures given (the submitted report, then today's), else by its key; a part not listed keeps its key."""
    parts: list[str] = []
    nodes: list[object] = list(figures)
    section = ""
    for name, key in _STEP.findall(where):
        nodes = [n.get(name) if isinstance(n, Mapping) else None for n in nodes]
        if name != "rows":  # by_ethnicity's rows: the group names the row
            pair = (MEASURE_LABELS if parts else SECTION_LABELS).get(name) or MEASURE_LABELS.get(name)
            parts.append(pair[1 if en else 0] if pair else name)
            section = section or name
        if key:
            row = next((item for rows in nodes if isinstance(rows, list) for item in rows
                        if isinstance(item, Mapping) and key in {str(item.get(k)) for k in _ROW_KEYS}), None)
            pair = SEX_LABELS.get(key) or ETHNIC_GROUP_LABELS.get(key) or _category(section, key)
            named = next((row[k] for k in ("name", "title", "label") if row and row.get(k)), None)
            parts.append(pair[1 if en else 0] if pair else str(named or key))
            nodes = [row]
    return " › ".join(parts)


_ROW_KEYS = ("key", "code", "sex", "group", "category")


def _category(section: str, code: str) -> tuple[str, str] | None:
    if section != "by_commune_category":
        return None
    found = next((c for c in COMMUNE_CATEGORIES if c.code == code), None)
    return (found.vi, found.en) if found else None


# --- late changes to a closed period ------------------------------------------------------------------------------

MIN_REASON = 10  # characters: an amendment, or a late change to a closed period, says why in words


def given_reason(text: str | None) -> str | None:
    """The reason as stored (spaces folded, at most 2,000 characters), or None when it is too short to say why."""
    reason = " ".join((text or "").split())
    return reason[:2000] if len(reason) >= MIN_REASON else None


def may_be_closed(day: date | None, today: date) -> bool:
    """Only an ended period can be closed, so a course starting today or later lies in none: no look-up needed."""
    return day is not None and day < today


def period_contains(period: Period, day: date | None) -> bool:
    """A course counts in the period where it starts (a media product where it was produced)."""
    if day is None:
        return False
    return (period.start is None or period.start <= day) and (period.end is None or day <= period.end)


def closed_message(period_key: str, scope_name: str, closed_by: str, closed_on: date, what: str) -> str:
    """The refusal of a write to a closed period without a reason: which period, which scope, who closed it."""
    return (f"Kỳ báo cáo {period_key} của {scope_name} đã chốt và nộp ({closed_by}, ngày {closed_on:%d/%m/%Y}); "
            f"{what} thuộc kỳ này. Muốn thay đổi, hãy ghi lý do (ít nhất {MIN_REASON} ký tự): thay đổi sẽ được "
            "ghi là thay đổi muộn bên cạnh báo cáo đã nộp.")


SELF_CHECK_IN_REASON = "Học viên tự điểm danh tại lớp (ghi tự động)"
"""A trainee checking in at a session of a course whose period is already closed (a course that began before the
period ended) is not refused: the trainee is in the room and cannot give an organiser's reason. The mark is written
and listed as a late change with this reason, for the organiser to amend the report."""
