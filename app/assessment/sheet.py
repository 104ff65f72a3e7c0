"""Questions from a spreadsheet, for trainers who write them in Excel: one row a question, all or nothing.

Columns: Loại (một đáp án / nhiều đáp án / đúng sai / trả lời ngắn), Câu hỏi, A–F (the options), Đáp án (the
letters of the right options, "Đúng"/"Sai", or the accepted answers separated by ";"). The template's first row
under the header is an example and is marked as such.
"""
from __future__ import annotations

import re

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from app.assessment import rules
from app.core.spreadsheet import Column, RowError, read_table, to_bytes
from app.core.text import fold

LETTERS = "ABCDEF"
COLUMNS = (
    Column("kind", "Loại", True, "Một đáp án", ("loai cau hoi", "kind", "type")),
    Column("text", "Câu hỏi", True, "Từ năm 2025, cơ quan nào quản lý thông tin cơ sở?", ("noi dung", "question")),
    *(Column(f"option_{x.lower()}", x, False, "", (f"phuong an {x.lower()}", f"option {x.lower()}"))
      for x in LETTERS),
    Column("answer", "Đáp án", True, "B", ("dap an dung", "answer")),
)
KIND_LABELS = {rules.Kind.SINGLE: "Một đáp án", rules.Kind.MULTIPLE: "Nhiều đáp án", rules.Kind.TRUE_FALSE: "Đúng sai",
               rules.Kind.SHORT: "Trả lời ngắn"}
EXAMPLE = ("Một đáp án", "(Dòng mẫu, không được nhập) Từ năm 2025, cơ quan nào quản lý thông tin cơ sở?",
           "Bộ Thông tin và Truyền thông", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Nội vụ", "", "", "", "B")
EXAMPLE_MARK = "(dòng mẫu"


def _kind(value: object) -> rules.Kind | None:
    word = fold(str(value or "")).strip(" .")
    return next((k for k, words in rules.KIND_WORDS.items() if word in words), None)


def read_questions(content: bytes, max_bytes: int) -> tuple[list[rules.Question], list[RowError]]:
    """The questions of a sheet, or every problem by row and column (then no question is taken)."""
    table = read_table(content, max_bytes, COLUMNS)
    if table.errors:
        return [], table.errors
    errors = list(table.formulas)
    questions = []
    for row, raw in table.rows:
        if fold(str(raw.get("text") or "")).startswith(fold(EXAMPLE_MARK)):
            continue  # the template's example row
        kind = _kind(raw.get("kind"))
        if kind is None:
            errors.append(RowError(row, "Loại", "Loại phải là: Một đáp án, Nhiều đáp án, Đúng sai hoặc Trả lời ngắn."))
            continue
        answer = str(raw.get("answer") or "").strip()
        options = [str(raw.get(f"option_{x.lower()}") or "") for x in LETTERS]
        if kind is rules.Kind.TRUE_FALSE:
            word = fold(answer)
            value = {"dung": True, "d": True, "true": True, "t": True,
                     "sai": False, "s": False, "false": False, "f": False}.get(word)
            q = rules.build_question(kind, str(raw.get("text") or ""), true_false=value)
        elif kind is rules.Kind.SHORT:
            q = rules.build_question(kind, str(raw.get("text") or ""), accepted=re.split(r"[;|]", answer))
        else:
            letters = {x for x in re.split(r"[\s,;]+", answer.upper()) if x}
            unknown = letters - set(LETTERS)
            if unknown or not letters:
                errors.append(RowError(row, "Đáp án", "Đáp án là chữ cái của phương án đúng (A–F), ví dụ “B” hoặc "
                                                      "“A, C”."))
                continue
            missing = [x for x in sorted(letters) if not options[LETTERS.index(x)].strip()]
            if missing:
                errors.append(RowError(row, "Đáp án", f"Phương án {', '.join(missing)} đang để trống."))
                continue
            q = rules.build_question(kind, str(raw.get("text") or ""),
                                     [(t, LETTERS[i] in letters) for i, t in enumerate(options)])
        if isinstance(q, rules.Question):
            questions.append(q)
        else:
            errors.append(RowError(row, "", q.vi))
    if not questions and not errors:
        errors.append(RowError(0, "", "Tệp không có câu hỏi nào."))
    errors.sort(key=lambda e: (e.row, e.column))
    return ([] if errors else questions), errors


def template_xlsx() -> bytes:
    """The questions template: the header, one example row marked as such, a list of kinds to pick from."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Câu hỏi"
    ws.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append(list(EXAMPLE))
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")
    dv = DataValidation(type="list", formula1='"' + ",".join(KIND_LABELS.values()) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("A2:A1000")
    for letter, width in zip("ABCDEFGHI", (16, 60, 28, 28, 28, 28, 20, 20, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return to_bytes(wb)
