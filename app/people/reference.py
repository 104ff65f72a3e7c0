"""Controlled lists for trainee records, as data: sexes, ethnic groups, organisation types, positions, commune
programme categories, and the province-of-registration prefixes of a citizen ID.

Each list is an ordered tuple of frozen ``Choice`` values (a stable ``code`` that is stored, a Vietnamese label that
is authoritative, an English label, and ``aliases``: other spellings people type in a spreadsheet). Codes are stored
with records: never rename one that is in use; add a new choice instead.

``match(choices, text)`` finds a choice from what a person typed: the code, the Vietnamese or English label or an
alias, compared without diacritics, case, spaces or punctuation ("Ê Đê", "Ê-đê", "ede" and "EDE" are one group).

No database and no web framework here.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from app.core.text import fold, nfc

__all__ = [
    "COMMUNE_CATEGORIES",
    "ETHNICITIES",
    "ORGANISATION_TYPES",
    "POSITIONS",
    "PROVINCE_REGISTRATION_CODES",
    "PROVINCE_REGISTRATION_NAMES",
    "SEXES",
    "Choice",
    "Ethnicity",
    "by_code",
    "codes",
    "is_minority",
    "match",
    "match_all",
    "match_key",
]


@dataclass(frozen=True)
class Choice:
    """One entry of a controlled list."""

    code: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ethnicity(Choice):
    """One of the 54 ethnic groups; every group but the Kinh is an ethnic minority (dân tộc thiểu số)."""

    minority: bool = True


C = TypeVar("C", bound=Choice)

# --- sex ------------------------------------------------------------------------------------------------------------

SEXES: tuple[Choice, ...] = (
    Choice("male", "Nam", "Male", ("Nam giới", "M")),
    Choice("female", "Nữ", "Female", ("Nữ giới", "F")),
)

# --- ethnic groups --------------------------------------------------------------------------------------------------
# The 54 groups of the official list (General Statistics Office, "Danh mục các dân tộc Việt Nam"), written as the
# Committee for Ethnic Minority Affairs writes them today; older hyphenated spellings ("Gia-rai", "Khơ-me") match
# anyway because matching ignores punctuation. Aliases carry the other official or common names.


def _e(code: str, vi: str, en: str, *aliases: str) -> Ethnicity:
    return Ethnicity(code, vi, en, aliases, minority=code != "kinh")


ETHNICITIES: tuple[Ethnicity, ...] = (
    _e("kinh", "Kinh", "Kinh", "Việt", "Kinh (Việt)", "Viet"),
    _e("tay", "Tày", "Tay"),
    _e("thai", "Thái", "Thai"),
    _e("muong", "Mường", "Muong"),
    _e("khmer", "Khmer", "Khmer", "Khơ Me", "Khơ-me"),
    _e("hoa", "Hoa", "Hoa", "Hoa (Hán)", "Hán"),
    _e("nung", "Nùng", "Nung"),
    _e("hmong", "Mông", "Hmong", "H'Mông", "HMông", "Mông (H'Mông)"),
    _e("dao", "Dao", "Dao"),
    _e("gia_rai", "Gia Rai", "Jarai", "Gia-rai"),
    _e("e_de", "Ê Đê", "Ede", "Ê-đê", "Rhade"),
    _e("ba_na", "Ba Na", "Bahnar", "Ba-na"),
    _e("xo_dang", "Xơ Đăng", "Sedang", "Xơ-đăng"),
    _e("san_chay", "Sán Chay", "San Chay", "Cao Lan - Sán Chỉ"),
    _e("co_ho", "Cơ Ho", "Koho", "Cơ-ho", "K'Ho"),
    _e("cham", "Chăm", "Cham"),
    _e("san_diu", "Sán Dìu", "San Diu"),
    _e("hre", "Hrê", "Hre"),
    _e("mnong", "Mnông", "Mnong", "M'Nông"),
    _e("ra_glai", "Ra Glai", "Raglai", "Ra-glai"),
    _e("xtieng", "Xtiêng", "Stieng", "X'Tiêng"),
    _e("bru_van_kieu", "Bru-Vân Kiều", "Bru-Van Kieu", "Bru - Vân Kiều"),
    _e("tho", "Thổ", "Tho"),
    _e("giay", "Giáy", "Giay"),
    _e("co_tu", "Cơ Tu", "Katu", "Cơ-tu"),
    _e("gie_trieng", "Gié Triêng", "Gie Trieng", "Giẻ Triêng", "Gié-Triêng"),
    _e("ma", "Mạ", "Ma"),
    _e("kho_mu", "Khơ Mú", "Khmu", "Khơ-mú"),
    _e("co", "Co", "Co"),
    _e("ta_oi", "Tà Ôi", "Ta Oi", "Tà-ôi", "Pa Cô"),
    _e("cho_ro", "Chơ Ro", "Cho Ro", "Chơ-ro"),
    _e("khang", "Kháng", "Khang"),
    _e("xinh_mun", "Xinh Mun", "Xinh Mun", "Xinh-mun"),
    _e("ha_nhi", "Hà Nhì", "Ha Nhi"),
    _e("chu_ru", "Chu Ru", "Chu Ru", "Chu-ru"),
    _e("lao", "Lào", "Lao"),
    _e("la_chi", "La Chí", "La Chi"),
    _e("la_ha", "La Ha", "La Ha"),
    _e("phu_la", "Phù Lá", "Phu La"),
    _e("la_hu", "La Hủ", "La Hu"),
    _e("lu", "Lự", "Lu"),
    _e("lo_lo", "Lô Lô", "Lo Lo"),
    _e("chut", "Chứt", "Chut"),
    _e("mang", "Mảng", "Mang"),
    _e("pa_then", "Pà Thẻn", "Pa Then"),
    _e("co_lao", "Cơ Lao", "Co Lao", "Cờ Lao"),
    _e("cong", "Cống", "Cong"),
    _e("bo_y", "Bố Y", "Bo Y"),
    _e("si_la", "Si La", "Si La"),
    _e("pu_peo", "Pu Péo", "Pu Peo"),
    _e("brau", "Brâu", "Brau"),
    _e("o_du", "Ơ Đu", "O Du"),
    _e("ro_mam", "Rơ Măm", "Ro Mam", "Rơ-măm"),
    _e("ngai", "Ngái", "Ngai"),
)

# --- organisations and positions ------------------------------------------------------------------------------------

ORGANISATION_TYPES: tuple[Choice, ...] = (
    Choice("ubnd_xa", "UBND xã/phường/đặc khu", "Commune People's Committee",
           ("UBND xã", "UBND phường", "UBND đặc khu", "Ủy ban nhân dân xã", "Ủy ban nhân dân phường",
            "Ủy ban nhân dân xã/phường/đặc khu")),
    Choice("dang_uy_xa", "Đảng ủy xã/phường/đặc khu", "Commune Party Committee",
           ("Đảng ủy xã", "Đảng ủy phường", "Đảng ủy đặc khu", "Đảng ủy")),
    Choice("mttq_xa", "Ủy ban MTTQ Việt Nam xã/phường/đặc khu", "Commune Fatherland Front Committee",
           ("MTTQ", "MTTQ xã", "Mặt trận Tổ quốc", "Mặt trận Tổ quốc xã", "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
            "Fatherland Front")),
    Choice("hoi_phu_nu", "Hội Liên hiệp Phụ nữ", "Women's Union",
           ("Hội Phụ nữ", "Hội LHPN", "Hội Phụ nữ xã", "Hội Liên hiệp Phụ nữ xã")),
    Choice("hoi_nong_dan", "Hội Nông dân", "Farmers' Union", ("Hội ND", "Hội Nông dân xã")),
    Choice("doan_thanh_nien", "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Ho Chi Minh Communist Youth Union",
           ("Đoàn Thanh niên", "Đoàn TN", "Đoàn TNCS Hồ Chí Minh", "Đoàn Thanh niên xã", "Youth Union")),
    Choice("hoi_ccb", "Hội Cựu chiến binh", "Veterans' Association", ("Hội CCB", "Hội Cựu chiến binh xã")),
    Choice("trung_tam_vhtt_xa", "Trung tâm Văn hóa - Thể thao - Truyền thông xã",
           "Commune Culture, Sports and Communication Centre",
           ("Trung tâm VHTT xã", "Trung tâm VH-TT-TT xã", "Trung tâm Văn hóa - Thể thao và Truyền thông xã",
            "Trung tâm Văn hóa - Thể thao - Truyền thông")),
    Choice("thon_to_dan_pho", "Thôn, tổ dân phố", "Village or residential group",
           ("Thôn", "Tổ dân phố", "Thôn/tổ dân phố", "Bản", "Ấp", "Khu phố")),
    Choice("co_quan_bao_chi", "Cơ quan báo chí", "Press agency", ("Báo", "Tòa soạn", "Đài phát thanh - truyền hình")),
    Choice("co_quan_quan_ly_bao_chi", "Cơ quan chủ quản, cơ quan quản lý nhà nước về báo chí",
           "Press governing body or state press-management body",
           ("Cơ quan chủ quản báo chí", "Cơ quan quản lý báo chí", "Cơ quan quản lý nhà nước về báo chí")),
    Choice("co_quan_doi_ngoai", "Cơ quan làm công tác thông tin đối ngoại", "Foreign-information body",
           ("Cơ quan thông tin đối ngoại", "Cơ quan đối ngoại")),
    Choice("khac", "Khác", "Other"),
)

POSITIONS: tuple[Choice, ...] = (
    Choice("cong_chuc_vhxh", "Công chức Văn hóa - Xã hội", "Culture and social affairs civil servant",
           ("Công chức VH-XH", "Công chức VHXH", "Công chức văn hóa xã hội", "Công chức văn hóa - xã hội cấp xã")),
    Choice("pho_chu_tich_ubnd", "Phó Chủ tịch UBND xã", "Vice-chair of the commune People's Committee",
           ("Phó Chủ tịch Ủy ban nhân dân xã", "Phó Chủ tịch UBND", "PCT UBND xã")),
    Choice("nhan_vien_dai_truyen_thanh", "Nhân viên Đài truyền thanh xã", "Commune radio station staff",
           ("Nhân viên đài truyền thanh", "Cán bộ đài truyền thanh", "Cán bộ đài truyền thanh xã")),
    Choice("vien_chuc_trung_tam_vhtt", "Viên chức Trung tâm Văn hóa - Thể thao - Truyền thông",
           "Staff of the commune culture, sports and communication centre",
           ("Viên chức Trung tâm VHTT", "Viên chức trung tâm văn hóa", "Nhân viên Trung tâm VHTT")),
    Choice("truong_thon", "Trưởng thôn, tổ trưởng tổ dân phố", "Village head or residential-group head",
           ("Trưởng thôn", "Tổ trưởng tổ dân phố", "Trưởng bản", "Trưởng ấp", "Trưởng khu phố")),
    Choice("can_bo_tuyen_giao", "Cán bộ tuyên giáo Đảng ủy", "Propaganda official of the Party committee",
           ("Cán bộ tuyên giáo", "Tuyên giáo", "Cán bộ Ban Tuyên giáo")),
    Choice("lanh_dao_doan_the", "Lãnh đạo tổ chức chính trị - xã hội",
           "Head or deputy head of a socio-political organisation",
           ("Lãnh đạo đoàn thể", "Chủ tịch Hội", "Phó Chủ tịch Hội", "Bí thư Đoàn", "Phó Bí thư Đoàn",
            "Chủ tịch MTTQ", "Phó Chủ tịch MTTQ")),
    Choice("can_bo_tuyen_truyen_doan_the", "Cán bộ tuyên truyền của tổ chức chính trị - xã hội",
           "Propaganda official of a socio-political organisation",
           ("Cán bộ tuyên truyền đoàn thể", "Cán bộ tuyên truyền")),
    Choice("lanh_dao_bao_chi", "Lãnh đạo cơ quan báo chí", "Press agency leader",
           ("Tổng biên tập", "Phó Tổng biên tập", "Lãnh đạo báo")),
    Choice("phong_vien", "Phóng viên", "Reporter"),
    Choice("bien_tap_vien", "Biên tập viên", "Editor"),
    Choice("can_bo_quan_ly_bao_chi", "Cán bộ quản lý nhà nước về báo chí", "Press-management official",
           ("Cán bộ quản lý báo chí",)),
    Choice("can_bo_thong_tin_doi_ngoai", "Cán bộ thông tin đối ngoại", "Foreign-information official",
           ("Cán bộ làm công tác thông tin đối ngoại",)),
    Choice("khac", "Khác", "Other"),
)

# --- commune programme categories -----------------------------------------------------------------------------------

COMMUNE_CATEGORIES: tuple[Choice, ...] = (
    Choice("dbkk", "Xã đặc biệt khó khăn", "Extremely difficult commune",
           ("ĐBKK", "Xã ĐBKK", "Đặc biệt khó khăn", "Extremely difficult")),
    Choice("bien_gioi", "Xã biên giới", "Border commune", ("Biên giới", "Border")),
    Choice("hai_dao", "Xã đảo / hải đảo", "Island commune", ("Hải đảo", "Đảo", "Xã đảo", "Xã hải đảo", "Island")),
    Choice("dtts", "Vùng đồng bào dân tộc thiểu số", "Ethnic-minority area",
           ("DTTS", "Vùng DTTS", "Vùng đồng bào DTTS", "Dân tộc thiểu số", "Xã vùng DTTS", "Ethnic minority")),
)

# --- citizen ID: province of registration ---------------------------------------------------------------------------
# The first three digits of a 12-digit citizen ID are the code of the province where the birth was registered: the
# 63 pre-2025 province codes of the General Statistics Office with a leading zero (001 Hà Nội ... 096 Cà Mau). IDs
# already issued keep them after the 2025 mergers, so they are read from the pre-2025 unit list the project ships.

_UNITS_BEFORE_2025 = Path(__file__).resolve().parents[1] / "places" / "data" / "units-before-2025-gso.csv"


def _province_registration_names(path: Path = _UNITS_BEFORE_2025) -> Mapping[str, str]:
    names: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            code = (row.get("Mã TP") or "").strip()
            if code:
                names.setdefault("0" + code.zfill(2), nfc((row.get("Tỉnh / Thành Phố") or "").strip()))
    return MappingProxyType(dict(sorted(names.items())))


PROVINCE_REGISTRATION_NAMES: Mapping[str, str] = _province_registration_names()
"""Three-digit prefix -> province name as it was before 2025, e.g. "024" -> "Tỉnh Bắc Giang"."""

PROVINCE_REGISTRATION_CODES: frozenset[str] = frozenset(PROVINCE_REGISTRATION_NAMES)

# --- look-ups -------------------------------------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def match_key(text: str) -> str:
    """What two spellings must share to be the same choice: no diacritics, case, spaces or punctuation."""
    return _NOT_ALNUM.sub("", fold(nfc(text)))


_INDEXES: dict[int, tuple[tuple[Choice, ...], Mapping[str, Choice]]] = {}


def _index(choices: tuple[Choice, ...]) -> Mapping[str, Choice]:
    """Spelling key -> choice, built once per list (kept by identity: hashing a long tuple at every call is slow)."""
    cached = _INDEXES.get(id(choices))
    if cached is not None and cached[0] is choices:
        return cached[1]
    index: dict[str, Choice] = {}
    for choice in choices:
        for label in (choice.code, choice.vi, choice.en, *choice.aliases):
            key = match_key(label)
            if key:
                index.setdefault(key, choice)
    if len(_INDEXES) < 64:
        _INDEXES[id(choices)] = (choices, MappingProxyType(index))
    return MappingProxyType(index)


def by_code(choices: tuple[C, ...], code: str) -> C:
    """The choice with this code; ``KeyError`` when there is none."""
    for choice in choices:
        if choice.code == code:
            return choice
    raise KeyError(code)


def codes(choices: Iterable[Choice]) -> tuple[str, ...]:
    return tuple(c.code for c in choices)


def match(choices: tuple[C, ...], text: str | None) -> C | None:
    """The choice meant by ``text`` (code, Vietnamese or English label, or alias, with or without diacritics)."""
    if text is None:
        return None
    text = nfc(text).strip()
    if not text:
        return None
    for choice in choices:  # exact code or label first
        if text in (choice.code, choice.vi):
            return choice
    choices = choices if isinstance(choices, tuple) else tuple(choices)
    return _index(choices).get(match_key(text))  # type: ignore[return-value]


def match_all(choices: tuple[C, ...], text: str | None, separators: str = ",;\n") -> tuple[list[C], list[str]]:
    """Several choices in one cell ("ĐBKK, biên giới"): the choices found (in order, once each) and the parts that
    matched nothing."""
    found: list[C] = []
    unknown: list[str] = []
    whole = match(choices, text)
    parts = [whole] if whole is not None else re.split(f"[{re.escape(separators)}]", text or "")
    for part in parts:
        if isinstance(part, Choice):
            found.append(part)  # type: ignore[arg-type]
            continue
        part = part.strip()
        if not part:
            continue
        choice = match(choices, part)
        if choice is None:
            unknown.append(part)
        elif choice not in found:
            found.append(choice)
    return found, unknown


def is_minority(ethnicity_code: str) -> bool:
    """Whether the ethnic group with this code is an ethnic minority; ``KeyError`` for an unknown code."""
    return by_code(ETHNICITIES, ethnicity_code).minority
