"""The printable programme outline: pure data → PDF bytes (A4, Be Vietnam Pro embedded), nothing else."""
from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, document_options, register_fonts
from app.curricula.schemas import CurriculumDetail


def _hours(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13.5)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19, alignment=1,
                                spaceAfter=4),
        "sub": ParagraphStyle("sub", parent=base, alignment=1, textColor=colors.HexColor("#444444")),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=12, leading=16, spaceBefore=10,
                             spaceAfter=4, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=8),
        "note": ParagraphStyle("note", parent=base, fontName=FONT_ITALIC, fontSize=8.5, leading=11,
                               textColor=colors.HexColor("#7c2d12")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "cellb": ParagraphStyle("cellb", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12),
    }


def outline_pdf(c: CurriculumDetail) -> bytes:
    """An A4 outline an organiser can attach to a training plan: title, basis, target groups, modules and hours."""
    s = _styles()
    buf = BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=c.title.vi, author="Năng Lực",
                            subject=f"{c.code} — phiên bản {c.version.number} ({c.version.label})",
                            **document_options())
    p = lambda text, style="base": Paragraph(escape(text), s[style])  # noqa: E731
    story = [p("CHƯƠNG TRÌNH BỒI DƯỠNG", "sub"), p(c.title.vi, "title"),
             p(f"Mã {c.code} · phiên bản {c.version.number} ({c.version.label}) · "
               f"tổng {_hours(c.theory_hours + c.practice_hours)} giờ "
               f"(lý thuyết {_hours(c.theory_hours)}, thực hành {_hours(c.practice_hours)})", "sub"),
             Spacer(1, 4 * mm)]
    if c.provisional_note:
        story.append(p("Nội dung tạm thời: " + c.provisional_note, "note"))
    if c.summary:
        story.append(p(c.summary.vi))
    story.append(p("Căn cứ", "h2"))
    story += [p("– " + basis) for basis in c.legal_basis]
    story.append(p("Đối tượng (theo thứ tự ưu tiên)", "h2"))
    story += [p(f"{g.priority}. {g.name.vi}") for g in c.target_groups]

    story.append(p("Phân bổ thời lượng", "h2"))
    rows = [[p("TT", "cellb"), p("Chuyên đề", "cellb"), p("LT", "cellb"), p("TH", "cellb"), p("Bắt buộc", "cellb")]]
    for i, m in enumerate(c.modules, start=1):
        rows.append([p(str(i), "cell"), p(m.title.vi, "cell"), p(_hours(m.theory_hours), "cell"),
                     p(_hours(m.practice_hours), "cell"), p("Có" if m.required else "Tự chọn", "cell")])
    rows.append([p("", "cell"), p("Tổng cộng", "cellb"), p(_hours(c.theory_hours), "cellb"),
                 p(_hours(c.practice_hours), "cellb"), p("", "cell")])
    table = Table(rows, colWidths=[10 * mm, 105 * mm, 15 * mm, 15 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("FONTNAME", (0, 0), (-1, -1), FONT),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)

    story.append(p("Nội dung chi tiết", "h2"))
    for i, m in enumerate(c.modules, start=1):
        block = [p(f"Chuyên đề {i}. {m.title.vi}" + (" (dùng chung)" if m.shared else ""), "h3")]
        block += [p(f"{t.code}. {t.title.vi}") for t in m.topics]
        if m.outcomes:
            block.append(p("Kết quả cần đạt: " + "; ".join(m.outcomes)))
        if m.provisional and m.note:
            block.append(p("Ghi chú: " + m.note, "note"))
        story.append(KeepTogether(block))

    story.append(p("Điều kiện hoàn thành", "h2"))
    share = round(c.completion.min_attendance_share * 100)
    story.append(p(f"Tham dự tối thiểu {share}% số buổi học"
                   + ("; đạt bài kiểm tra cuối khoá." if c.completion.assessment_required else ".")))

    def footer(canvas, document) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(20 * mm, 10 * mm, f"{c.code} v{c.version.number} — {c.title.vi}"[:110])
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Trang {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
