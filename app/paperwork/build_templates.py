"""Builds the shipped .docx templates (`app/paperwork/docx/<kind>.docx`) with python-docx: Jinja tags (docxtpl) in
an ordinary Word document laid out as Decree 30/2020/NĐ-CP sets (Annex I: A4, margins 20/20/30/15 mm, Times New
Roman, the sizes below). The files are committed; a province edits a copy in Word and uploads it. Regenerate with
`python -m app.paperwork.build_templates` after changing this file.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

OUT = Path(__file__).parent / "docx"
FONT = "Times New Roman"
C, L, R, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY


def _doc(landscape: bool = False) -> Document:
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    if landscape:
        s.orientation = WD_ORIENT.LANDSCAPE
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
    for name in ("Table Grid",):
        doc.styles[name].font.name = FONT
    return doc


def _width(doc: Document) -> int:
    s = doc.sections[0]
    return s.page_width - s.left_margin - s.right_margin


def p(container, text: str = "", *, size: float = 14, bold: bool = False, italic: bool = False,  # noqa: ANN001
      align=None, indent: bool = False, after: float = 0, before: float = 0):  # noqa: ANN001
    para = container.add_paragraph()
    if text.startswith("Điều ") and not bold:  # "Điều 1." in bold, the article's text regular (Decree 30)
        label, _, text = text.partition(". ")
        run = para.add_run(label + ". ")
        run.font.size, run.font.bold = Pt(size), True
    if text:
        run = para.add_run(text)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    para.alignment = align
    para.paragraph_format.space_after, para.paragraph_format.space_before = Pt(after), Pt(before)
    if indent:
        para.paragraph_format.first_line_indent = Cm(1)
    return para


def tag(container, text: str):  # noqa: ANN001, ANN201
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); docxtpl removes it when rendering."""
    return p(container, text, size=2)


def line(container, indent_cm: float):  # noqa: ANN001, ANN201
    """The short rule Decree 30 draws under the body's name, the motto and the subject: a bottom border."""
    para = p(container, size=2)
    para.paragraph_format.left_indent = para.paragraph_format.right_indent = Cm(indent_cm)
    ppr = para._p.get_or_add_pPr()  # noqa: SLF001
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)
    run = para.add_run()
    run.font.size = Pt(2)
    return para


def _plain_table(doc: Document, cols: int, widths: list[float]):  # noqa: ANN202
    t = doc.add_table(rows=1, cols=cols)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for cell, col, w in zip(t.rows[0].cells, t.columns, widths, strict=True):
        cell.width = col.width = Cm(w)
        cell.paragraphs[0].text = ""
    return t


def _cell(cell):  # noqa: ANN001, ANN202
    """A fresh cell: its first (empty) paragraph is used for the first line."""
    return cell


def _first(cell, text: str, **kw):  # noqa: ANN001, ANN202
    para = cell.paragraphs[0]
    run = para.add_run(text)
    run.font.size = Pt(kw.get("size", 14))
    run.font.bold = kw.get("bold", False)
    run.font.italic = kw.get("italic", False)
    para.alignment = kw.get("align", C)
    return para


def heading(doc: Document, *, numbered: bool = True, landscape: bool = False) -> None:
    """Issuing body (parent body above it) top left, national heading and motto top right; the number and the place
    and date line under them."""
    total = _width(doc) / 360000
    left_w = 6.5 if not landscape else 9.0
    t = _plain_table(doc, 2, [left_w, total - left_w])
    left, right = t.rows[0].cells
    _first(left, "{% if body.parent_name %}{{ body.parent_name }}{% endif %}", size=13)
    p(left, "{{ body.name }}", size=13, bold=True, align=C)
    line(left, left_w / 2 - 1.3)
    if numbered:
        p(left, "{{ number_line }}", size=13, align=C, before=6)
    _first(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    p(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, align=C)
    line(right, (total - left_w) / 2 - 3.1)
    p(right, "{{ date_line }}", size=14, italic=True, align=C, before=6)
    p(doc, after=6)


def title(doc: Document, kind: str, subject: str) -> None:
    p(doc, kind, bold=True, align=C, before=6)
    p(doc, subject, bold=True, align=C)
    line(doc, 6.0)
    p(doc, after=6)


def bases(doc: Document, authority: str) -> None:
    p(doc, authority, bold=True, align=C, after=6)
    tag(doc, "{%p for b in bases %}")
    p(doc, "{{ b }}", italic=True, align=J, indent=True, after=3)
    tag(doc, "{%p endfor %}")


def signature(doc: Document, recipients: bool = True) -> None:
    """ "Nơi nhận" bottom left; the signer's authority, title and name bottom right."""
    total = _width(doc) / 360000
    t = _plain_table(doc, 2, [total / 2, total / 2])
    left, right = t.rows[0].cells
    if recipients:
        _first(left, "Nơi nhận:", size=12, bold=True, italic=True, align=L)
        tag(left, "{%p for r in recipients %}")
        p(left, "- {{ r }}", size=11, align=L)
        tag(left, "{%p endfor %}")
    tag(right, "{%p for s in signer.authority_lines %}")
    p(right, "{{ s }}", bold=True, align=C)
    tag(right, "{%p endfor %}")
    for _ in range(4):
        p(right)
    p(right, "{{ signer.name }}", bold=True, align=C)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)  # noqa: SLF001
    if not recipients:
        left.paragraphs[0].text = ""


def list_signatures(doc: Document, roles: list[str]) -> None:
    """The signatures under a list: who made it (and the accountant) and the head of the body."""
    total = _width(doc) / 360000
    t = _plain_table(doc, len(roles) + 1, [total / (len(roles) + 1)] * (len(roles) + 1))
    cells = t.rows[0].cells
    for cell, role in zip(cells, roles, strict=False):
        _first(cell, role, bold=True)
        p(cell, "(Ký, ghi rõ họ tên)", size=13, italic=True, align=C)
    last = cells[-1]
    tag(last, "{%p for s in signer.authority_lines %}")
    p(last, "{{ s }}", bold=True, align=C)
    tag(last, "{%p endfor %}")
    for _ in range(4):
        p(last)
    p(last, "{{ signer.name }}", bold=True, align=C)
    last.paragraphs[0]._p.getparent().remove(last.paragraphs[0]._p)  # noqa: SLF001


def grid(doc: Document, headers: list[tuple[str, float]], cells: list[str], loop: str, *,
         totals: list[str] | None = None, size: float = 12, right_from: int = 99, numbered: bool = True,
         sign: bool = False) -> None:
    """A bordered table: a header row, one row per item (`loop`: "for r in rows"), an optional totals row."""
    t = doc.add_table(rows=3 + (1 if totals else 0), cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for i, (text, w) in enumerate(headers):
        t.columns[i].width = Cm(w)
        for row in t.rows:
            row.cells[i].width = Cm(w)
        _first(t.rows[0].cells[i], text, size=size, bold=True)
    t.rows[1].cells[0].paragraphs[0].add_run("{%tr " + loop + " %}")
    for i, text in enumerate(cells):
        first, *more = text.split("\n")  # more paragraphs in the cell (a loop over topics)
        align = R if i >= right_from else (C if i == 0 and numbered else L)
        _first(t.rows[2].cells[i], first, size=size, align=align)
        for extra in more:
            p(t.rows[2].cells[i], extra, size=2 if extra.startswith("{%p") else size, align=align)
    if sign:  # room for a signature on every line
        t.rows[2].height = Cm(1.0)
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if totals:
        # The totals row must come after the loop's closing row.
        tr = t.rows[3]._tr  # noqa: SLF001
        tr.getparent().remove(tr)
        t._tbl.append(tr)  # noqa: SLF001
        for i, text in enumerate(totals):
            _first(t.rows[-1].cells[i], text, size=size, bold=True, align=R if i >= right_from else L)
    # header repeats on every page
    trpr = t.rows[0]._tr.get_or_add_trPr()  # noqa: SLF001
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def page_break(doc: Document) -> None:
    para = doc.add_paragraph()
    para.add_run().add_break(WD_BREAK.PAGE)


def annex(doc: Document, roman: str, subject: str) -> None:
    page_break(doc)
    p(doc, f"Phụ lục {roman}", bold=True, align=C)
    p(doc, subject, bold=True, align=C)
    p(doc, "(Kèm theo Quyết định {{ number_ref }} ngày {{ date_ref }} của {{ body.name_title }})", italic=True,
      align=C, after=6)


PARTICIPANT_COLS = ([("TT", 1.2), ("Họ và tên", 5.0), ("Ngày sinh", 2.6), ("Chức danh", 4.2),
                     ("Xã/phường", 4.0)],
                    ["{{ r.no }}", "{{ r.full_name }}", "{{ r.birth_date }}", "{{ r.position }}", "{{ r.commune }}"])


def opening_decision() -> Document:
    doc = _doc()
    heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc mở lớp {{ course.title }}")
    bases(doc, "{{ signer.authority_title }}")
    p(doc, "QUYẾT ĐỊNH:", bold=True, align=C, before=6, after=6)
    p(doc, "Điều 1. Mở lớp {{ course.title }} ({{ course.curriculum_title }}) cho {{ counts.participants }} học viên "
      "có tên tại Phụ lục III kèm theo Quyết định này.", align=J, indent=True, after=3)
    p(doc, "Thời gian: {{ course.period }} ({{ course.days }} ngày, {{ course.hours }} tiết). Địa điểm: "
      "{{ course.venue }}. Hình thức: {{ course.form }}.", align=J, indent=True, after=3)
    p(doc, "Chương trình bồi dưỡng tại Phụ lục I; lịch học và giảng viên tại Phụ lục II.", align=J, indent=True,
      after=3)
    p(doc, "Điều 2. Kinh phí tổ chức lớp học là {{ budget.total }} đồng (Bằng chữ: {{ budget.words }}), từ "
      "{{ budget.sources }}, theo dự toán được duyệt.", align=J, indent=True, after=3)
    p(doc, "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. {{ responsible }} và các học viên có tên tại "
      "Phụ lục III chịu trách nhiệm thi hành Quyết định này./.", align=J, indent=True, after=12)
    signature(doc)
    annex(doc, "I", "CHƯƠNG TRÌNH BỒI DƯỠNG")
    grid(doc, [("TT", 1.2), ("Chuyên đề và nội dung", 10.0), ("Lý thuyết (tiết)", 2.4), ("Thực hành (tiết)", 2.4)],
         ["{{ m.no }}", "{{ m.title }}\n{%p for t in m.topics %}\n- {{ t }}\n{%p endfor %}", "{{ m.theory }}",
          "{{ m.practice }}"], "for m in modules",
         totals=["", "Tổng cộng", "{{ course.theory_hours }}", "{{ course.practice_hours }}"], right_from=2)
    annex(doc, "II", "LỊCH HỌC VÀ GIẢNG VIÊN")
    grid(doc, [("Ngày", 2.6), ("Buổi, giờ", 2.8), ("Chuyên đề", 5.6), ("Giảng viên", 3.5), ("Phòng", 2.0)],
         ["{{ s.date }}", "{{ s.time }}", "{{ s.modules }}", "{{ s.lecturer }}", "{{ s.room }}"],
         "for s in sessions", numbered=False)
    annex(doc, "III", "DANH SÁCH HỌC VIÊN")
    grid(doc, *PARTICIPANT_COLS, "for r in participants")
    return doc


def summons() -> Document:
    doc = _doc()
    tag(doc, "{%p for letter in letters %}")
    heading(doc)
    title(doc, "GIẤY TRIỆU TẬP", "Tham dự lớp {{ course.title }}")
    tag(doc, "{%p if letter.commune_letter %}")
    p(doc, "Kính gửi: {{ letter.addressee }}.", align=C, after=6)
    tag(doc, "{%p endif %}")
    p(doc, "{{ body.name_title }} trân trọng triệu tập:", align=J, indent=True, after=3)
    tag(doc, "{%p if letter.people|length == 1 and not letter.commune_letter %}")
    p(doc, "{{ letter.people[0].salutation }} {{ letter.people[0].full_name }}, {{ letter.people[0].position }}, "
      "{{ letter.people[0].commune }}.", bold=True, align=J, indent=True, after=3)
    tag(doc, "{%p else %}")
    p(doc, "Các ông, bà có tên sau đây, thuộc {{ letter.commune }}:", align=J, indent=True, after=3)
    grid(doc, [("TT", 1.2), ("Họ và tên", 5.5), ("Ngày sinh", 2.8), ("Chức danh", 6.5)],
         ["{{ r.no }}", "{{ r.full_name }}", "{{ r.birth_date }}", "{{ r.position }}"], "for r in letter.people")
    tag(doc, "{%p endif %}")
    p(doc, "Tham dự lớp {{ course.title }} ({{ course.curriculum_title }}).", align=J, indent=True, before=3,
      after=3)
    p(doc, "1. Thời gian: {{ course.period }}; khai mạc lúc {{ opening_time }} ngày {{ course.start }}.",
      align=J, indent=True, after=3)
    p(doc, "2. Địa điểm: {{ course.venue }}.", align=J, indent=True, after=3)
    p(doc, "3. Mang theo: {{ bring }}.", align=J, indent=True, after=3)
    p(doc, "4. Liên hệ: {{ contact }}.", align=J, indent=True, after=3)
    p(doc, "Đề nghị {{ letter.request_to }} tham dự đầy đủ, đúng thời gian./.", align=J, indent=True, after=12)
    signature(doc)
    tag(doc, "{%p if not loop.last %}")
    page_break(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    return doc


def class_list() -> Document:
    doc = _doc()
    heading(doc, numbered=False)
    title(doc, "DANH SÁCH HỌC VIÊN", "Lớp {{ course.title }}")
    p(doc, "Thời gian: {{ course.period }}. Địa điểm: {{ course.venue }}.", align=C, italic=True, after=6)
    grid(doc, [("TT", 1.0), ("Họ và tên", 4.2), ("Ngày sinh", 2.6), ("Chức danh", 3.2), ("Xã/phường", 3.0),
               ("Ký tên", 2.5)],
         ["{{ r.no }}", "{{ r.full_name }}", "{{ r.birth_date }}", "{{ r.position }}", "{{ r.commune }}", ""],
         "for r in participants", sign=True)
    p(doc, "Danh sách có {{ counts.participants }} học viên.", italic=True, before=6, after=12)
    list_signatures(doc, ["NGƯỜI LẬP DANH SÁCH"])
    return doc


def completion_list() -> Document:
    doc = _doc()
    heading(doc, numbered=False)
    title(doc, "DANH SÁCH HỌC VIÊN HOÀN THÀNH KHOÁ HỌC", "Lớp {{ course.title }}")
    p(doc, "Thời gian: {{ course.period }}. Điều kiện hoàn thành: {{ completion_rule }}.", align=C, italic=True,
      after=6)
    grid(doc, [("TT", 1.0), ("Họ và tên", 4.2), ("Ngày sinh", 2.6), ("Xã/phường", 3.2), ("Số buổi dự", 1.9),
               ("Kết quả", 3.6)],
         ["{{ r.no }}", "{{ r.full_name }}", "{{ r.birth_date }}", "{{ r.commune }}", "{{ r.attended }}",
          "{{ r.result }}"], "for r in rows")
    p(doc, "Hoàn thành: {{ counts.completed }} học viên; không hoàn thành: {{ counts.not_completed }}.", italic=True,
      before=6, after=12)
    list_signatures(doc, ["NGƯỜI LẬP DANH SÁCH"])
    return doc


def certificate_decision() -> Document:
    doc = _doc()
    heading(doc)
    title(doc, "QUYẾT ĐỊNH", "Về việc cấp giấy chứng nhận hoàn thành lớp {{ course.title }}")
    bases(doc, "{{ signer.authority_title }}")
    p(doc, "QUYẾT ĐỊNH:", bold=True, align=C, before=6, after=6)
    p(doc, "Điều 1. Cấp giấy chứng nhận hoàn thành lớp {{ course.title }} ({{ course.curriculum_title }}), "
      "{{ course.period }}, cho {{ counts.certificates }} học viên có tên tại danh sách kèm theo.", align=J,
      indent=True, after=3)
    p(doc, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. {{ responsible }} và các học viên có tên tại "
      "danh sách kèm theo chịu trách nhiệm thi hành Quyết định này./.", align=J, indent=True, after=12)
    signature(doc)
    annex(doc, "", "DANH SÁCH HỌC VIÊN ĐƯỢC CẤP GIẤY CHỨNG NHẬN")
    grid(doc, [("TT", 1.0), ("Họ và tên", 4.2), ("Ngày sinh", 2.6), ("Xã/phường", 3.2), ("Số giấy chứng nhận", 3.5),
               ("Số vào sổ", 2.0)],
         ["{{ r.no }}", "{{ r.full_name }}", "{{ r.birth_date }}", "{{ r.commune }}", "{{ r.number }}",
          "{{ r.register_entry }}"], "for r in rows")
    return doc


def trainee_payments() -> Document:
    doc = _doc(landscape=True)
    heading(doc, numbered=False, landscape=True)
    title(doc, "DANH SÁCH CHI TRẢ CHO HỌC VIÊN", "Lớp {{ course.title }}")
    p(doc, "Thời gian: {{ course.period }}. Định mức: {{ rates_text }}.", align=C, italic=True, after=6)
    grid(doc, [("TT", 1.1), ("Họ và tên", 4.6), ("Xã/phường", 3.8), ("Số ngày", 1.6), ("Tiền ăn, phụ cấp", 2.9),
               ("Tiền đi lại", 2.7), ("Tiền nghỉ", 2.7), ("Cộng (đồng)", 3.0), ("Ký nhận", 2.8)],
         ["{{ r.no }}", "{{ r.full_name }}", "{{ r.commune }}", "{{ r.days }}", "{{ r.per_diem }}", "{{ r.travel }}",
          "{{ r.accommodation }}", "{{ r.total }}", ""], "for r in rows",
         totals=["", "Tổng cộng", "", "{{ totals.days }}", "{{ totals.per_diem }}", "{{ totals.travel }}",
                 "{{ totals.accommodation }}", "{{ totals.total }}", ""], right_from=3, sign=True)
    p(doc, "Tổng số tiền bằng chữ: {{ total_words }}.", italic=True, before=6, after=12)
    list_signatures(doc, ["NGƯỜI LẬP BIỂU", "KẾ TOÁN"])
    return doc


def lecturer_fees() -> Document:
    doc = _doc(landscape=True)
    heading(doc, numbered=False, landscape=True)
    title(doc, "BẢNG THANH TOÁN THÙ LAO GIẢNG VIÊN", "Lớp {{ course.title }}")
    p(doc, "Thời gian: {{ course.period }}. Định mức: {{ rates_text }}.", align=C, italic=True, after=6)
    grid(doc, [("TT", 1.1), ("Họ và tên", 4.6), ("Chức danh, đơn vị", 5.6), ("Số buổi", 1.8), ("Số giờ", 1.8),
               ("Định mức (đồng)", 2.8), ("Thành tiền (đồng)", 3.2), ("Ký nhận", 3.0)],
         ["{{ r.no }}", "{{ r.full_name }}", "{{ r.organisation }}", "{{ r.sessions }}", "{{ r.hours }}",
          "{{ r.rate }}", "{{ r.amount }}", ""], "for r in rows",
         totals=["", "Tổng cộng", "", "{{ totals.sessions }}", "{{ totals.hours }}", "", "{{ totals.amount }}", ""],
         right_from=3, sign=True)
    p(doc, "Tổng số tiền bằng chữ: {{ total_words }}.", italic=True, before=6, after=12)
    list_signatures(doc, ["NGƯỜI LẬP BIỂU", "KẾ TOÁN"])
    return doc


def result_report() -> Document:
    doc = _doc()
    heading(doc)
    title(doc, "BÁO CÁO", "Kết quả tổ chức lớp {{ course.title }}")
    p(doc, "I. THÔNG TIN CHUNG", bold=True, after=3)
    p(doc, "Chương trình: {{ course.curriculum_title }}. Thời gian: {{ course.period }} ({{ course.days }} ngày, "
      "{{ course.hours }} tiết). Địa điểm: {{ course.venue }}. Hình thức: {{ course.form }}. Số giảng viên: "
      "{{ counts.lecturers }}; số buổi học: {{ counts.sessions }}.", align=J, indent=True, after=6)
    p(doc, "II. KẾT QUẢ", bold=True, after=3)
    grid(doc, [("Chỉ tiêu", 12.0), ("Số lượng", 3.0)], ["{{ f.label }}", "{{ f.value }}"], "for f in figures",
         right_from=1, numbered=False)
    p(doc, "Theo xã/phường:", italic=True, before=6, after=3)
    grid(doc, [("Xã/phường", 7.0), ("Tham gia", 2.6), ("Hoàn thành", 2.6), ("Nữ", 2.0)],
         ["{{ c.commune }}", "{{ c.participants }}", "{{ c.completed }}", "{{ c.women }}"], "for c in communes",
         right_from=1, numbered=False)
    p(doc, "III. KINH PHÍ", bold=True, before=6, after=3)
    p(doc, "Dự toán: {{ budget.total }} đồng; đã chi: {{ budget.actual }} đồng (Bằng chữ: {{ budget.actual_words }}).",
      align=J, indent=True, after=12)
    signature(doc)
    return doc


BUILDERS = {"opening_decision": opening_decision, "summons": summons, "class_list": class_list,
            "completion_list": completion_list, "certificate_decision": certificate_decision,
            "trainee_payments": trainee_payments, "lecturer_fees": lecturer_fees, "result_report": result_report}


def build(kind: str) -> bytes:
    out = BytesIO()
    BUILDERS[kind]().save(out)
    return out.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for kind in BUILDERS:
        (OUT / f"{kind}.docx").write_bytes(build(kind))
        print(OUT / f"{kind}.docx")


if __name__ == "__main__":
    main()
