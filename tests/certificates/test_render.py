"""The printed certificate, read back as a reader (pypdf) and a scanner (zbarimg) would: no database needed."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
import segno
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth

from app.certificates.render import (
    PAGE_HEIGHT,
    PAGE_WIDTH,
    CertificateData,
    QrMatrix,
    qr_matrix,
    render_many,
    render_one,
    vietnamese_date,
    wrap_two,
)
from app.core.pdf import FONT_BOLD

URL = "https://nangluc.bacninh.gov.vn/verify/K7Q2M9X4T8W3R5ZP"
COURSE = "Kỹ năng giải quyết xung đột và xử lý khủng hoảng truyền thông ở cơ sở"
LONG_COURSE = ("Bồi dưỡng kỹ năng sản xuất chương trình phát thanh cho đài truyền thanh cấp xã, thiết kế bản tin "
               "thông tin cơ sở và tổ chức tuyên truyền cổ động trực quan trên địa bàn các xã đặc biệt khó khăn")
LONG_NAME = "Tôn Nữ Hoàng Thị Ngọc Phương Quỳnh Như Nguyệt Ánh Dương Thùy Trang Bảo Khánh Linh Đan Huyền Trân"
FRAME = 36  # the innermost rule of the border, in points from the paper's edge


def png(colour: tuple[int, int, int, int], size: int = 120) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, size - 4, size - 4), outline=colour, width=8)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def certificate(**changes) -> CertificateData:
    url = changes.pop("verify_url", URL)
    data = CertificateData(
        issuer_parent="UBND TỈNH BẮC NINH", issuer_name="SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH BẮC NINH",
        full_name="Nguyễn Thị Hồng Nhung", birth_date=date(1987, 3, 12), unit="Công chức Văn hóa - Xã hội",
        commune="xã Tân Dĩnh, tỉnh Bắc Ninh", course_title=COURSE,
        curriculum_title="Chương trình 2: Nâng cao năng lực cán bộ làm công tác thông tin cơ sở",
        start_date=date(2026, 12, 14), end_date=date(2026, 12, 18), venue="Trung tâm Chính trị huyện Lạng Giang",
        hours=40, number="123/2026/GCN", register_entry="Số vào sổ: 45", issue_place="Bắc Ninh",
        issue_date=date(2026, 12, 18), signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", signer_name="Trần Văn Minh",
        verify_url=url, qr=qr_matrix(url))
    return replace(data, **changes)


def text_of(pdf: bytes, page: int = 0) -> str:
    """The page's text as a reader copies it: NFC, whitespace (line breaks included) collapsed to one space."""
    text = PdfReader(BytesIO(pdf)).pages[page].extract_text()
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def fonts_of(reader: PdfReader) -> dict[str, set]:
    """Every font the pages and their forms use: base font name → the embedded font file objects."""
    found: dict[str, set] = {}

    def walk(resources) -> None:  # noqa: ANN001
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor.get_object().get("/FontFile2") if descriptor else None
            found.setdefault(str(font["/BaseFont"]), set()).add(
                embedded.indirect_reference.idnum if embedded is not None else None)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found


def text_runs(pdf: bytes, page: int = 0) -> list[tuple[str, float, float, float]]:
    """(text, left x, right x, baseline y) of every text run on the page, measured with the embedded font's
    metrics at the size and position the page's own operators give."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size) -> None:  # noqa: ANN001
        if not text.strip() or font_dict is None:
            return
        base = str(font_dict["/BaseFont"]).split("+", 1)[-1]
        name = {"BeVietnamPro-Regular": "BeVietnamPro"}.get(base, base)
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        size = font_size * tm[0] * cm[0]
        runs.append((text, x, x + stringWidth(text, name, size), y))

    PdfReader(BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return runs


def pdf_tools() -> None:
    missing = [tool for tool in ("pdftoppm", "zbarimg") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("REQUIRE_PDF_TOOLS") == "1":
            pytest.fail(f"REQUIRE_PDF_TOOLS=1 but {', '.join(missing)} missing "
                        "(apt-get install -y poppler-utils zbar-tools)")
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install -y poppler-utils zbar-tools)")


def scan(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """What a phone would read: the page rasterised at 150 dpi, every QR code on it decoded."""
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True, capture_output=True)
    result = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True,
                            check=False)
    return result.stdout.splitlines()


# ------------------------------------------------------------------------------------------------------- the text
def test_the_certificate_reads_back_with_the_exact_vietnamese_name_course_and_every_field():
    text = text_of(render_one(certificate()))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH BẮC NINH",
                     "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH BẮC NINH", "GIẤY CHỨNG NHẬN", "Hoàn thành khóa bồi dưỡng",
                     "Nguyễn Thị Hồng Nhung", "12/03/1987", "Công chức Văn hóa - Xã hội, xã Tân Dĩnh, tỉnh Bắc Ninh",
                     COURSE, "Chương trình 2: Nâng cao năng lực cán bộ làm công tác thông tin cơ sở",
                     "từ ngày 14/12/2026 đến ngày 18/12/2026", "40 giờ", "Trung tâm Chính trị huyện Lạng Giang",
                     "Hoàn thành", "123/2026/GCN", "Số vào sổ: 45", "Bắc Ninh, ngày 18 tháng 12 năm 2026",
                     "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Văn Minh", f"Quét để kiểm tra: {URL}"):
        assert expected in text, expected


def test_decomposed_input_is_printed_composed():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert nfd != "Nguyễn Thị Hồng Nhung"
    assert "Nguyễn Thị Hồng Nhung" in text_of(render_one(certificate(full_name=nfd)))


def test_optional_lines_are_left_out_when_there_is_nothing_to_print():
    pdf = render_one(certificate(birth_date=None, unit="", issuer_parent="", curriculum_title="", venue="",
                                 register_entry="", start_date=date(2026, 1, 5), end_date=date(2026, 1, 5), hours=7.5,
                                 issue_date=date(2026, 2, 3)))
    text = text_of(pdf)
    assert "Ngày sinh" not in text and "UBND" not in text and "Thuộc chương trình" not in text
    assert "Địa điểm" not in text and "Số vào sổ" not in text
    assert "Đơn vị công tác: xã Tân Dĩnh, tỉnh Bắc Ninh" in text
    assert "Thời gian: ngày 05/01/2026" in text and "7,5 giờ" in text
    assert "Bắc Ninh, ngày 03 tháng 02 năm 2026" in text


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
    (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
    (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
    (date(2026, 12, 18), "ngày 18 tháng 12 năm 2026"),
])
def test_the_date_of_issue_is_written_as_administrative_documents_write_it(day, expected):
    assert vietnamese_date(day) == expected


# ------------------------------------------------------------------------------------------------------ the fonts
def test_only_be_vietnam_pro_is_used_and_it_is_embedded():
    fonts = fonts_of(PdfReader(BytesIO(render_one(certificate()))))
    names = {name.split("+", 1)[-1] for name in fonts}
    assert names == {"BeVietnamPro-Regular", "BeVietnamPro-Bold", "BeVietnamPro-Italic"}
    assert all("+" in name for name in fonts), "subsets, not whole fonts"
    assert all(None not in files for files in fonts.values()), "every font embedded"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) not installed")
def test_pdffonts_lists_only_embedded_be_vietnam_pro_subsets(tmp_path):
    out = BytesIO()
    render_many([certificate(), certificate(full_name=LONG_NAME, seal_png=png((200, 30, 30, 220)))], out)
    (tmp_path / "c.pdf").write_bytes(out.getvalue())
    rows = subprocess.run(["pdffonts", str(tmp_path / "c.pdf")], capture_output=True, text=True,
                          check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert re.fullmatch(r"[A-Z]{6}\+BeVietnamPro-(Regular|Bold|Italic)", name), row
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


# ------------------------------------------------------------------------------------------------ many per document
def test_render_many_writes_one_page_per_certificate_in_order_and_embeds_fonts_and_images_once():
    seal, logo = png((200, 30, 30, 220)), png((30, 30, 200, 255), 60)
    people = [f"Học Viên Thứ {i}" for i in range(1, 31)]
    out = BytesIO()
    pages = render_many((certificate(full_name=name, number=f"{i}/2026/GCN", seal_png=seal, logo_png=logo)
                         for i, name in enumerate(people, start=1)), out)
    assert pages == 30
    reader = PdfReader(BytesIO(out.getvalue()))
    assert len(reader.pages) == 30
    for i in (0, 14, 29):
        text = text_of(out.getvalue(), i)
        assert people[i] in text and f"{i + 1}/2026/GCN" in text
    fonts = fonts_of(reader)
    assert len(fonts) == 3 and all(len(files) == 1 for files in fonts.values()), fonts
    images = {ref.idnum for page in reader.pages for ref in page["/Resources"]["/XObject"].values()
              if ref.get_object()["/Subtype"] == "/Image"}
    assert len(images) == 2, "the seal and the logo, each stored once"


def test_render_many_refuses_an_empty_list_rather_than_write_a_pdf_without_pages():
    with pytest.raises(ValueError, match="no certificate"):
        render_many([], BytesIO())


def test_the_same_certificate_renders_to_the_same_bytes():
    assert render_one(certificate()) == render_one(certificate())


# ------------------------------------------------------------------------------------------------------- the fitting
def test_a_very_long_name_and_course_stay_inside_the_frame_and_are_printed_whole():
    pdf = render_one(certificate(full_name=LONG_NAME, course_title=LONG_COURSE,
                                 unit="Phó Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam kiêm Chủ tịch Hội Liên hiệp "
                                      "Phụ nữ xã", signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH THƯỜNG TRỰC"))
    text = text_of(pdf)
    assert LONG_NAME in text and LONG_COURSE in text
    runs = text_runs(pdf)
    assert any(LONG_NAME in run[0] for run in runs)
    for run_text, left, right, y in runs:
        assert FRAME < left < right < PAGE_WIDTH - FRAME, (run_text, left, right)
        assert FRAME < y < PAGE_HEIGHT - FRAME, (run_text, y)


def test_a_long_course_title_is_wrapped_on_two_even_lines_that_fit():
    lines, size = wrap_two(LONG_COURSE, FONT_BOLD, 16, 600)
    assert len(lines) == 2 and " ".join(lines) == LONG_COURSE
    widths = [stringWidth(line, FONT_BOLD, size) for line in lines]
    assert max(widths) <= 600 and min(widths) > 0.8 * max(widths)
    assert wrap_two(COURSE, FONT_BOLD, 16, 600) == ((COURSE,), 16)


# -------------------------------------------------------------------------------------------------------- the QR code
def test_the_qr_matrix_round_trips_through_the_bytes_stored_at_issue_time():
    matrix = qr_matrix(URL)
    stored = matrix.to_bytes()
    assert len(stored) == 2 + matrix.size * ((matrix.size + 7) // 8)
    assert QrMatrix.from_bytes(stored) == matrix
    assert QrMatrix.from_bytes(memoryview(stored)) == matrix  # as some database drivers return it
    reference = segno.make_qr(URL, error="m", boost_error=False)
    assert matrix.version == reference.version
    assert [[matrix.is_dark(r, c) for c in range(matrix.size)] for r in range(matrix.size)] == \
           [[bool(module) for module in row] for row in reference.matrix]


def test_a_damaged_stored_matrix_is_refused():
    stored = qr_matrix(URL).to_bytes()
    with pytest.raises(ValueError, match="format"):
        QrMatrix.from_bytes(b"\x07" + stored[1:])
    with pytest.raises(ValueError, match="needs"):
        QrMatrix.from_bytes(stored[:-1])
    with pytest.raises(ValueError, match="size"):
        QrMatrix.from_bytes(bytes((1, 22)) + bytes(22 * 3))


def test_the_merged_rectangles_cover_exactly_the_dark_modules():
    matrix = qr_matrix(URL)
    covered = set()
    for x, y, w, h in matrix.rectangles():
        cells = {(row, col) for row in range(y, y + h) for col in range(x, x + w)}
        assert not cells & covered
        covered |= cells
    assert covered == {(r, c) for r in range(matrix.size) for c in range(matrix.size) if matrix.is_dark(r, c)}
    assert len(matrix.rectangles()) < len(covered) / 2


@pytest.mark.parametrize("drawing", ["image", "path"])
def test_the_qr_code_on_the_printed_page_scans_to_the_verify_url(tmp_path, drawing):
    pdf_tools()
    assert scan(render_one(certificate(seal_png=png((200, 30, 30, 220))), qr_drawing=drawing), tmp_path) == [URL]


def test_each_page_of_a_course_file_carries_its_own_code(tmp_path):
    pdf_tools()
    urls = [f"https://nangluc.bacninh.gov.vn/verify/CODE{i:012d}" for i in range(3)]
    out = BytesIO()
    render_many((certificate(verify_url=url, qr=qr_matrix(url)) for url in urls), out)
    assert [scan(out.getvalue(), tmp_path, page) for page in (1, 2, 3)] == [[url] for url in urls]


def test_without_a_stored_matrix_the_code_is_encoded_from_the_url(tmp_path):
    pdf_tools()
    assert scan(render_one(certificate(qr=None)), tmp_path) == [URL]


def test_names_using_more_characters_than_one_font_subset_holds_still_read_back(tmp_path):
    """reportlab puts at most 256 glyphs in a font subset; a course's names together can use more."""
    letters = sorted({unicodedata.normalize("NFC", base + mark) for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
                      for mark in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")} | set("đĐ"))
    letters += [chr(c) for c in range(0x41, 0x5b)] + [chr(c) for c in range(0x61, 0x7b)]
    # Latin Extended-A letters the font has (names of foreign lecturers, transliterations): past 256 in all.
    letters += [chr(c) for c in range(0x100, 0x180) if c in getFont(FONT_BOLD).face.charToGlyph]
    names = [f"Nguyễn {''.join(letters[i:i + 12])}" for i in range(0, len(letters), 12)]
    names += [f"{name} {name[::-1]}" for name in names]
    out = BytesIO()
    render_many((certificate(full_name=name) for name in names), out)
    reader = PdfReader(BytesIO(out.getvalue()))
    bold_subsets = [name for name in fonts_of(reader) if name.endswith("BeVietnamPro-Bold")]
    assert len(set("".join(names))) > 256 and len(bold_subsets) >= 2, bold_subsets
    for i, name in enumerate(names):
        assert name in text_of(out.getvalue(), i)
