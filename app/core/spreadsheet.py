"""Reading a spreadsheet (.xlsx or .csv) into rows keyed by field, naming every problem by row and column.

Used by every import (officials, enrolment lists, attendance marks). The file type is decided from the content,
not the name. Formulas are refused (a cell must hold what it shows), and so are files over the size limit.

Sheets as offices make them: title rows above the table ("ỦY BAN NHÂN DÂN XÃ …", "DANH SÁCH …") are skipped, the
header being the row among the first ones that holds the most of the template's headers; a column "STT" or
"Ghi chú" that the template lacks is ignored; the template's example row (marked ``EXAMPLE_MARK``, or holding the
template's own example values) is never imported; a merged cell's value applies to every cell it spans (a commune
written once for the five officials below it).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from app.core.text import fold

MAX_ROWS = 20000
HEADER_SEARCH_ROWS = 30  # title rows an office puts above its table
EXAMPLE_MARK = "DÒNG MẪU"
EXAMPLE_NOTE = f"← {EXAMPLE_MARK}: hệ thống bỏ qua dòng này, hãy ghi từ dòng dưới (có thể xoá dòng này)"
IGNORED_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "ghi chu"})  # folded; kept only when a column


def mark_example_row(ws: Worksheet, row: int, columns: int) -> None:
    """Mark a template's example row: grey italics, and the note beside it that the reader looks for."""
    grey = Font(italic=True, color="6B7280")
    for col in range(1, columns + 1):
        ws.cell(row=row, column=col).font = grey
    ws.cell(row=row, column=columns + 1, value=EXAMPLE_NOTE).font = Font(italic=True, bold=True, color="B91C1C")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Vietnamese, as in the template
    required: bool
    example: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # the Vietnamese header, or "" for the whole row/file
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the file cannot be read at all, or holds no rows
    formulas: list[RowError] = field(default_factory=list)  # cells holding a formula (their value is dropped)
    header_row: int = 1  # as the spreadsheet numbers it
    example_rows: list[int] = field(default_factory=list)  # the template's example row(s), skipped


def _match_header(text: str, columns: Sequence[Column]) -> Column | None:
    folded = fold(text).strip(" *:")
    for col in columns:
        if folded == fold(col.header) or folded == col.key or folded in col.aliases:
            return col
    return None


def _kind(content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                if "xl/workbook.xml" in z.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            return "unknown"
        return "zip"
    if content.startswith((b"\xd0\xcf\x11\xe0",)):
        return "xls"
    if b"\x00" in content[:4096]:
        return "binary"
    return "csv"


def read_table(content: bytes, max_bytes: int, columns: Sequence[Column]) -> Table:
    """Rows as {field key: raw value}, or the reasons the file cannot be read."""
    table = Table()
    if not content:
        table.errors.append(RowError(0, "", "Tệp rỗng."))
        return table
    if len(content) > max_bytes:
        table.errors.append(RowError(0, "", f"Tệp lớn hơn giới hạn {max_bytes // (1024 * 1024)} MB."))
        return table
    kind = _kind(content)
    if kind == "xlsx":
        grid = _xlsx_grid(content, table)
    elif kind == "csv":
        grid = _csv_grid(content, table)
    elif kind == "xls":
        table.errors.append(RowError(0, "", "Tệp Excel cũ (.xls) chưa được hỗ trợ: hãy lưu lại dạng .xlsx hoặc .csv."))
        return table
    else:
        table.errors.append(RowError(0, "", "Tệp không phải bảng tính .xlsx hoặc .csv."))
        return table
    if table.errors or not grid:
        if not grid and not table.errors:
            table.errors.append(RowError(0, "", "Tệp không có dòng tiêu đề."))
        return table
    at = _header_index(grid, columns)
    table.header_row = at + 1
    header, body = grid[at], grid[at + 1:]
    mapping: dict[int, Column] = {}
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        col = _match_header(text, columns)
        if col is None and fold(text).strip(" *:.") in IGNORED_HEADERS:
            continue
        if col is None:
            table.errors.append(RowError(at + 1, text, "Cột không có trong mẫu; hãy dùng tệp mẫu tải về từ hệ thống."))
        elif col in mapping.values():
            table.errors.append(RowError(at + 1, text, "Cột bị lặp lại."))
        else:
            mapping[index] = col
    for col in columns:
        if col.required and col not in mapping.values():
            table.errors.append(RowError(at + 1, col.header, "Thiếu cột bắt buộc."))
    if len(body) > MAX_ROWS:
        table.errors.append(RowError(0, "", f"Tệp có {len(body)} dòng; mỗi lần nhập tối đa {MAX_ROWS} dòng."))
    if table.errors:
        return table
    mapping_header = {c.key: c.header for c in mapping.values()}
    examples = {c.key: fold(c.example) for c in columns if c.example}
    for offset, cells in enumerate(body, start=at + 2):
        values = {mapping[i].key: cells[i] for i in mapping if i < len(cells)}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        if _is_example(cells, values, examples):
            table.example_rows.append(offset)
            continue
        for key, value in list(values.items()):
            if isinstance(value, str) and value.startswith("=") and len(value) > 1:
                table.formulas.append(RowError(offset, mapping_header[key],
                                               "Ô chứa công thức; hãy dán giá trị thay cho công thức."))
                values[key] = None
        table.rows.append((offset, values))
    if not table.rows:
        table.errors.append(RowError(0, "", "Tệp không có dòng dữ liệu nào."))
    return table


def _header_index(grid: list[list[object]], columns: Sequence[Column]) -> int:
    """The row that holds the most of the template's headers among the first rows (the first such row); row 0
    when none holds any, so that a wrong file is answered with its unknown columns as before."""
    best, best_count = 0, 0
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {c.key for c in (_match_header(str(v), columns) for v in row if v is not None and str(v).strip())
                 if c is not None}
        if len(found) > best_count:
            best, best_count = i, len(found)
    return best


def _is_example(cells: list[object], values: dict[str, object], examples: dict[str, str]) -> bool:
    """The template's example row: it carries the mark, or (the mark deleted) its values are the template's own."""
    mark = fold(EXAMPLE_MARK)
    if any(isinstance(v, str) and mark in fold(v) for v in cells):
        return True
    filled = {k: fold(str(v)) for k, v in values.items() if v is not None and str(v).strip()}
    same = [k for k, v in filled.items() if examples.get(k) == v]
    return len(same) >= 2 and len(same) == len(filled)


MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_ranges(content: bytes, sheet_path: str | None) -> list[tuple[int, int, int, int]]:
    """The merged ranges of the sheet, read from its XML (openpyxl's fast read-only mode does not give them)."""
    if not sheet_path:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            xml = z.read(sheet_path.lstrip("/"))
    except (KeyError, zipfile.BadZipFile):
        return []
    out = []
    for ref in MERGE_RE.findall(xml):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        out.append((min_col, min_row, max_col, max_row))
    return out


def _fill_merged(grid: list[list[object]], ranges: list[tuple[int, int, int, int]]) -> None:
    """A merged cell's value applies to every cell it spans (openpyxl gives it to the top-left cell only)."""
    for min_col, min_row, max_col, max_row in ranges:
        if min_row - 1 >= len(grid) or min_col - 1 >= len(grid[min_row - 1]):
            continue
        value = grid[min_row - 1][min_col - 1]
        for r in range(min_row - 1, min(max_row, len(grid))):
            row = grid[r]
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
            for c in range(min_col - 1, max_col):
                if (r, c) != (min_row - 1, min_col - 1):
                    row[c] = value


def _xlsx_grid(content: bytes, table: Table) -> list[list[object]]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file problem, not a 500
        table.errors.append(RowError(0, "", "Không đọc được tệp .xlsx (tệp hỏng hoặc có mật khẩu)."))
        return []
    ws = wb.worksheets[0]
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    sheet_path = getattr(ws, "_worksheet_path", None)
    wb.close()
    _fill_merged(grid, _merged_ranges(content, sheet_path))
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid


def _csv_grid(content: bytes, table: Table) -> list[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        table.errors.append(RowError(0, "", f"Tệp CSV không phải UTF-8 (byte lỗi ở vị trí {err.start}); hãy lưu lại "
                                             "với mã hoá UTF-8."))
        return []
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as err:  # a cell longer than the csv module takes (128 KB), a NUL character, a broken quote
        line = getattr(err, "line_num", 0) or 0
        where = f" (dòng {line})" if line else ""
        table.errors.append(RowError(0, "", f"Tệp CSV không đọc được{where}: có ô quá dài hoặc ký tự không hợp lệ; "
                                            "hãy lưu lại tệp dạng CSV UTF-8 từ Excel."))
        return []


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> object:
    """Neutralise formula injection in exports: text starting with = + - @ (or a tab or line break before one) is
    stored as plain text, with the apostrophe spreadsheet users know. Control characters that an .xlsx cannot hold
    (pasted from other programs into a name) are dropped instead of failing the whole export."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in FORMULA_STARTS:
            return "'" + value
    return value


def to_bytes(wb: Workbook) -> bytes:
    """Save a workbook we produce, after a last pass over every cell: whatever path a value took into a sheet, it
    leaves as text, never as a formula (openpyxl turns any string that starts with "=" into one)."""
    for ws in wb.worksheets:
        # The cells that exist: iter_rows() would create an empty cell at every coordinate of the used range.
        for cell in list(ws._cells.values()):  # noqa: SLF001 - openpyxl has no public iterator over existing cells
            if cell.data_type == "f" or isinstance(cell.value, str):
                cell.value = safe_cell(cell.value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def match_class_member(row: int, raw: Mapping[str, Any], by_citizen_id: Mapping[str, tuple[Any, Any]],
                       headers: Mapping[str, str], errors: list[RowError], not_found: str) -> tuple[Any, Any] | None:
    """The (enrolment, trainee) a row of a class's import names by citizen id, or None with `not_found` as the row's
    error. A full name that differs from the record is an error too, but the row still matches (the id decides)."""
    cid = str(raw.get("citizen_id") or "").replace(" ", "").strip()
    found = by_citizen_id.get(cid)
    if found is None:
        errors.append(RowError(row, headers["citizen_id"], not_found))
        return None
    name, record = str(raw.get("full_name") or "").strip(), found[1].full_name
    if name and fold(name) != fold(record):
        errors.append(RowError(row, headers["full_name"], f"Tên “{name}” khác tên trong hồ sơ “{record}”."))
    return found
