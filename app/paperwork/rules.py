"""Pure rules of a course's paperwork: money in figures and in Vietnamese words, the Decree 30/2020/NĐ-CP number and
date lines, what each kind of document is, and the payment lists computed from the course's rates.

Plain functions over plain values (no database, no web framework: an import-linter contract checks it), so that the
generator, the pages, the API and the tests apply the same rules. Refusals are returned as data (``Reason``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from app.courses.rules import ENDED
from app.people.rules import Reason

# --- money ------------------------------------------------------------------------------------------------------------

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu")  # then "tỷ", and the groups above a tỷ are read as a number of tỷ


def group(amount: int | Decimal) -> str:
    """1250000 → "1.250.000": Vietnamese digit grouping (dots), as payment lists print amounts."""
    n = int(amount)
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def _three(n: int, leading: bool, odd: str) -> list[str]:
    """Words of a group of three digits. Inside a number (not `leading`) the hundreds are always read: "không trăm",
    and a zero ten before a unit is read "linh" (or "lẻ")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append(odd)
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")  # hai mươi mốt
        elif units == 5 and tens >= 1:
            words.append("lăm")  # mười lăm, hai mươi lăm (but "linh năm")
        else:
            words.append(_DIGITS[units])
    return words


def _below_billion(n: int, leading: bool, odd: str) -> list[str]:
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for i, g in enumerate(groups):
        if g == 0:
            continue
        words += _three(g, leading and not words, odd)
        scale = _SCALES[2 - i]
        if scale:
            words.append(scale)
    return words


def number_words(n: int, odd: str = "linh") -> str:
    """A whole number in Vietnamese words (lower case): 1000005 → "một triệu không trăm linh năm".

    Groups of three digits are read from the left; a group of zeros is skipped; an inner group is read with its
    hundreds ("không trăm"); 21 is "hai mươi mốt", 15 "mười lăm", 105 "một trăm linh năm" (`odd="lẻ"` for the
    southern "lẻ"). Above 999 tỷ the number of tỷ is itself read: "một nghìn tỷ", "một triệu tỷ"."""
    if n < 0:
        raise ValueError("negative amount")
    if odd not in ("linh", "lẻ"):
        raise ValueError("odd must be 'linh' or 'lẻ'")
    if n == 0:
        return "không"

    def read(m: int, leading: bool) -> list[str]:
        billions, rest = divmod(m, 1_000_000_000)
        words: list[str] = []
        if billions:
            words += read(billions, leading) + ["tỷ"]
        if rest:
            words += _below_billion(rest, leading and not words, odd)
        return words

    return " ".join(read(n, True))


def amount_in_words(amount: int | Decimal, odd: str = "linh") -> str:
    """A total as the payment list writes it: "Một triệu hai trăm năm mươi nghìn đồng" (capitalised, whole đồng)."""
    text = number_words(int(amount), odd) + " đồng"
    return text[0].upper() + text[1:]


def round_dong(value: Decimal) -> int:
    """Amounts are whole đồng, half up (a rate per hour × 3.5 hours may leave a fraction)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Decree 30 lines --------------------------------------------------------------------------------------------------

BLANK = "\u00a0" * 8  # room to write a number or a day by hand on the printed paper


def decree_day(d: date) -> str:
    """Day and month as Decree 30 writes them: a leading zero for days below 10 and for months 1 and 2
    ("ngày 05 tháng 02", but "tháng 3", "tháng 12")."""
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def date_line(place: str, signed_on: date | None, year: int) -> str:
    """ "Bắc Ninh, ngày 05 tháng 02 năm 2026"; until the office records the signing date the day and month stay
    blank for hand filling (the year is the one the document is made in)."""
    when = decree_day(signed_on) if signed_on else f"ngày{BLANK}tháng{BLANK}năm {year}"
    return f"{place}, {when}" if place else when[0].upper() + when[1:]


def symbol(kind_symbol: str, short_code: str) -> str:
    """The symbol after the number: the kind's abbreviation and the issuing body's ("QĐ-SVHTTDL")."""
    return f"{kind_symbol}-{short_code}" if short_code else kind_symbol


def number_line(number: str | None, kind_symbol: str, short_code: str) -> str:
    """ "Số: 15/QĐ-SVHTTDL"; blank before the number when the office has not registered the document yet. A number
    typed with its own symbol ("15/QĐ-UBND") is printed as typed."""
    if number and "/" in number:
        return f"Số: {number}"
    return f"Số: {number or BLANK}/{symbol(kind_symbol, short_code)}"


def check_registration(number: str, signed_on: date | None, today: date) -> list[Reason]:
    """What is wrong with a number and signing date the organiser records from the office's register."""
    reasons = []
    n = number.strip()
    if not n:
        reasons.append(Reason("number_required", "Hãy nhập số văn bản đã vào sổ.", "Enter the registered number."))
    elif len(n) > 40 or not n[0].isdigit():
        reasons.append(Reason("number_invalid", "Số văn bản phải bắt đầu bằng chữ số, ví dụ 15 hoặc 15/QĐ-SVHTTDL.",
                              "The number must start with a digit."))
    if signed_on is None:
        reasons.append(Reason("signed_on_required", "Hãy nhập ngày ký.", "Enter the signing date."))
    elif signed_on > today:
        reasons.append(Reason("signed_on_future", "Ngày ký không thể sau hôm nay.",
                              "The signing date is in the future."))
    return reasons


def signer_lines(title: str) -> list[str]:
    """ "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" is typed on one line and printed on two, upper case (Decree 30)."""
    return [part.strip().upper() for part in title.replace("/", "\n").splitlines() if part.strip()]


# --- kinds of document ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    code: str
    vi: str
    en: str
    symbol: str  # Decree 30 abbreviation of the type ("" for lists, which carry no number)
    is_list: bool  # also as .xlsx and PDF
    landscape: bool = False


KINDS: Mapping[str, Kind] = MappingProxyType({k.code: k for k in (
    Kind("opening_decision", "Quyết định mở lớp", "Decision to open the course", "QĐ", False),
    Kind("summons", "Giấy triệu tập", "Summons", "GTT", False),
    Kind("class_list", "Danh sách học viên", "Class list", "", True),
    Kind("completion_list", "Danh sách học viên hoàn thành khoá học", "List of those who completed", "", True),
    Kind("certificate_decision", "Quyết định cấp giấy chứng nhận", "Decision to grant certificates", "QĐ", True),
    Kind("trainee_payments", "Danh sách chi trả cho học viên", "Trainee payment list", "", True, True),
    Kind("lecturer_fees", "Bảng thanh toán thù lao giảng viên", "Lecturer fee table", "", True, True),
    Kind("result_report", "Báo cáo kết quả lớp", "Course result report", "BC", False),
)})

SUMMONS_MODES = MappingProxyType({"person": "Mỗi học viên một giấy", "commune": "Mỗi xã một giấy kèm danh sách"})


def may_generate(kind: str, course_status: str, counts: Mapping[str, int]) -> list[Reason]:
    """Why a document cannot be made yet: lists of results need the results; lists of people need people."""
    k = KINDS.get(kind)
    if k is None:
        return [Reason("kind_unknown", "Không có loại giấy tờ này.", "Unknown document type.")]
    reasons = []
    if kind in ("opening_decision", "summons", "class_list") and not counts.get("confirmed"):
        reasons.append(Reason("no_participants", "Khoá học chưa có học viên được xác nhận.",
                              "The course has no confirmed participants."))
    if kind in ("completion_list", "certificate_decision", "result_report") and course_status not in ENDED:
        reasons.append(Reason("course_not_finished", "Khoá học chưa kết thúc: chưa có kết quả để lập giấy tờ này.",
                              "The course has not finished."))
    if kind == "certificate_decision" and not counts.get("certificates"):
        reasons.append(Reason("no_certificates", "Chưa cấp giấy chứng nhận nào: hãy cấp ở mục Chứng nhận trước.",
                              "No certificates issued yet."))
    if kind == "trainee_payments" and not counts.get("trainee_rates"):
        reasons.append(Reason("no_rates", "Chưa có định mức chi cho học viên: hãy đặt định mức từ các dòng kinh phí.",
                              "No trainee rates set."))
    if kind == "lecturer_fees" and not counts.get("lecturer_rates"):
        reasons.append(Reason("no_rates", "Chưa có định mức thù lao giảng viên: hãy đặt định mức từ dòng kinh phí "
                              "thù lao.", "No lecturer rate set."))
    return reasons


# --- rates and payments -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateKind:
    code: str
    vi: str
    pers: tuple[str, ...]  # the units it may be paid per
    categories: tuple[str, ...]  # the budget line categories it may come from


RATE_KINDS: Mapping[str, RateKind] = MappingProxyType({r.code: r for r in (
    RateKind("per_diem", "Tiền ăn, phụ cấp", ("day",), ("meals_per_diem",)),
    RateKind("travel", "Tiền đi lại", ("trip", "day"), ("trainee_travel",)),
    RateKind("accommodation", "Tiền nghỉ", ("night", "day"), ("meals_per_diem", "other")),
    RateKind("lecturer_fee", "Thù lao giảng viên", ("session", "hour"), ("lecturer_fee",)),
)})
TRAINEE_RATES = ("per_diem", "travel", "accommodation")
PER_LABELS = MappingProxyType({"day": "ngày", "night": "đêm", "trip": "lượt", "session": "buổi", "hour": "giờ"})


def check_rate(kind: str, per: str, amount: Decimal | int, line_category: str | None) -> list[Reason]:
    """A rate is paid per a unit its kind allows, is a whole positive number of đồng, and comes from a budget line
    of a fitting category (the rates are the course's data: no norm is built in)."""
    r = RATE_KINDS.get(kind)
    if r is None:
        return [Reason("rate_kind_unknown", "Không có loại định mức này.", "Unknown rate kind.")]
    reasons = []
    if per not in r.pers:
        reasons.append(Reason("rate_per_invalid", f"{r.vi} chỉ tính theo "
                              + " hoặc ".join(PER_LABELS[p] for p in r.pers) + ".", "Unit not allowed."))
    if Decimal(amount) <= 0 or Decimal(amount) != Decimal(amount).to_integral_value():
        reasons.append(Reason("rate_amount_invalid", "Định mức phải là số đồng nguyên, lớn hơn 0.",
                              "The rate must be a positive whole number of đồng."))
    if line_category is None:
        reasons.append(Reason("budget_line_unknown", "Không tìm thấy dòng kinh phí này trong khoá học.",
                              "Budget line not found."))
    elif line_category not in r.categories:
        reasons.append(Reason("budget_line_category", f"{r.vi} phải lấy từ dòng kinh phí phù hợp.",
                              "The budget line's category does not fit the rate."))
    return reasons


@dataclass(frozen=True)
class Rate:
    kind: str
    per: str
    amount: int


def quantity(per: str, days: int = 0, sessions: int = 0, hours: Decimal = Decimal(0)) -> Decimal:
    """How many units a person is paid: days attended, nights (days attended − 1), one trip when they came at all,
    sessions or hours taught."""
    return {"day": Decimal(days), "night": Decimal(max(days - 1, 0)), "trip": Decimal(1 if days else 0),
            "session": Decimal(sessions), "hour": hours}[per]


def trainee_line(rates: Mapping[str, Rate], days: int) -> dict[str, int]:
    """One trainee's amounts per rate kind and their total, from the days they attended."""
    amounts = {k: round_dong(rates[k].amount * quantity(rates[k].per, days=days)) if k in rates else 0
               for k in TRAINEE_RATES}
    amounts["total"] = sum(amounts.values())
    return amounts


def lecturer_line(rate: Rate, sessions: int, hours: Decimal) -> dict:
    q = quantity(rate.per, sessions=sessions, hours=hours)
    return {"quantity": q, "amount": round_dong(rate.amount * q)}


def over_budget(total: int, planned: Iterable[Decimal]) -> Reason | None:
    """A list that pays more than its budget lines planned is made, but says so."""
    plan = sum((Decimal(p) for p in planned), Decimal(0))
    if total > plan:
        return Reason("over_budget", f"Tổng chi {group(total)} đồng vượt dự toán {group(plan)} đồng.",
                      "The list exceeds the planned budget.")
    return None
