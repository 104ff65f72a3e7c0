"""Real small files, made in the test run: a PDF from reportlab, Office files as the programs write them, MP3 frames."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from PIL import Image
from reportlab.pdfgen import canvas

from app.core.pdf import FONT, register_fonts


def pdf(text: str = "Kỹ năng sản xuất chương trình phát thanh cơ sở") -> bytes:
    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)  # the same bytes every time
    c.setFont(FONT, 14)
    c.drawString(72, 760, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["Họ và tên", "Xã"])
    wb.active.append(["Nguyễn Thị Hồng Nhung", "Tân Dĩnh"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ooxml(main_type: str, part: str, body: str, extra: dict[str, str] | None = None) -> bytes:
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{part}"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr(part, body)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def docx(text: str = "Bản tin thông tin cơ sở") -> bytes:
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            f'<w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    return _ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                  "word/document.xml", body)


def docm() -> bytes:
    return _ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml", "<w:document/>",
                  {"word/vbaProject.bin": "Attribute VB_Name = \"x\""})


def pptx() -> bytes:
    return _ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                  "ppt/presentation.xml", "<p:presentation/>")


def odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # first, not compressed
        z.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", "<manifest:manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bai-giang.exe", b"MZ" + b"\0" * 100)
    return buf.getvalue()


MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0x64])  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames


def mp3(frames: int = 4, id3: bool = True) -> bytes:
    frame = MP3_HEADER + b"\0" * (417 - 4)
    tag = b""
    if id3:
        payload = b"TIT2" + (14).to_bytes(4, "big") + b"\0\0" + b"\3Ban tin xa\0\0"  # a title frame
        tag = b"ID3\4\0\0" + bytes([0, 0, (len(payload) >> 7) & 0x7F, len(payload) & 0x7F]) + payload
    return tag + frame * frames


def _box(kind: bytes, payload: bytes) -> bytes:
    return (len(payload) + 8).to_bytes(4, "big") + kind + payload


def iso_media(brand: bytes, size: int = 4096) -> bytes:
    ftyp = _box(b"ftyp", brand + b"\0\0\0\0" + brand + b"isom")
    mdat = _box(b"mdat", bytes(range(256)) * (size // 256))
    return ftyp + mdat


def m4a() -> bytes:
    return iso_media(b"M4A ")


def mp4(size: int = 4096) -> bytes:
    return iso_media(b"isom", size)


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(buf, "JPEG")
    return buf.getvalue()


def elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\0" + b"\0" * 56 + b"%PDF-1.7\n" + b"\0" * 200


def exe_with_pdf_header() -> bytes:
    """A Windows program that also carries a PDF header a few bytes in (a polyglot)."""
    return b"MZ\x90\0\x03\0\0\0" + b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"\0" * 500 + b"This program cannot be run in DOS"


def html() -> bytes:
    return b"<!DOCTYPE html><html><script>alert(1)</script></html>"
