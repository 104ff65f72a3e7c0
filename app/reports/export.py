"""The report as a workbook a provincial office can sign and submit, and as a CSV for analysts.

The workbook follows the usual layout of an administrative report: the reporting unit and the national heading,
the title, the period and the unit, numbered sections of tables with totals, and the signature block (the person
who drew it up, the head of the unit with the seal). Figures are numbers (not text) with a thousands format, so
that LibreOffice and Excel show them in the reader's own convention and can add them up; no cell holds a formula,
and every text cell goes through ``safe_cell`` so that a name starting with "=" stays text.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.spreadsheet import safe_cell
from app.courses.models import Course
from app.courses.rules import STATUS_LABELS
from app.curricula.models import CurriculumVersion
from app.i18n import DEFAULT_TZ
from app.media.rules import KINDS, TOPICS
from app.places.models import AdminUnit
from app.reports import rules
from app.reports.present import CATEGORY_LABELS, MINORITY_LABELS, SEX_LABELS, budget_label
from app.reports.service import Report, courses_base

TITLE = "BÁO CÁO KẾT QUẢ BỒI DƯỠNG, TẬP HUẤN NÂNG CAO NĂNG LỰC CÁN BỘ THÔNG TIN VÀ TRUYỀN THÔNG CƠ SỞ"
SUBTITLE = ("Tiểu dự án 1 “Giảm nghèo về thông tin”, Dự án 6 — Chương trình mục tiêu quốc gia giảm nghèo bền vững")
NUMBER = "#,##0"
PERCENT = "0.0%"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name="Times New Roman", bold=True, size=12)
NORMAL = Font(name="Times New Roman", size=12)
ITALIC = Font(name="Times New Roman", italic=True, size=12)
WIDTHS = (6, 46, 14, 14, 14, 14, 14)
SUPPRESSED = "*"


class Sheet:
    """Writes rows down a worksheet, keeping the current row."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1

    def line(self, text: str, *, font: Font = NORMAL, align: str = "left", span: tuple[int, int] = (1, 7),
             height: float | None = None) -> None:
        first, last = span
        cell = self.ws.cell(self.row, first, safe_cell(text))
        cell.font = font
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if last > first:
            self.ws.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.row += 1

    def fit(self, values: Sequence[object]) -> None:
        """Give the current row the height its longest wrapped text needs: LibreOffice keeps the stored height of
        a row when it opens a file, so text that wraps would otherwise spill over the next row."""
        lines = 1
        for col, value in enumerate(values, start=1):
            if isinstance(value, str) and value:
                width = WIDTHS[col - 1] if col - 1 < len(WIDTHS) else 14
                lines = max(lines, -(-len(value) * 11 // (width * 10)))  # ~1.1 characters of 12 pt per unit
        if lines > 1:
            self.ws.row_dimensions[self.row].height = 16 * lines

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]], *, total: Sequence[object] | None = None,
              formats: Sequence[str | None] = ()) -> None:
        for col, text in enumerate(headers, start=1):
            cell = self.ws.cell(self.row, col, safe_cell(text))
            cell.font, cell.border = BOLD, BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.fit(headers)
        self.row += 1
        for values in [*rows, *([total] if total is not None else [])]:
            self.fit(values)
            is_total = total is not None and values is total
            for col, value in enumerate(values, start=1):
                cell = self.ws.cell(self.row, col, safe_cell(value) if isinstance(value, str) else value)
                cell.border = BOX
                cell.font = BOLD if is_total else NORMAL
                fmt = formats[col - 1] if col - 1 < len(formats) else None
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cell.number_format = fmt or NUMBER
                    cell.alignment = Alignment(horizontal="right", vertical="center")
                else:
                    cell.alignment = Alignment(horizontal="center" if col == 1 or value == SUPPRESSED else "left",
                                               vertical="center", wrap_text=True)
            self.row += 1
        self.row += 1


def _n(value: int | None) -> int | str:
    return SUPPRESSED if value is None else value


def _pct(value) -> float | str:  # noqa: ANN001
    return "—" if value is None else float(value) / 100


def _people_row(i: int | str, label: str, f: dict, held: int | None = None) -> list[object]:
    row: list[object] = [i, label]
    if held is not None:
        row.append(held)
    row += [_n(f.get("attendances")), _n(f.get("officials")), _n(f.get("completions")), _n(f.get("certificates"))]
    return row


PEOPLE_HEADERS = ["Lượt học viên tham dự", "Số cán bộ được bồi dưỡng", "Lượt hoàn thành", "Giấy chứng nhận"]


def report_xlsx(db: Session, r: Report, *, generated_at: datetime, learning: Callable[[Workbook], None] | None = None
                ) -> bytes:
    """The report workbook: sheet "Báo cáo" to sign and submit, sheet "Khoá học" listing the courses held, and the
    tests' and evaluations' sheet when `learning` writes it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    s = Sheet(ws)
    period = r.filters.period
    # Heading: the reporting unit on the left, the national heading on the right.
    ws.cell(1, 1, safe_cell(r.scope.name.upper())).font = BOLD
    ws.merge_cells("A1:C1")
    ws.cell(1, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = BOLD
    ws.merge_cells("D1:G1")
    ws.cell(2, 1, "Số: ……/BC-……").font = NORMAL
    ws.merge_cells("A2:C2")
    ws.cell(2, 4, "Độc lập - Tự do - Hạnh phúc").font = BOLD
    ws.merge_cells("D2:G2")
    for cell in ("A1", "D1", "A2", "D2"):
        ws[cell].alignment = Alignment(horizontal="center")
    s.row = 4
    s.line(TITLE, font=Font(name="Times New Roman", bold=True, size=14), align="center", height=36)
    s.line(SUBTITLE, font=ITALIC, align="center")
    s.line(f"Kỳ báo cáo: {period.vi} ({period.dates_vi()})", align="center")
    filters = [f"Đơn vị: {r.scope.name}"]
    if r.filters.curriculum:
        filters.append(f"Chương trình: {r.filters.curriculum}")
    if r.filters.target_group:
        names = {g: n for g, n, _ in r.by_group}
        filters.append(f"Đối tượng: {names.get(r.filters.target_group, r.filters.target_group)}")
    if r.filters.programme:
        filters.append(f"Chương trình MTQG: {r.filters.programme}")
    s.line("; ".join(filters), align="center")
    s.row += 1

    t = r.totals
    s.line("I. CÁC CHỈ TIÊU CHÍNH", font=BOLD)
    s.table(["STT", "Chỉ tiêu", "Đơn vị tính", "Số lượng"], [
        [1, "Số khoá bồi dưỡng, tập huấn đã tổ chức", "Khoá", r.courses_held],
        [2, "Số lượt học viên tham dự", "Lượt người", t["attendances"]],
        [3, "Số cán bộ được bồi dưỡng (mỗi người tính một lần)", "Người", t["officials"]],
        [4, "Số lượt học viên hoàn thành khoá học", "Lượt người", t["completions"]],
        [5, "Số giấy chứng nhận đã cấp (còn hiệu lực)", "Giấy", t["certificates"]],
        [6, "Số xã, phường, đặc khu có công chức văn hóa - xã hội được bồi dưỡng", "Xã",
         t["cvh_communes"]],
        [7, f"Tỷ lệ xã có công chức văn hóa - xã hội được bồi dưỡng (trên {r.communes:,} xã)".replace(",", "."),
         "%", _pct(r.cvh_share)],
        [8, "Số sản phẩm truyền thông đã sản xuất", "Sản phẩm", r.media.products],
        [9, "Số lần phát lại, tiếp sóng", "Lần", r.media.rebroadcasts],
    ], formats=[None, None, None, None])
    ws.cell(s.row - 4, 4).number_format = PERCENT  # row 7, the share

    s.line("II. THEO CHƯƠNG TRÌNH BỒI DƯỠNG (Quyết định 1288/QĐ-BTTTT)", font=BOLD)
    s.table(["STT", "Chương trình", "Khoá học đã tổ chức", *PEOPLE_HEADERS],
            [_people_row(i, f"{c} — {title}", f, held) for i, (c, title, f, held) in enumerate(r.by_curriculum, 1)],
            total=_people_row("", "Tổng cộng", t, r.courses_held))

    s.line("III. THEO ĐỐI TƯỢNG BỒI DƯỠNG", font=BOLD)
    s.table(["STT", "Đối tượng", *PEOPLE_HEADERS],
            [_people_row(i, name, f) for i, (_, name, f) in enumerate(r.by_group, 1)],
            total=_people_row("", "Tổng cộng", t))

    s.line("IV. THEO KỲ (6 THÁNG)", font=BOLD)
    s.table(["STT", "Kỳ", "Khoá học đã tổ chức", *PEOPLE_HEADERS],
            [_people_row(i, rules.half_label(h), f, held) for i, (h, f, held) in enumerate(r.by_half, 1)],
            total=_people_row("", "Tổng cộng", t, r.courses_held))

    place_title = {"province": "tỉnh, thành phố", "commune": "xã, phường, đặc khu", "course": "khoá học"}[r.scope.child]
    s.line(f"V. THEO ĐỊA BÀN ({place_title.upper()})", font=BOLD)
    if r.scope.child == "course":
        s.table(["STT", "Khoá học có cán bộ của đơn vị tham dự", *PEOPLE_HEADERS],
                [_people_row(i, p.name, p.figures) for i, p in enumerate(r.places, 1)],
                total=_people_row("", "Tổng cộng", t))
    else:
        s.table(["STT", place_title.capitalize(), "Khoá học đã tổ chức", *PEOPLE_HEADERS],
                [_people_row(i, p.name, p.figures, p.courses_held) for i, p in enumerate(r.places, 1)],
                total=_people_row("", "Tổng cộng", t, r.courses_held))

    s.line("VI. PHÂN TỔ SỐ CÁN BỘ ĐƯỢC BỒI DƯỠNG", font=BOLD)
    rows: list[list[object]] = []
    rows += [_people_row(f"1.{i}", f"Giới tính: {SEX_LABELS[sx][0]}", f) for i, (sx, f) in enumerate(r.by_sex, 1)]
    rows += [_people_row(f"2.{i}", f"Dân tộc: {MINORITY_LABELS[g][0]}", f)
             for i, (g, f) in enumerate(r.by_minority.values.items(), 1)]
    rows += [_people_row(f"3.{i}", f"Địa bàn: {CATEGORY_LABELS[c][0]}", f) for i, (c, f) in enumerate(r.by_category, 1)]
    rows += [_people_row(f"4.{i}", f"Chương trình MTQG: {p.name_vi}", f)
             for i, (p, f, _) in enumerate(r.by_programme, 1)]
    s.table(["STT", "Nhóm", *PEOPLE_HEADERS], rows)
    if r.by_minority.hidden:
        s.line(f"(*) {r.by_minority.reason_vi}", font=ITALIC)
    s.line("Một người có thể thuộc nhiều địa bàn ưu tiên; số cán bộ ở dòng tổng cộng là số người khác nhau.",
           font=ITALIC)

    s.line("VII. KINH PHÍ (đồng)", font=BOLD)
    for title, budget, media in (("Khoá bồi dưỡng, tập huấn", r.budget, False),
                                 ("Sản phẩm truyền thông", r.media.budget, True)):
        total = budget["total"][0]
        s.line(title, font=ITALIC)
        s.table(["STT", "Khoản chi / nguồn kinh phí", "Dự kiến", "Thực chi", "Tỷ lệ thực hiện"],
                [[i, budget_label("category", b.key, media), int(b.planned), int(b.spent), _pct(b.rate)]
                 for i, b in enumerate(budget["category"], 1)]
                + [[f"N{i}", f"Nguồn: {budget_label('source', b.key)}", int(b.planned), int(b.spent), _pct(b.rate)]
                   for i, b in enumerate(budget["source"], 1)],
                total=["", "Tổng cộng", int(total.planned), int(total.spent), _pct(total.rate)],
                formats=[None, None, NUMBER, NUMBER, PERCENT])

    s.line("VIII. SẢN PHẨM TRUYỀN THÔNG", font=BOLD)
    s.table(["STT", "Loại sản phẩm / chủ đề", "Số sản phẩm"],
            [[i, KINDS[k][0] if k in KINDS else k, n] for i, (k, n) in enumerate(sorted(r.media.by_kind.items()), 1)]
            + [[f"C{i}", f"Chủ đề: {TOPICS[k][0] if k in TOPICS else k}", n]
               for i, (k, n) in enumerate(sorted(r.media.by_topic.items()), 1)],
            total=["", "Tổng cộng", r.media.products])

    local = generated_at.astimezone(ZoneInfo(DEFAULT_TZ))
    s.line(f"Số liệu trích từ hệ thống Năng Lực lúc {local:%H:%M} ngày {local:%d/%m/%Y}. Dữ liệu dân tộc chỉ được "
           "tổng hợp; nhóm dưới 5 người được ẩn (*).", font=ITALIC)
    s.row += 1
    sign = s.row
    ws.cell(sign, 4, "……, ngày …… tháng …… năm ……").font = ITALIC
    ws.merge_cells(start_row=sign, start_column=4, end_row=sign, end_column=7)
    for col, lines in ((1, ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)")),
                       (4, ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"))):
        last = 3 if col == 1 else 7
        for offset, (text, font) in enumerate(zip(lines, (BOLD, ITALIC), strict=True), start=1):
            ws.cell(sign + offset, col, text).font = font
            ws.merge_cells(start_row=sign + offset, start_column=col, end_row=sign + offset, end_column=last)
    for row in range(sign, sign + 3):
        for col in (1, 4):
            ws.cell(row, col).alignment = Alignment(horizontal="center")
    ws.print_area = f"A1:G{sign + 7}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.oddFooter.center.text = "Trang &P / &N"

    _courses_sheet(db, wb, r)
    if learning is not None:
        learning(wb)
    wb.properties.title = TITLE
    wb.properties.creator = "Năng Lực"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _courses_sheet(db: Session, wb: Workbook, r: Report) -> None:
    ws = wb.create_sheet("Khoá học")
    headers = ["STT", "Mã khoá học", "Tên khoá học", "Chương trình", "Đơn vị tổ chức", "Ngày bắt đầu", "Ngày kết thúc",
               "Trạng thái"]
    for col, (text, width) in enumerate(zip(headers, (6, 20, 50, 10, 40, 13, 13, 14), strict=True), start=1):
        cell = ws.cell(1, col, text)
        cell.font, cell.border = BOLD, BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    courses = courses_base(r.scope, r.filters)
    stmt = (select(Course.code, Course.title, CurriculumVersion.curriculum_code, AdminUnit.name, Course.start_date,
                   Course.end_date, Course.status)
            .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
            .join(AdminUnit, AdminUnit.id == Course.unit_id)
            .where(Course.id.in_(select(courses.c.course_id))).order_by(Course.start_date, Course.code))
    for i, (code, title, curriculum, unit, start, end, status) in enumerate(db.execute(stmt), start=1):
        ws.append([i, safe_cell(code), safe_cell(title), curriculum, safe_cell(unit), start, end,
                   STATUS_LABELS.get(status, (status,))[0]])
        ws.cell(i + 1, 6).number_format = ws.cell(i + 1, 7).number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"


def report_csv(r: Report) -> bytes:
    """One tidy table for analysts: a row per breakdown and group, the same measures in every row (UTF-8 with BOM
    so that Excel opens the Vietnamese letters right; comma-separated)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["scope", "period", "dimension", "key", "label", "courses_held", "trainee_attendances",
                "officials_trained", "completions", "certificates", "note"])
    scope, period = r.scope.key or "VN", r.filters.period.key or "all"

    def row(dim: str, key: object, label: str, f: dict, held: int | str = "", note: str = "") -> None:
        w.writerow([scope, period, dim, key, safe_cell(label), held,
                    *("" if f.get(m) is None else f[m] for m in ("attendances", "officials", "completions",
                                                                  "certificates")), note])

    row("total", "", r.scope.name, r.totals, r.courses_held)
    for c, title, f, held in r.by_curriculum:
        row("curriculum", c, title, f, held)
    for g, name, f in r.by_group:
        row("target_group", g or "", name, f)
    for h, f, held in r.by_half:
        row("half_year", rules.half_label(h, en=True), rules.half_label(h), f, held)
    for sx, f in r.by_sex:
        row("sex", sx, SEX_LABELS[sx][0], f)
    for g, f in r.by_minority.values.items():
        row("ethnicity", g, MINORITY_LABELS[g][0], f, note="suppressed" if r.by_minority.hidden else "")
    for c, f in r.by_category:
        row("commune_category", c, CATEGORY_LABELS[c][0], f)
    for p, f, held in r.by_programme:
        row("programme", p.code, p.name_vi, f, held)
    for p in r.places:
        row(r.scope.child, p.key, p.name, p.figures, p.courses_held if r.scope.child != "course" else "")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
