"""Reading one trainee from loose input (a spreadsheet row, a form, JSON) into checked values.

One parser for the import, the pages and the API, so that every door accepts and refuses the same things.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.core.spreadsheet import Column
from app.core.text import clean_name, fold, is_digits, nfc
from app.people import reference, rules
from app.places import service as places
from app.places.models import FORMER_PREFIX, AdminUnit, Era, Level

COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", True, "Nguyễn Thị Hồng Nhung", ("ho ten", "full name")),
    Column("sex", "Giới tính", True, "Nữ", ("sex", "gioi")),
    Column("birth_date", "Ngày sinh", True, "12/03/1988", ("birth date", "ngay thang nam sinh")),
    Column("ethnicity", "Dân tộc", True, "Kinh", ("ethnicity",)),
    Column("citizen_id", "Số CCCD", True, "024188001234", ("cccd", "so can cuoc", "citizen id", "so dinh danh")),
    Column("phone", "Số điện thoại", False, "0912 345 678", ("dien thoai", "phone", "sdt")),
    Column("email", "Email", False, "nhung.tandinh@example.vn", ("e-mail", "thu dien tu")),
    Column("position", "Chức danh", True, "Công chức Văn hóa - Xã hội", ("position", "chuc vu")),
    Column("organisation_type", "Loại tổ chức", True, "UBND xã/phường/đặc khu", ("to chuc", "organisation")),
    Column("commune", "Xã/phường", True, "Tân Dĩnh", ("xa", "ma xa", "commune", "don vi")),
    Column("province", "Tỉnh/thành phố", False, "Bắc Ninh", ("tinh", "province")),
    Column("in_charge_of_radio", "Phụ trách đài truyền thanh", False, "Có", ("dai truyen thanh", "radio")),
    Column("commune_categories", "Địa bàn ưu tiên", False, "ĐBKK, DTTS", ("dia ban", "categories")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

UNIT_TYPE_PREFIXES = ("Đặc khu", "Thị trấn", "Phường", "Xã")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE_WORDS = {"co", "x", "1", "yes", "true", "dung", "c"}
FALSE_WORDS = {"khong", "0", "no", "false", "k", ""}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class TraineeData:
    full_name: str
    sex: str
    birth_date: date
    ethnicity: str
    citizen_id: str
    phone: str | None
    email: str | None
    position: str
    organisation_type: str
    unit_id: int
    in_charge_of_radio: bool
    commune_categories: list[str] = field(default_factory=list)

    def facts(self) -> rules.PersonFacts:
        return rules.PersonFacts(position=self.position, organisation_type=self.organisation_type,
                                 in_charge_of_radio=self.in_charge_of_radio,
                                 commune_categories=frozenset(self.commune_categories))


class UnitResolver:
    """Finds a commune from what people type: a code ("07432", "old:07435") or a name, with the province to
    tell apart the many communes that share a name. Caches answers, so 5,000 rows cost a handful of queries.

    A name that is not a commune of today but was one before 1 July 2025 ("Đại Lâm", "Bắc Giang") is recognised:
    with `allow_former` (a course held before the reform) it is that former commune; otherwise the answer says what
    it became and how to write it."""

    def __init__(self, db: Session, allow_former: bool = False) -> None:
        self.db = db
        self.allow_former = allow_former
        self._cache: dict[tuple[str, str], AdminUnit | str] = {}

    def resolve(self, commune: str, province: str = "") -> AdminUnit | str:
        """The unit, or a Vietnamese message saying why none could be chosen."""
        key = (fold(commune), fold(province))
        if key not in self._cache:
            self._cache[key] = self._lookup(commune.strip(), province.strip())
        return self._cache[key]

    def _lookup(self, commune: str, province: str) -> AdminUnit | str:
        code = commune[len(FORMER_PREFIX):] if commune.startswith(FORMER_PREFIX) else commune
        if is_digits(code):
            era = Era.FORMER if commune.startswith(FORMER_PREFIX) else Era.CURRENT
            unit = self.db.scalar(select(AdminUnit).where(AdminUnit.era == era, AdminUnit.level == Level.COMMUNE,
                                                          AdminUnit.code == code.zfill(5)))
            return unit or f"Không có xã/phường mã “{commune}”."
        # People write "Tân Dĩnh", "Xã Tân Dĩnh", or the wrong type ("Xã Đa Mai" for Phường Đa Mai): match on the
        # name without its type, then prefer the exact spelling with diacritics.
        bare = nfc(commune)
        for prefix in UNIT_TYPE_PREFIXES:
            if fold(bare).startswith(fold(prefix) + " "):
                bare = bare[len(prefix):].strip()
                break
        folded = fold(bare)
        stmt = select(AdminUnit).where(AdminUnit.level == Level.COMMUNE, AdminUnit.era == Era.CURRENT,
                                       AdminUnit.search_name.like("% " + folded.replace("%", "").replace("_", "")))
        candidates = [u for u in self.db.scalars(stmt) if fold(u.short_name) == folded]
        exact = [u for u in candidates if u.short_name == bare]
        candidates = exact or candidates
        if province:
            fp = fold(province)
            provinces = {p.id for p in self.db.scalars(select(AdminUnit).where(
                AdminUnit.level == Level.PROVINCE, AdminUnit.era == Era.CURRENT,
                or_(AdminUnit.search_name == fp, AdminUnit.search_name.like("% " + fp))))}
            candidates = [u for u in candidates if u.parent_id in provinces]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            former = self._former(bare, folded, province)
            if len(former) == 1:
                return former[0] if self.allow_former else self._became(commune, former[0])
            if former:
                return (f"Có {len(former)} xã/phường trước ngày 01/07/2025 tên “{commune}”; ghi thêm cột "
                        "Tỉnh/thành phố (tỉnh cũ hoặc tỉnh hiện nay) hoặc dùng mã xã (tra ở mục Địa bàn).")
            where = f" thuộc “{province}”" if province else ""
            return f"Không tìm thấy xã/phường “{commune}”{where}."
        return (f"Có {len(candidates)} xã/phường tên “{commune}”; ghi thêm cột Tỉnh/thành phố hoặc dùng mã xã "
                "(tra ở mục Địa bàn).")


    def _former(self, bare: str, folded: str, province: str) -> list[AdminUnit]:
        """Communes from before the reform with this name (and, when given, in this former or current province)."""
        stmt = (select(AdminUnit).where(AdminUnit.level == Level.COMMUNE, AdminUnit.era == Era.FORMER,
                                        AdminUnit.search_name.like("% " + folded.replace("%", "").replace("_", "")))
                .options(*places.CHAIN))
        found = [u for u in self.db.scalars(stmt) if fold(u.short_name) == folded]
        found = [u for u in found if u.short_name == bare] or found
        if province:
            fp = fold(province)
            for prefix in ("tinh ", "thanh pho "):
                fp = fp.removeprefix(prefix)

            def named(u: AdminUnit | None) -> bool:
                return u is not None and (u.search_name == fp or u.search_name.endswith(" " + fp))

            found = [u for u in found if named(u.current_province) or named(_top(u))]
        return found

    def _became(self, typed: str, former: AdminUnit) -> str:
        """What a former commune became and how to write it: the message an office needs to correct its sheet."""
        now = places.successors(self.db, former)
        was = places.path_label(former)
        if not now:
            return f"“{typed}” là xã/phường trước ngày 01/07/2025 ({was}); hãy ghi xã/phường hiện nay."
        names = " hoặc ".join(f"{u.name}, {u.parent.name}" if u.parent else u.name for u in now)
        how = " hoặc ".join(f"“{u.short_name}” với Tỉnh/thành phố “{u.parent.short_name if u.parent else ''}”"
                            for u in now)
        return (f"“{typed}” là xã/phường trước ngày 01/07/2025 ({was}), nay thuộc {names}. Hãy ghi {how} "
                f"(hoặc mã {now[0].key}); để ghi theo xã cũ (khoá học trước 01/07/2025) dùng mã “{former.key}”.")


def _top(u: AdminUnit) -> AdminUnit | None:
    """The province a former unit was in (its parents are loaded with places.CHAIN)."""
    node = u
    while node is not None and node.parent_id is not None:
        node = node.parent
    return node if node is not u else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_name(str(value))


def _date(value: object, errors: list[FieldError]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        errors.append(FieldError("birth_date", "Thiếu ngày sinh."))
        return None
    m = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", text) or None
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        errors.append(FieldError("birth_date", f"Ngày sinh “{text}” không có thật."))
        return None
    errors.append(FieldError("birth_date", f"Ngày sinh “{text}” không đúng dạng ngày/tháng/năm (ví dụ 12/03/1988)."))
    return None


def _choice(key: str, options, value: object, errors: list[FieldError], label: str) -> str | None:  # noqa: ANN001
    text = _text(value)
    if not text:
        errors.append(FieldError(key, f"Thiếu {label}."))
        return None
    found = reference.match(options, text)
    if found is None:
        errors.append(FieldError(key, f"{label[0].upper() + label[1:]} “{text}” không có trong danh mục."))
        return None
    return found.code


def _bool(key: str, value: object, errors: list[FieldError]) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    errors.append(FieldError(key, f"“{_text(value)}” không phải Có hoặc Không."))
    return False


def _citizen_id(value: object, errors: list[FieldError]) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
        if len(text) == 11:
            errors.append(FieldError("citizen_id", f"Số CCCD “{text}” bị mất số 0 ở đầu: hãy định dạng cột Số CCCD là "
                                                   "Văn bản (Text) rồi nhập lại."))
            return None
    else:
        text = _text(value).replace(" ", "").replace(".", "")
    if not text:
        errors.append(FieldError("citizen_id", "Thiếu số CCCD."))
        return None
    return text


def parse(raw: Mapping[str, object], resolver: UnitResolver, today: date) -> tuple[TraineeData | None,
                                                                                   list[FieldError]]:
    """Check one person; return the values, or every problem found (not only the first)."""
    errors: list[FieldError] = []
    full_name = _text(raw.get("full_name"))
    if not full_name:
        errors.append(FieldError("full_name", "Thiếu họ và tên."))
    elif len(full_name) > 120:
        errors.append(FieldError("full_name", "Họ và tên dài quá 120 ký tự."))
    sex = _choice("sex", reference.SEXES, raw.get("sex"), errors, "giới tính")
    birth = _date(raw.get("birth_date"), errors)
    if birth is not None:
        errors += [FieldError("birth_date", m) for m in rules.birth_date_problems(birth, today)]
    ethnicity = _choice("ethnicity", reference.ETHNICITIES, raw.get("ethnicity"), errors, "dân tộc")
    cid = _citizen_id(raw.get("citizen_id"), errors)
    if cid is not None:
        errors += [FieldError("citizen_id", m) for m in rules.citizen_id_problems(cid, birth, sex)]
    phone_text = _text(raw.get("phone"))
    phone = None
    if phone_text:
        try:
            phone = rules.normalise_phone(phone_text)
        except ValueError as err:
            errors.append(FieldError("phone", str(err)))
    email = _text(raw.get("email")).lower() or None
    if email and (not EMAIL_RE.fullmatch(email) or len(email) > 254):
        errors.append(FieldError("email", f"Email “{email}” không hợp lệ."))
    position = _choice("position", reference.POSITIONS, raw.get("position"), errors, "chức danh")
    organisation = _choice("organisation_type", reference.ORGANISATION_TYPES, raw.get("organisation_type"), errors,
                           "loại tổ chức")
    unit_id = None
    commune = _text(raw.get("commune"))
    if not commune:
        errors.append(FieldError("commune", "Thiếu xã/phường."))
    else:
        found = resolver.resolve(commune, _text(raw.get("province")))
        if isinstance(found, str):
            errors.append(FieldError("commune", found))
        else:
            unit_id = found.id
    radio = _bool("in_charge_of_radio", raw.get("in_charge_of_radio"), errors)
    categories: list[str] = []
    raw_categories = raw.get("commune_categories")
    items = raw_categories if isinstance(raw_categories, list | tuple) else re.split(r"[,;]", _text(raw_categories))
    for item in items:
        item = _text(item)
        if not item:
            continue
        found_category = reference.match(reference.COMMUNE_CATEGORIES, item)
        if found_category is None:
            errors.append(FieldError("commune_categories", f"Địa bàn ưu tiên “{item}” không có trong danh mục "
                                                           "(ĐBKK, biên giới, hải đảo, DTTS)."))
        elif found_category.code not in categories:
            categories.append(found_category.code)
    if errors:
        return None, errors
    return TraineeData(full_name=full_name, sex=sex, birth_date=birth, ethnicity=ethnicity, citizen_id=cid,
                       phone=phone, email=email, position=position, organisation_type=organisation,
                       unit_id=unit_id, in_charge_of_radio=radio, commune_categories=categories), []
