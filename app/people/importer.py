"""The officials' import template, and reading an officials' spreadsheet (see app.core.spreadsheet)."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from app.core import spreadsheet
from app.core.spreadsheet import RowError, Table, safe_cell, to_bytes
from app.people import reference
from app.people.fields import COLUMNS

__all__ = ["RowError", "Table", "read_table", "safe_cell", "template_xlsx"]


def read_table(content: bytes, max_bytes: int) -> Table:
    """Rows of an officials' spreadsheet as {field key: raw value}, or the reasons the file cannot be read."""
    return spreadsheet.read_table(content, max_bytes, COLUMNS)


def _header(key: str) -> str:
    return next(c.header for c in COLUMNS if c.key == key)


def template_xlsx() -> bytes:
    """The import template: Vietnamese headers, one example row, drop-down lists from the controlled lists."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    lists = wb.create_sheet("Danh mục")
    bold = Font(bold=True)
    for i, col in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=col.header + (" *" if col.required else ""))
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="FDE68A" if col.required else "E5E7EB")
        ws.cell(row=2, column=i, value=col.example)
        ws.column_dimensions[get_column_letter(i)].width = max(14, len(col.header) + 4)
    spreadsheet.mark_example_row(ws, 2, len(COLUMNS))
    cid_col = get_column_letter([c.key for c in COLUMNS].index("citizen_id") + 1)
    for row in range(2, 2002):
        ws[f"{cid_col}{row}"].number_format = "@"  # keep the leading zero of a citizen ID
    choices = {"sex": reference.SEXES, "ethnicity": reference.ETHNICITIES, "position": reference.POSITIONS,
               "organisation_type": reference.ORGANISATION_TYPES, "in_charge_of_radio": None}
    for j, (key, options) in enumerate(choices.items(), start=1):
        values = [o.vi for o in options] if options else ["Có", "Không"]
        lists.cell(row=1, column=j, value=_header(key)).font = bold
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=j, value=v)
        letter = get_column_letter(j)
        dv = DataValidation(type="list", formula1=f"='Danh mục'!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=False)
        ws.add_data_validation(dv)
        target = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        dv.add(f"{target}2:{target}2001")
    ws.freeze_panes = "A2"
    return to_bytes(wb)
