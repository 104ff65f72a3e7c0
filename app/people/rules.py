"""Pure rules about trainees: target group, priority for a curriculum, and checks of citizen ID, phone and birth date.

Plain functions over plain values, no database and no web framework (an import-linter contract checks it), so that
the import, the pages, the API and the tests all apply the same rules. Reasons are data (``Reason``: a code, a
Vietnamese text that is authoritative, an English text) so that a page can show *why* a person was placed and ranked.

- ``place(facts)``: the target group from position and organisation, following the table ``PLACEMENT_RULES``
  (first matching row wins). The group codes are those of ``curricula/target-groups.yaml``.
- ``priority(facts, curriculum_code, curriculum_target_groups, ...)``: the rank is the position of the person's group
  in the curriculum's own ``target_groups`` list, so the order comes from the curriculum data, not from code. Within
  a group the commune's programme categories (``category_order``) give a sub-rank.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from app.people import reference

__all__ = [
    "CATEGORY_REASONS",
    "DEFAULT_CATEGORY_ORDER",
    "GROUP_PARENTS",
    "INELIGIBLE",
    "MAX_AGE",
    "MIN_AGE",
    "PLACEMENT_RULES",
    "PersonFacts",
    "Placement",
    "PlacementRule",
    "Priority",
    "Reason",
    "age_on",
    "birth_date_problems",
    "citizen_id_problems",
    "groups_of",
    "normalise_phone",
    "place",
    "priority",
]


@dataclass(frozen=True)
class Reason:
    """Why a rule decided what it did: a stable ``code`` and the explanation in Vietnamese and English."""

    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know about a person (codes from ``app.people.reference``)."""

    position: str
    organisation_type: str
    in_charge_of_radio: bool
    commune_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Placement:
    """The target group (a code of ``curricula/target-groups.yaml``), or None, and why."""

    target_group: str | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Priority:
    """Whether a person may attend a curriculum, their rank (1 = served first) and why.

    ``sort_key`` orders people for a curriculum (smaller first): ``(rank, sub_rank)``; ineligible people get
    ``(INELIGIBLE, INELIGIBLE)`` and so sort after every eligible one.
    """

    eligible: bool
    rank: int | None
    sort_key: tuple[int, int]
    reasons: tuple[Reason, ...]
    sub_rank: int | None = None


# --- target groups --------------------------------------------------------------------------------------------------

ANY: frozenset[str] = frozenset()
"""In a placement rule, an empty set of positions or organisations matches any."""


@dataclass(frozen=True)
class PlacementRule:
    """One row of the placement table: who it matches and the group it gives, with the reason shown."""

    target_group: str | None
    reason: Reason
    positions: frozenset[str] = ANY
    organisations: frozenset[str] = ANY
    in_charge_of_radio: bool | None = None  # None: either

    def matches(self, facts: PersonFacts) -> bool:
        return ((not self.positions or facts.position in self.positions)
                and (not self.organisations or facts.organisation_type in self.organisations)
                and (self.in_charge_of_radio is None or facts.in_charge_of_radio == self.in_charge_of_radio))


CVH_RADIO = "cvh_radio"
GRASSROOTS = "grassroots_info"
PROPAGANDA = "party_mass_propaganda"
PRESS = "press"
FOREIGN = "foreign_info"

COMMUNE_INFORMATION_BODIES = frozenset({"ubnd_xa", "trung_tam_vhtt_xa", "thon_to_dan_pho"})
PARTY_AND_MASS_ORGANISATIONS = frozenset({"dang_uy_xa", "mttq_xa", "hoi_phu_nu", "hoi_nong_dan", "doan_thanh_nien",
                                          "hoi_ccb"})
PRESS_BODIES = frozenset({"co_quan_bao_chi", "co_quan_quan_ly_bao_chi"})

NOT_A_TARGET = Reason(
    "not_a_target", "Chức danh/tổ chức không thuộc đối tượng của Tiểu dự án 1",
    "The position and organisation are not a target group of Sub-project 1")

PLACEMENT_RULES: tuple[PlacementRule, ...] = (
    # The letter's priority: the commune culture-social civil servant in charge of the commune radio station.
    PlacementRule(CVH_RADIO, Reason(
        "cvh_radio", "Công chức văn hóa - xã hội phụ trách đài truyền thanh xã",
        "Commune culture-social civil servant in charge of the commune radio station"),
        positions=frozenset({"cong_chuc_vhxh"}), organisations=frozenset({"ubnd_xa", "trung_tam_vhtt_xa"}),
        in_charge_of_radio=True),
    # Other grassroots information officials, by position.
    PlacementRule(GRASSROOTS, Reason(
        "cvh_grassroots", "Công chức văn hóa - xã hội cấp xã làm công tác thông tin cơ sở",
        "Commune culture-social civil servant doing grassroots information work"),
        positions=frozenset({"cong_chuc_vhxh"})),
    PlacementRule(GRASSROOTS, Reason(
        "radio_staff", "Nhân viên đài truyền thanh xã làm công tác thông tin cơ sở",
        "Commune radio station staff doing grassroots information work"),
        positions=frozenset({"nhan_vien_dai_truyen_thanh"})),
    PlacementRule(GRASSROOTS, Reason(
        "culture_centre_staff",
        "Viên chức trung tâm văn hóa - thể thao - truyền thông xã làm công tác thông tin cơ sở",
        "Staff of the commune culture, sports and communication centre doing grassroots information work"),
        positions=frozenset({"vien_chuc_trung_tam_vhtt"})),
    PlacementRule(GRASSROOTS, Reason(
        "vice_chair_culture", "Phó Chủ tịch UBND xã phụ trách văn hóa - thông tin",
        "Vice-chair of the commune People's Committee responsible for culture and information"),
        positions=frozenset({"pho_chu_tich_ubnd"})),
    PlacementRule(GRASSROOTS, Reason(
        "village_head", "Trưởng thôn, tổ trưởng tổ dân phố phụ trách loa truyền thanh, thông tin ở thôn, tổ dân phố",
        "Village or residential-group head running the village loudspeakers and information"),
        positions=frozenset({"truong_thon"})),
    # Party and mass-organisation propaganda, by position.
    PlacementRule(PROPAGANDA, Reason(
        "party_propaganda", "Cán bộ làm công tác thông tin, tuyên truyền của cơ quan Đảng cấp xã",
        "Information and propaganda official of the commune Party body"),
        positions=frozenset({"can_bo_tuyen_giao"})),
    PlacementRule(PROPAGANDA, Reason(
        "mass_propaganda", "Cán bộ làm công tác thông tin, tuyên truyền của tổ chức chính trị - xã hội cấp xã",
        "Information and propaganda official of a commune socio-political organisation"),
        positions=frozenset({"lanh_dao_doan_the", "can_bo_tuyen_truyen_doan_the"})),
    # Press and foreign information, by position.
    PlacementRule(PRESS, Reason(
        "press_staff", "Lãnh đạo, phóng viên, biên tập viên cơ quan báo chí",
        "Leader, reporter or editor of a press agency"),
        positions=frozenset({"lanh_dao_bao_chi", "phong_vien", "bien_tap_vien"})),
    PlacementRule(PRESS, Reason(
        "press_management", "Cán bộ cơ quan chủ quản báo chí, cán bộ quản lý nhà nước về báo chí",
        "Official of a press governing body or of state press management"),
        positions=frozenset({"can_bo_quan_ly_bao_chi"})),
    PlacementRule(FOREIGN, Reason(
        "foreign_info", "Cán bộ làm công tác thông tin đối ngoại",
        "Official doing foreign-information work"),
        positions=frozenset({"can_bo_thong_tin_doi_ngoai"})),
    # Any other position: the organisation decides.
    PlacementRule(GRASSROOTS, Reason(
        "commune_information_body",
        "Làm việc tại UBND xã, trung tâm văn hóa - thể thao - truyền thông xã hoặc thôn, tổ dân phố: cán bộ làm "
        "công tác thông tin cơ sở",
        "Works for the commune People's Committee, the commune culture centre or a village: grassroots information "
        "official"),
        organisations=COMMUNE_INFORMATION_BODIES),
    PlacementRule(PROPAGANDA, Reason(
        "party_or_mass_organisation",
        "Làm việc tại cơ quan Đảng hoặc tổ chức chính trị - xã hội cấp xã: cán bộ làm công tác thông tin, tuyên "
        "truyền",
        "Works for a commune Party body or socio-political organisation: information and propaganda official"),
        organisations=PARTY_AND_MASS_ORGANISATIONS),
    PlacementRule(PRESS, Reason(
        "press_body", "Làm việc tại cơ quan báo chí, cơ quan chủ quản hoặc quản lý nhà nước về báo chí",
        "Works for a press agency, a press governing body or state press management"),
        organisations=PRESS_BODIES),
    PlacementRule(FOREIGN, Reason(
        "foreign_info_body", "Làm việc tại cơ quan làm công tác thông tin đối ngoại",
        "Works for a foreign-information body"),
        organisations=frozenset({"co_quan_doi_ngoai"})),
    PlacementRule(None, NOT_A_TARGET),
)
"""Who belongs to which target group; the first row that matches decides."""

GROUP_PARENTS: Mapping[str, tuple[str, ...]] = {CVH_RADIO: (GRASSROOTS,)}
"""Groups that include another: a culture-social civil servant in charge of the radio *is* a grassroots information
official (the letter names them as that group's priority), so a curriculum listing only ``grassroots_info`` (CT3)
takes them too. A curriculum that lists ``cvh_radio`` itself ranks them by that entry."""


def groups_of(target_group: str | None) -> tuple[str, ...]:
    """The group and the broader groups it belongs to, most specific first."""
    if target_group is None:
        return ()
    return (target_group, *GROUP_PARENTS.get(target_group, ()))


def _check_codes(facts: PersonFacts) -> None:
    if facts.position not in reference.codes(reference.POSITIONS):
        raise ValueError(f"Chức danh không có trong danh mục: {facts.position!r}")
    if facts.organisation_type not in reference.codes(reference.ORGANISATION_TYPES):
        raise ValueError(f"Loại tổ chức không có trong danh mục: {facts.organisation_type!r}")


def place(facts: PersonFacts) -> Placement:
    """The person's target group from position, organisation and radio duty, with the reasons.

    ``ValueError`` when the position or organisation code is not in the controlled lists.
    """
    _check_codes(facts)
    rule = next(r for r in PLACEMENT_RULES if r.matches(facts))
    organisation = reference.by_code(reference.ORGANISATION_TYPES, facts.organisation_type)
    position = reference.by_code(reference.POSITIONS, facts.position)
    reasons = [rule.reason]
    if rule.target_group is None:
        reasons.append(Reason("position", f"Chức danh: {position.vi}", f"Position: {position.en}"))
    reasons.append(Reason("organisation", f"Tổ chức: {organisation.vi}", f"Organisation: {organisation.en}"))
    return Placement(rule.target_group, tuple(reasons))


# --- priority -------------------------------------------------------------------------------------------------------

DEFAULT_CATEGORY_ORDER: tuple[str, ...] = ("dbkk", "bien_gioi", "hai_dao", "dtts")
"""Within a target group, communes in these programme categories come first, best first (a rule to configure)."""

CATEGORY_REASONS: Mapping[str, Reason] = {
    "dbkk": Reason("category_dbkk", "Xã thuộc địa bàn đặc biệt khó khăn",
                   "The commune is an extremely difficult area"),
    "bien_gioi": Reason("category_bien_gioi", "Xã thuộc khu vực biên giới", "The commune is a border commune"),
    "hai_dao": Reason("category_hai_dao", "Xã đảo, hải đảo", "The commune is an island commune"),
    "dtts": Reason("category_dtts", "Xã thuộc vùng đồng bào dân tộc thiểu số",
                   "The commune is in an ethnic-minority area"),
}

INELIGIBLE = sys.maxsize
"""Rank and sub-rank used in the sort key of people a curriculum is not for."""


class Named(Protocol):
    vi: str
    en: str


def _lower_first(text: str) -> str:
    """"Cán bộ ..." -> "cán bộ ...", but leave acronyms ("UBND ...") alone."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _group_label(group: str, placement: Placement, group_names: Mapping[str, str | Named] | None) -> tuple[str, str]:
    name = group_names.get(group) if group_names else None
    fallback = placement.reasons[0]
    if name is None:
        return _lower_first(fallback.vi), _lower_first(fallback.en)
    if isinstance(name, str):
        return _lower_first(name), _lower_first(fallback.en)
    return _lower_first(name.vi), _lower_first(name.en)


def _category_reasons(categories: frozenset[str], category_order: Sequence[str]) -> tuple[int, list[Reason]]:
    present = [c for c in category_order if c in categories]
    if not present:
        return len(category_order), [Reason(
            "no_category", "Xã không thuộc địa bàn được ưu tiên (đặc biệt khó khăn, biên giới, hải đảo, vùng DTTS)",
            "The commune is in none of the priority areas (extremely difficult, border, island, ethnic minority)")]
    reasons = []
    for c in present:
        reason = CATEGORY_REASONS.get(c)
        if reason is None:
            label = _category_label(c)
            reason = Reason(f"category_{c}", f"Xã thuộc địa bàn: {label.vi}", f"Commune category: {label.en}")
        reasons.append(reason)
    return list(category_order).index(present[0]), reasons


def _category_label(code: str) -> reference.Choice:
    try:
        return reference.by_code(reference.COMMUNE_CATEGORIES, code)
    except KeyError:
        return reference.Choice(code, code, code)


def priority(
    facts: PersonFacts,
    curriculum_code: str,
    curriculum_target_groups: Sequence[str],
    group_names: Mapping[str, str | Named] | None = None,
    category_order: Sequence[str] = DEFAULT_CATEGORY_ORDER,
) -> Priority:
    """How the person ranks for a curriculum whose ``target_groups`` list (in priority order) is given.

    The rank is the 1-based position in that list of the person's most specific group that the list names (see
    ``GROUP_PARENTS``). ``group_names`` (group code -> name, a string in Vietnamese or an object with ``vi`` and
    ``en``, e.g. the curricula's target groups) words the reasons; without it the placement reason is used. Within
    a group, the best of the commune's categories in ``category_order`` gives the sub-rank; communes with none come
    after those with any.
    """
    placement = place(facts)
    if placement.target_group is None:
        reason = Reason(
            "no_target_group",
            f"Không thuộc nhóm đối tượng nào của chương trình {curriculum_code}",
            f"Belongs to no target group of curriculum {curriculum_code}")
        return Priority(False, None, (INELIGIBLE, INELIGIBLE), (reason, *placement.reasons))

    listed = list(curriculum_target_groups)
    group = next((g for g in groups_of(placement.target_group) if g in listed), None)
    if group is None:
        vi, en = _group_label(placement.target_group, placement, group_names)
        reason = Reason("not_in_curriculum", f"Chương trình {curriculum_code} không dành cho nhóm {vi}",
                        f"Curriculum {curriculum_code} is not meant for {en}")
        return Priority(False, None, (INELIGIBLE, INELIGIBLE), (reason, *placement.reasons))

    rank = listed.index(group) + 1
    vi, en = _group_label(group, placement, group_names)
    reasons = [Reason("priority", f"Ưu tiên {rank}: {vi}", f"Priority {rank}: {en}")]
    sub_rank, category_reasons = _category_reasons(facts.commune_categories, category_order)
    reasons += category_reasons
    reasons += placement.reasons
    return Priority(True, rank, (rank, sub_rank), tuple(reasons), sub_rank)


# --- citizen ID -----------------------------------------------------------------------------------------------------
# A 12-digit citizen ID (căn cước công dân, Decree 137/2015/NĐ-CP and Circular 07/2016/TT-BCA, kept by the 2023 Law
# on Identification): 3 digits province of birth registration, 1 digit sex and century, 2 digits year of birth, 6
# random digits. The fourth digit: 0/1 male/female born 1900-1999, 2/3 2000-2099, 4/5 2100-2199, 6/7 2200-2299,
# 8/9 2300-2399.

_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


def _dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _century_digit_meaning(digit: int) -> tuple[str, int]:
    """("male"|"female", first year of the century) for the fourth digit."""
    return ("male" if digit % 2 == 0 else "female"), 1900 + (digit // 2) * 100


def _sex_code(sex: str | None) -> str | None:
    if sex is None:
        return None
    found = reference.match(reference.SEXES, sex)
    return found.code if found else None


def citizen_id_problems(cid: str, birth_date: date | None, sex: str | None) -> list[str]:
    """What is wrong with a citizen ID, in Vietnamese; empty when nothing that can be checked is wrong.

    ``sex`` is a code of ``reference.SEXES`` ("male", "female") or a label; unknown values are not checked.
    """
    if not _TWELVE_DIGITS.fullmatch(cid or ""):
        digits = sum(ch in "0123456789" for ch in cid or "")
        if cid and digits == len(cid) and digits == 11:
            return ["Số CCCD phải gồm đúng 12 chữ số (số đã nhập có 11 chữ số: có thể đã mất số 0 ở đầu)"]
        return ["Số CCCD phải gồm đúng 12 chữ số"]
    problems: list[str] = []
    prefix = cid[:3]
    if prefix not in reference.PROVINCE_REGISTRATION_CODES:
        problems.append(f"Ba chữ số đầu của số CCCD ({prefix}) không phải mã tỉnh, thành phố nơi đăng ký khai sinh")
    digit = int(cid[3])
    id_sex, century = _century_digit_meaning(digit)
    sex_vi = "nam" if id_sex == "male" else "nữ"
    sex_code = _sex_code(sex)
    if sex_code is not None and sex_code != id_sex:
        declared = "nam" if sex_code == "male" else "nữ"
        problems.append(f"Chữ số thứ 4 của số CCCD ({digit}) cho biết giới tính {sex_vi}, nhưng giới tính đã khai là "
                        f"{declared}")
    if birth_date is not None:
        if not century <= birth_date.year < century + 100:
            problems.append(f"Chữ số thứ 4 của số CCCD ({digit}) cho biết {sex_vi} sinh từ năm {century} đến năm "
                            f"{century + 99}, nhưng ngày sinh là {_dmy(birth_date)}")
        year_digits = cid[4:6]
        if year_digits != f"{birth_date.year % 100:02d}":
            problems.append(f"Chữ số thứ 5 và 6 của số CCCD ({year_digits}) phải là hai số cuối của năm sinh, nhưng "
                            f"ngày sinh là {_dmy(birth_date)}")
    return problems


# --- phone ----------------------------------------------------------------------------------------------------------

MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
LANDLINE_PREFIX = "02"
_PHONE_CHARS = re.compile(r"[0-9 .\-()+]*")
_SEPARATORS = re.compile(r"[ .\-()]")
_SEVERAL = re.compile(r"[,;/]|\s(?:hoặc|hoac|or)\s", re.IGNORECASE)


def normalise_phone(raw: str) -> str:
    """A Vietnamese phone number in national form, digits only ("0912345678"); ``ValueError`` (Vietnamese) if bad.

    Accepts spaces, dots, dashes and brackets ("0912.345.678", "(024) 3825 1234") and the country code ("+84 912
    345 678", "84912345678", "0084 912 345 678"). Mobiles have 10 digits and start 03, 05, 07, 08 or 09; landlines
    have 11 digits and start 02.
    """
    text = (raw or "").strip().replace("\u00a0", " ")
    if not text:
        raise ValueError("Chưa nhập số điện thoại")
    if _SEVERAL.search(text):
        raise ValueError(f"“{raw}”: chỉ nhập một số điện thoại")
    if not _PHONE_CHARS.fullmatch(text):
        raise ValueError(f"Số điện thoại “{raw}” chỉ được có chữ số, dấu cách, dấu chấm, dấu gạch ngang, dấu ngoặc "
                         "và dấu + ở đầu")
    compact = _SEPARATORS.sub("", text)
    if "+" in compact[1:]:
        raise ValueError(f"Số điện thoại “{raw}”: dấu + chỉ được đứng ở đầu, trước mã quốc gia 84")
    if compact.startswith("+"):
        if not compact.startswith("+84"):
            raise ValueError(f"Số điện thoại “{raw}” không phải số Việt Nam: chỉ nhận mã quốc gia +84")
        digits = compact[3:]
    elif compact.startswith("0084"):
        digits = compact[4:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        digits = compact[2:]
    else:
        digits = compact
    if not digits:
        raise ValueError(f"Số điện thoại “{raw}” không có chữ số nào sau mã quốc gia")
    if compact != digits and digits.startswith("0"):
        digits = digits[1:]  # "+84 (0) 912 ..."
    national = digits if digits.startswith("0") else "0" + digits
    if compact == digits and not digits.startswith("0"):
        raise ValueError(f"Số điện thoại “{raw}” phải bắt đầu bằng 0 hoặc mã quốc gia +84")
    if national.startswith(MOBILE_PREFIXES):
        if len(national) != 10:
            raise ValueError(f"Số di động “{raw}” phải có 10 chữ số (dạng 0912345678), số đã nhập có "
                             f"{len(national)} chữ số")
        return national
    if national.startswith(LANDLINE_PREFIX):
        if len(national) != 11:
            raise ValueError(f"Số máy bàn “{raw}” phải có 11 chữ số gồm mã vùng (dạng 02438251234), số đã nhập có "
                             f"{len(national)} chữ số")
        return national
    raise ValueError(f"Số điện thoại “{raw}” có đầu số {national[:2]}: không phải số di động (03, 05, 07, 08, 09) "
                     "hay số máy bàn (02) của Việt Nam")


# --- birth date -----------------------------------------------------------------------------------------------------

MIN_AGE = 16
MAX_AGE = 80


def age_on(birth_date: date, today: date) -> int:
    """Whole years from ``birth_date`` to ``today``."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def birth_date_problems(d: date, today: date, min_age: int = MIN_AGE, max_age: int = MAX_AGE) -> list[str]:
    """What is wrong with an official's birth date, in Vietnamese: not in the future, aged ``min_age`` to
    ``max_age`` on ``today``."""
    if d > today:
        return [f"Ngày sinh {_dmy(d)} ở sau ngày hôm nay ({_dmy(today)})"]
    age = age_on(d, today)
    if age < min_age:
        return [f"Người sinh ngày {_dmy(d)} mới {age} tuổi, chưa đủ {min_age} tuổi"]
    if age > max_age:
        return [f"Người sinh ngày {_dmy(d)} đã {age} tuổi, quá {max_age} tuổi: hãy kiểm tra lại ngày sinh"]
    return []
