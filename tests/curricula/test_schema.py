"""The curriculum files and their schema: shipped data, every error message, hashing, the exported JSON Schema."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from app.curricula.loader import (
    DEFAULT_DIRECTORY,
    SCHEMA_FILES,
    CurriculumError,
    canonical_json,
    check,
    content_hash,
    json_schemas,
    load_curricula,
)
from app.curricula.schema import Curriculum, CurriculumFile

SHIPPED = DEFAULT_DIRECTORY
LETTER = Path(__file__).resolve().parents[2] / "curricula" / "sources" / "bac-giang-2023-09-letter.txt"

# The Bắc Giang letter of September 2023, section 1.1, copied as printed (line breaks joined by one space).
LETTER_GENERAL = [
    "Nội dung chung về công tác quản lý Chương trình MTQG về giảm nghèo thông tin",
    "Các nghị quyết, quyết định, văn bản chỉ đạo của Chính phủ, Thủ tướng Chính phủ, Tỉnh ủy, HĐND, UBND tỉnh, "
    "của địa phương về thực hiện Chương trình MTQG giảm nghèo bền vững giai đoạn 2021-2025",
    "phổ biến các chương trình, tài liệu do Trung ương xây dựng (nếu có)",
]
LETTER_CT2 = [
    "Một số vấn đề cơ bản về công tác thông tin cơ sở",
    "những vấn đề cơ bản về thông tin tuyên truyền của cán bộ thuộc cơ quan đảng và các tổ chức chính trị- xã hội",
    "Kỹ năng sản xuất chương trình cho Đài Truyền thanh cấp xã",
    "Kỹ năng thiết kế và xây dựng bản tin thông tin cơ sở",
    "Kỹ năng giải quyết xung đột và xử lý khủng hoảng truyền thông ở cơ sở",
    "Kỹ năng tổ chức buổi tuyên truyền cổ động và tuyên truyền ở cơ sở",
]
LETTER_CT3 = [
    "Những vấn đề cơ bản về thông tin, tuyên truyền của cán bộ thuộc cơ quan khối đảng và các tổ chức chính trị xã hội",
    "Kỹ năng lập kế hoạch thông tin tuyên truyền",
    "Kỹ năng tổ chức công tác thông tin tuyên truyền",
    "Kỹ năng tổ chức điều hành quá trình thông tin, tuyên truyền",
    "Kỹ năng kiểm tra, đánh giá kết quả thông tin tuyên truyền",
]


def words(text: str) -> str:
    """The letter's words as the data writes them: NFC, one space, "a- b" as "a - b", first letter capitalised."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    text = re.sub(r"\s*-\s*", " - ", text)
    return text[:1].upper() + text[1:]


def titles(curriculum: Curriculum) -> set[str]:
    found = set()
    for module in curriculum.modules:
        found.add(module.title.vi)
        found.update(topic.title.vi for topic in module.topics)
    return found


@pytest.fixture(scope="module")
def shipped():
    return load_curricula(SHIPPED)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "curricula"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def errors_of(directory: Path) -> list[str]:
    return check(directory)


# --- the shipped files ------------------------------------------------------------------------------------------------


def test_shipped_files_validate(shipped):
    assert [str(error) for error in shipped.errors] == []
    assert check(SHIPPED) == []
    assert [c.code for c in shipped.curricula] == ["CT1", "CT2", "CT3", "CT4"]
    assert {g.code for g in shipped.target_groups} == {
        "cvh_radio",
        "grassroots_info",
        "party_mass_propaganda",
        "press",
        "foreign_info",
    }


def test_shipped_files_are_nfc():
    for path in sorted(SHIPPED.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path


@pytest.mark.parametrize(
    ("code", "phrases"),
    [("CT1", LETTER_GENERAL), ("CT2", LETTER_GENERAL + LETTER_CT2), ("CT3", LETTER_GENERAL + LETTER_CT3)]
    + [("CT4", LETTER_GENERAL)],
)
def test_every_topic_of_the_letter_is_present_in_its_words(shipped, code, phrases):
    present = {words(title) for title in titles(shipped.curriculum(code))}
    for phrase in phrases:
        assert words(phrase) in present, phrase


def test_letter_modules_are_not_provisional_but_their_hours_are(shipped):
    for code, phrases in (("CT2", LETTER_CT2), ("CT3", LETTER_CT3)):
        curriculum = shipped.curriculum(code)
        by_title = {module.title.vi: module for module in curriculum.modules}
        for phrase in phrases:
            module = by_title[words(phrase)]
            assert module.provisional is False
            assert module.required is True
            assert module.hours.provisional is True and "1288" in module.hours.note
        assert curriculum.provisional is False


def test_the_phrases_above_are_the_letters():
    letter = re.sub(r"\s+", " ", unicodedata.normalize("NFC", LETTER.read_text(encoding="utf-8")))
    for phrase in LETTER_GENERAL + LETTER_CT2 + LETTER_CT3:
        assert phrase in letter, phrase


def test_general_module_is_defined_once_and_used_by_all_four(shipped):
    defined_in = []
    for path in sorted(SHIPPED.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any(module.get("code") == "CHUNG" for module in data.get("modules", [])):
            defined_in.append(path.relative_to(SHIPPED).as_posix())
    assert defined_in == ["shared/general.yaml"]

    shared = yaml.safe_load((SHIPPED / "shared" / "general.yaml").read_text(encoding="utf-8"))["modules"][0]
    for curriculum in shipped.curricula:
        assert curriculum.shared_modules == ["CHUNG"]
        general = curriculum.modules[0]
        assert general.code == "CHUNG" and curriculum.is_shared(general)
        assert general.title.vi == shared["title"]["vi"]
        assert general == shipped.curricula[0].modules[0]


def test_ct1_and_ct4_are_provisional_with_a_note(shipped):
    for code in ("CT1", "CT4"):
        curriculum = shipped.curriculum(code)
        assert curriculum.provisional and "1288" in curriculum.provisional_note
        own = [module for module in curriculum.modules if not curriculum.is_shared(module)]
        assert len(own) >= 4
        for module in own:
            assert module.provisional, module.code
            assert "1288" in module.note and "authoritative" in module.note


def test_target_groups_in_priority_order(shipped):
    assert shipped.curriculum("CT2").target_groups == ["cvh_radio", "grassroots_info", "party_mass_propaganda"]
    assert shipped.curriculum("CT2").priority("cvh_radio") == 1
    assert shipped.curriculum("CT3").target_groups[0] == "party_mass_propaganda"
    assert shipped.curriculum("CT1").target_groups == ["press"]
    assert shipped.curriculum("CT4").target_groups == ["foreign_info"]
    assert shipped.curriculum("CT1").priority("cvh_radio") is None
    used = {group for c in shipped.curricula for group in c.target_groups}
    assert used == {g.code for g in shipped.target_groups}


def test_completion_and_certificate(shipped):
    for curriculum in shipped.curricula:
        assert curriculum.completion.min_attendance_share == 0.8
        assert curriculum.certificate.title_vi == "GIẤY CHỨNG NHẬN"
        assert curriculum.certificate.wording_vi.startswith("Đã hoàn thành chương trình bồi dưỡng")
        assert curriculum.version == "2023.1"
        assert any("1288/QĐ-BTTTT" in text for text in curriculum.legal_basis)


def test_models_are_frozen_and_reload_from_their_dump(shipped):
    curriculum = shipped.curriculum("CT2")
    with pytest.raises(ValidationError):
        curriculum.code = "CT9"
    again = Curriculum.model_validate(curriculum.model_dump())
    assert again == curriculum
    assert Curriculum.model_validate_json(canonical_json(curriculum)) == curriculum


# --- errors -----------------------------------------------------------------------------------------------------------


def test_zero_theory_hours(copy):
    edit(copy / "ct2.yaml", lambda d: d["modules"][3]["hours"].update(theory=0))
    assert errors_of(copy) == ["ct2.yaml: modules[3].hours.theory: must be greater than 0"]


def test_negative_hours(copy):
    edit(copy / "ct3.yaml", lambda d: d["modules"][1]["hours"].update(theory=-2, practice=-1))
    assert errors_of(copy) == [
        "ct3.yaml: modules[1].hours.theory: must be greater than 0",
        "ct3.yaml: modules[1].hours.practice: must be greater than or equal to 0",
    ]


def test_error_fields():
    error = CurriculumError("ct2.yaml", "modules[3].hours.theory", "must be greater than 0")
    assert str(error) == "ct2.yaml: modules[3].hours.theory: must be greater than 0"
    assert str(CurriculumError("ct2.yaml", "", "the file is empty")) == "ct2.yaml: the file is empty"


def test_unknown_key(copy):
    edit(copy / "ct2.yaml", lambda d: d["modules"][2].update(colour="red"))
    edit(copy / "ct4.yaml", lambda d: d.update(audience="everyone"))
    lines = errors_of(copy)
    assert len(lines) == 2
    assert lines[0].startswith("ct2.yaml: modules[2].colour: unknown key (allowed: code, title, topics,")
    assert lines[1].startswith("ct4.yaml: audience: unknown key (allowed: code, title,")


def test_duplicate_module_code(copy):
    edit(copy / "ct2.yaml", lambda d: d["modules"][4].update(code="M2"))
    assert errors_of(copy) == ["ct2.yaml: modules[4].code: duplicate module code 'M2' (already used by modules[1])"]


def test_module_code_taken_by_a_shared_module(copy):
    edit(copy / "ct3.yaml", lambda d: d["modules"][0].update(code="CHUNG"))
    assert errors_of(copy) == ["ct3.yaml: modules[0].code: module code 'CHUNG' is already used by a shared module"]


def test_duplicate_topic_code_reported_with_other_errors(copy):
    def change(data):
        data["modules"][0]["topics"][1]["code"] = "T1"
        data["modules"][1]["code"] = "M1"
        data["modules"][2]["hours"]["theory"] = 0

    edit(copy / "ct2.yaml", change)
    assert sorted(errors_of(copy)) == [
        "ct2.yaml: modules[0].topics[1].code: duplicate topic code 'T1' (already used by topics[0])",
        "ct2.yaml: modules[1].code: duplicate module code 'M1' (already used by modules[0])",
        "ct2.yaml: modules[2].hours.theory: must be greater than 0",
    ]


def test_unknown_target_group(copy):
    edit(copy / "ct2.yaml", lambda d: d["target_groups"].append("journalists"))
    assert errors_of(copy) == [
        "ct2.yaml: target_groups[3]: unknown target group 'journalists' "
        "(known: cvh_radio, foreign_info, grassroots_info, party_mass_propaganda, press)"
    ]


def test_duplicate_target_group(copy):
    edit(copy / "ct3.yaml", lambda d: d["target_groups"].append("party_mass_propaganda"))
    assert errors_of(copy) == [
        "ct3.yaml: target_groups[2]: duplicate target group 'party_mass_propaganda' (already used by target_groups[0])"
    ]


def test_unknown_shared_module(copy):
    edit(copy / "ct1.yaml", lambda d: d.update(shared_modules=["CHUNG", "KHAC"]))
    assert errors_of(copy) == ["ct1.yaml: shared_modules[1]: unknown shared module 'KHAC' (defined in shared/: CHUNG)"]


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda d: d["modules"][0], "ct2.yaml: modules[0]"),
        (lambda d: d["modules"][0]["hours"], "ct2.yaml: modules[0].hours"),
        (lambda d: d["modules"][0]["topics"][0], "ct2.yaml: modules[0].topics[0]"),
    ],
)
def test_provisional_without_note(copy, where, path):
    def change(data):
        part = where(data)
        part["provisional"] = True
        part.pop("note", None)

    edit(copy / "ct2.yaml", change)
    assert errors_of(copy) == [
        f"{path}: provisional: true needs a note saying where the content comes from and what to check"
    ]


@pytest.mark.parametrize(
    ("share", "reason"),
    [(0, "must be greater than 0"), (-0.5, "must be greater than 0"), (1.5, "must be less than or equal to 1")],
)
def test_attendance_share_outside_zero_one(copy, share, reason):
    edit(copy / "ct2.yaml", lambda d: d["completion"].update(min_attendance_share=share))
    assert errors_of(copy) == [f"ct2.yaml: completion.min_attendance_share: {reason}"]


def test_attendance_share_of_one_is_allowed(copy):
    edit(copy / "ct2.yaml", lambda d: d["completion"].update(min_attendance_share=1))
    assert errors_of(copy) == []


def test_missing_key_and_wrong_types(copy):
    def change(data):
        del data["certificate"]["wording_vi"]
        data["version"] = 2023.1
        data["modules"][0]["code"] = "m1"

    edit(copy / "ct2.yaml", change)
    assert errors_of(copy) == [
        "ct2.yaml: version: must be text (put it in quotes if it looks like a number or a date)",
        "ct2.yaml: modules[0].code: must be upper-case letters, digits, '-' or '_' starting with a letter, e.g. M1",
        "ct2.yaml: certificate.wording_vi: required key is missing",
    ]


def test_code_must_match_file_name(copy):
    (copy / "ct4.yaml").rename(copy / "ct5.yaml")
    assert errors_of(copy) == ["ct5.yaml: code: 'CT4' does not match the file name (CT5 expected)"]


def test_malformed_yaml_names_the_line(copy):
    path = copy / "ct2.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = lines.index("code: CT2") + 1
    lines[number - 1] = "code: CT2: broken"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert errors_of(copy) == [f"ct2.yaml: line {number}: mapping values are not allowed here (column 10)"]


def test_duplicate_yaml_key_names_the_line(copy):
    path = copy / "ct3.yaml"
    text = path.read_text(encoding="utf-8")
    number = len(text.splitlines()) + 1
    path.write_text(text + 'version: "2024.1"\n', encoding="utf-8")
    assert errors_of(copy) == [f"ct3.yaml: line {number}: duplicate key 'version' (column 1)"]


def test_every_file_is_checked_and_every_error_collected(copy):
    edit(copy / "ct1.yaml", lambda d: d["modules"][0]["hours"].update(theory=0))
    edit(copy / "ct4.yaml", lambda d: d["modules"][5]["hours"].update(theory=0))
    edit(copy / "shared" / "general.yaml", lambda d: d["modules"][0].update(hours={"theory": 0, "practice": 0}))
    (copy / "ct3.yaml").write_text("code: [CT3\n", encoding="utf-8")
    result = load_curricula(copy)
    assert [str(e) for e in result.errors] == [
        "shared/general.yaml: modules[0].hours.theory: must be greater than 0",
        "ct1.yaml: modules[0].hours.theory: must be greater than 0",
        "ct3.yaml: line 2: while parsing a flow sequence: expected ',' or ']', but got '<stream end>' (column 1)",
        "ct4.yaml: modules[5].hours.theory: must be greater than 0",
    ]
    # CT2 itself is valid, but its shared module is not: it is left out rather than loaded half-built.
    assert result.curricula == []


def test_missing_target_groups_file(copy):
    (copy / "target-groups.yaml").unlink()
    assert errors_of(copy) == ["target-groups.yaml: file not found"]


def test_empty_and_non_mapping_files(copy):
    (copy / "ct1.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (copy / "ct4.yaml").write_text("- CT4\n", encoding="utf-8")
    (copy / "ct9.yml").write_text("code: CT9\n", encoding="utf-8")
    assert errors_of(copy) == [
        "ct1.yaml: the file is empty",
        "ct4.yaml: the file must hold a mapping of keys to values at the top level",
        "ct9.yml: rename the file to end in .yaml",
    ]


def test_decomposed_text_is_stored_composed(copy):
    title = "Kỹ năng sản xuất chương trình cho Đài Truyền thanh cấp xã"
    edit(copy / "ct2.yaml", lambda d: d["modules"][2]["title"].update(vi=unicodedata.normalize("NFD", title)))
    result = load_curricula(copy)
    assert result.errors == []
    assert result.curriculum("CT2").module("M3").title.vi == title
    assert content_hash(result.curriculum("CT2")) == content_hash(load_curricula(SHIPPED).curriculum("CT2"))


# --- content hash -----------------------------------------------------------------------------------------------------


def test_content_hash_is_stable(shipped):
    again = load_curricula(SHIPPED)
    assert [content_hash(c) for c in again.curricula] == [content_hash(c) for c in shipped.curricula]
    for curriculum in shipped.curricula:
        assert re.fullmatch(r"[0-9a-f]{64}", content_hash(curriculum))
        assert content_hash(Curriculum.model_validate(curriculum.model_dump())) == content_hash(curriculum)
    assert len({content_hash(c) for c in shipped.curricula}) == 4


def test_content_hash_ignores_comments_and_layout(copy, shipped):
    path = copy / "ct2.yaml"
    path.write_text("# a new comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    edit(copy / "ct3.yaml", lambda d: None)  # rewritten without comments, anchors or folding
    result = load_curricula(copy)
    for code in ("CT2", "CT3"):
        assert content_hash(result.curriculum(code)) == content_hash(shipped.curriculum(code))


def test_content_hash_changes_when_a_topic_changes(copy, shipped):
    edit(copy / "ct2.yaml", lambda d: d["modules"][2]["topics"][0]["title"].update(vi="Chủ đề đã sửa"))
    result = load_curricula(copy)
    assert result.errors == []
    changed = {c.code for c in result.curricula if content_hash(c) != content_hash(shipped.curriculum(c.code))}
    assert changed == {"CT2"}


def test_content_hash_of_all_four_changes_with_the_shared_module(copy, shipped):
    edit(copy / "shared" / "general.yaml", lambda d: d["modules"][0]["topics"][1]["title"].update(en="Changed"))
    result = load_curricula(copy)
    assert result.errors == []
    for curriculum in result.curricula:
        assert content_hash(curriculum) != content_hash(shipped.curriculum(curriculum.code))


# --- JSON Schema ------------------------------------------------------------------------------------------------------


def test_json_schema_files_are_up_to_date():
    expected = json_schemas()
    assert set(expected) == set(SCHEMA_FILES)
    for name, text in expected.items():
        path = SHIPPED / name
        assert path.exists(), "run: python -c 'from app.curricula.loader import export_json_schema as e; e()'"
        assert path.read_text(encoding="utf-8") == text, f"{name} is stale: re-export it"


def test_json_schema_describes_the_file_format():
    schema = CurriculumFile.model_json_schema()
    assert schema["additionalProperties"] is False
    required = {"code", "title", "legal_basis", "version", "target_groups", "completion", "certificate"}
    assert required <= set(schema["required"])
    hours = schema["$defs"]["Hours"]["properties"]
    assert hours["theory"]["exclusiveMinimum"] == 0
    assert hours["practice"]["minimum"] == 0
