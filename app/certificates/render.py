"""The printed certificate (giấy chứng nhận): pure data → PDF, no database and no web framework.

A4 landscape, Be Vietnam Pro embedded once per document (never a base-14 font: they have no Vietnamese). The QR
code that holds the verify URL is encoded once, when the certificate is issued (`qr_matrix`), and kept with the
certificate as a few hundred bytes (`QrMatrix.to_bytes`); printing a course of 1,000 people then never runs a QR
encoder, and each page only appends a precomputed drawing of the code. What every page of a document shares (the
frame, the national heading, the logo and seal images) is written once per document as a form and reused.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property, lru_cache
from io import BytesIO
from typing import BinaryIO, Literal

import segno
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfdoc import PDFImageXObject
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
QrDrawing = Literal["path", "image"]

# Colours: a deep red for the frame and the title (as on printed certificates), dark blue for the holder's name.
# Fill colours as PDF operators (stroke: .upper()).
_RED = "0.56 0.09 0.09 rg"
_GOLD = "0.72 0.56 0.22 rg"
_BLUE = "0.08 0.2 0.45 rg"
_INK = "0.1 0.1 0.1 rg"

_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_MOTTO = "Độc lập - Tự do - Hạnh phúc"

_DARK_RUN = re.compile("1+")
_QR_FORMAT = 1  # first byte of QrMatrix.to_bytes(); bump it if the layout ever changes


# --------------------------------------------------------------------------------------------------------- QR code
@dataclass(frozen=True)
class QrMatrix:
    """A QR symbol as kept with an issued certificate: its side in modules (without the quiet zone) and the dark
    modules one bit each, rows padded to whole bytes, most significant bit first (1 = dark). That is exactly the
    sample layout of a PDF 1-bit image, so the stored bits can be drawn as they are."""

    size: int
    bits: bytes

    def __post_init__(self) -> None:
        if not 21 <= self.size <= 177 or (self.size - 17) % 4:
            raise ValueError(f"not a QR symbol size: {self.size}")
        if len(self.bits) != self.size * self.row_bytes:
            raise ValueError(f"a {self.size}×{self.size} QR matrix needs {self.size * self.row_bytes} bytes, "
                             f"got {len(self.bits)}")

    @property
    def version(self) -> int:
        return (self.size - 17) // 4

    @property
    def row_bytes(self) -> int:
        return (self.size + 7) // 8

    def is_dark(self, row: int, col: int) -> bool:
        return bool(self.bits[row * self.row_bytes + col // 8] >> (7 - col % 8) & 1)

    def to_bytes(self) -> bytes:
        """What to store in the database: a format byte, the size, then the bits (167 bytes for a version-4 code)."""
        return bytes((_QR_FORMAT, self.size)) + self.bits

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> QrMatrix:
        data = bytes(data)
        if len(data) < 2 or data[0] != _QR_FORMAT:
            raise ValueError("not a stored QR matrix (unknown format byte)")
        return cls(data[1], data[2:])

    def _runs(self, row: int) -> list[tuple[int, int]]:
        """(start, end) columns of each run of dark modules in a row."""
        start = row * self.row_bytes
        line = int.from_bytes(self.bits[start:start + self.row_bytes], "big")
        text = format(line, f"0{self.row_bytes * 8}b")[:self.size]
        return [match.span() for match in _DARK_RUN.finditer(text)]

    def rectangles(self) -> list[tuple[int, int, int, int]]:
        """The dark modules as (column, row, width, height) rectangles, rows counted from the top: a run of dark
        modules in a row is one rectangle, and the same run on the rows below grows it downwards."""
        open_runs: dict[tuple[int, int], int] = {}
        out = []
        for row in range(self.size + 1):
            runs = set(self._runs(row)) if row < self.size else set()
            for run in [r for r in open_runs if r not in runs]:
                top = open_runs.pop(run)
                out.append((run[0], top, run[1] - run[0], row - top))
            for run in sorted(runs):
                open_runs.setdefault(run, row)
        return out

    @cached_property
    def path_ops(self) -> str:
        """The dark modules as one filled path (PDF operators) in module units, origin at the bottom-left corner:
        one rectangle per merged run, so fewer operators and no hairline seams between rows in viewers that
        anti-alias. Computed once per matrix, then appended to each page as it is."""
        n = self.size
        return " ".join(f"{x} {n - y - h} {w} {h} re" for x, y, w, h in self.rectangles()) + " f"

    @cached_property
    def image_ops(self) -> str:
        """The matrix as an inline 1-bit image mask (painted in the fill colour where a bit is 1), unit square."""
        return (f"BI /W {self.size} /H {self.size} /IM true /BPC 1 /D [1 0] /F /AHx ID\n"
                f"{self.bits.hex()}> EI")


def qr_matrix(url: str) -> QrMatrix:
    """Encode the verify URL once, at issue time (segno, error correction M: ~5 ms, too slow for every print)."""
    qr = segno.make_qr(url, error="m", boost_error=False)
    size = qr.symbol_size(border=0)[0]
    pad = "0" * (-size % 8)
    bits = b"".join(int("".join("1" if module else "0" for module in row) + pad, 2).to_bytes((size + 7) // 8, "big")
                    for row in qr.matrix)
    return QrMatrix(size, bits)


# ----------------------------------------------------------------------------------------------- certificate data
@dataclass(frozen=True, kw_only=True)
class CertificateData:
    """Everything printed on one certificate. Texts are printed as given (a certificate is always Vietnamese);
    the issuer, signer and titles are data per issuing body, never constants."""

    issuer_name: str                      # "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH BẮC NINH"
    issuer_parent: str = ""               # optional line above it: "UBND TỈNH BẮC NINH"
    title: str = "GIẤY CHỨNG NHẬN"
    subtitle: str = "Hoàn thành khóa bồi dưỡng"
    full_name: str
    birth_date: date | None = None
    unit: str = ""                        # workplace (đơn vị công tác): "UBND xã Tân Dĩnh, tỉnh Bắc Ninh"
    commune: str = ""                     # printed after the workplace when set (older snapshots: the place)
    position: str = ""                    # on a line of its own: "Công chức Văn hóa - Xã hội"
    course_title: str
    curriculum_title: str = ""
    start_date: date
    end_date: date
    venue: str = ""
    hours: float
    result: str = "Hoàn thành"
    number: str                           # "123/2026/GCN" (printed as "Số: 123/2026/GCN")
    register_entry: str = ""              # the whole printed line: "Số vào sổ: 45"
    issue_place: str                      # "Bắc Ninh"
    issue_date: date
    signer_title: str                     # one line per row: "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    signer_name: str
    verify_url: str
    qr: QrMatrix | None = None            # from qr_matrix(verify_url) at issue time; None encodes it now (slow)
    logo_png: bytes | None = None
    seal_png: bytes | None = None
    signature_note: str = ""              # signed certificates: who signed and when, printed in SIGNATURE_BOX

    def __post_init__(self) -> None:
        # Decomposed text (from some spreadsheets and keyboards) would print its tone marks as loose glyphs.
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if not unicodedata.is_normalized("NFC", value):
                object.__setattr__(self, name, unicodedata.normalize("NFC", value))


_TEXT_FIELDS = tuple(f.name for f in fields(CertificateData) if f.type == "str")


def vietnamese_date(d: date) -> str:
    """'ngày 05 tháng 01 năm 2026': days below 10 and the months 1 and 2 take a leading zero (Decree 30/2020)."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def _short_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _hours(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


# ---------------------------------------------------------------------------------------------------- fitting text
@lru_cache(maxsize=4096)
def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def fit_size(text: str, font: str, size: float, max_width: float) -> float:
    """The font size at which `text` fits `max_width` on one line: `size`, or smaller for a long text."""
    width = _width(text, font, size)
    return size if width <= max_width else size * max_width / width * 0.999


@lru_cache(maxsize=512)
def wrap_two(text: str, font: str, size: float, max_width: float) -> tuple[tuple[str, ...], float]:
    """One line if it fits, otherwise the two most even lines broken between words, shrunk if even those are
    too wide. Cached: every certificate of a course repeats the course's title."""
    if _width(text, font, size) <= max_width:
        return (text,), size
    words = text.split()
    if len(words) < 2:
        return (text,), fit_size(text, font, size, max_width)
    best = min(((" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))),
               key=lambda pair: max(_width(pair[0], font, size), _width(pair[1], font, size)))
    widest = max(_width(best[0], font, size), _width(best[1], font, size))
    return best, (size if widest <= max_width else size * max_width / widest * 0.999)


# --------------------------------------------------------------------------------------------------------- layout
_MARGIN = 52                              # text never comes closer to the paper's edge than this
_LEFT_X = 212                             # centre of the issuer column (top-left) and of the QR column
_RIGHT_X = 612                            # centre of the national heading and of the signature block
_COLUMN = 330                             # width available to each of the two columns
_BODY_WIDTH = PAGE_WIDTH - 2 * _MARGIN - 60
_CENTRE_X = PAGE_WIDTH / 2
_QR_SIZE = 82
_TITLE_Y, _BODY_BOTTOM = 428, 206
# The digital signature's field (app/signing): in the signer block, right of the seal, above the signer's name.
SIGNATURE_BOX = (_RIGHT_X - 14, 76.0, _RIGHT_X + 156, 124.0)


def _frame_ops() -> str:
    """The border as literal PDF operators (drawn once per document): a thick and a thin red rule, a band of gold
    lozenges between them, a second thin rule inside, and a lozenge in each corner."""
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    ops = [f"q {_RED.upper()} {_RED}", f"3 w 16 16 {w - 32:.2f} {h - 32:.2f} re S",
           f"0.8 w 21.5 21.5 {w - 43:.2f} {h - 43:.2f} re S", f"0.8 w 33.5 33.5 {w - 67:.2f} {h - 67:.2f} re S",
           f"0.4 w 36 36 {w - 72:.2f} {h - 72:.2f} re S", _GOLD]
    step, mid = 12.0, 27.5

    def lozenge(x: float, y: float, r: float = 3.2) -> str:
        return f"{x:.2f} {y + r:.2f} m {x + r:.2f} {y:.2f} l {x:.2f} {y - r:.2f} l {x - r:.2f} {y:.2f} l h"

    count = int((w - 2 * mid) // step)
    offset = (w - 2 * mid - count * step) / 2
    for i in range(1, count):
        x = mid + offset + i * step
        ops += [lozenge(x, mid), lozenge(x, h - mid)]
    count = int((h - 2 * mid) // step)
    offset = (h - 2 * mid - count * step) / 2
    for i in range(1, count):
        y = mid + offset + i * step
        ops += [lozenge(mid, y), lozenge(w - mid, y)]
    ops.append("f")
    ops.append(_RED)
    for x, y in ((mid, mid), (w - mid, mid), (mid, h - mid), (w - mid, h - mid)):
        ops.append(lozenge(x, y, 6.5))
    ops += ["f", "Q"]
    return "\n".join(ops)


_FRAME_OPS = _frame_ops()


@dataclass(frozen=True)
class _PreparedImage:
    width: int
    height: int
    colour_space: str
    pixels: bytes                         # zlib-compressed samples
    alpha: bytes | None                   # zlib-compressed alpha channel, if the PNG has one


_IMAGE_MAX_PIXELS = 400                   # the seal is printed 92 pt wide: 400 px is ~310 dpi


@lru_cache(maxsize=16)
def _prepare_png(png: bytes) -> _PreparedImage:
    """Decode and compress a logo or seal once per process: reportlab would otherwise decode, hash and compress it
    again for every document (15 ms of the 25 ms a one-page certificate took with a 600-pixel seal)."""
    image = Image.open(BytesIO(png))
    image.load()
    if max(image.size) > _IMAGE_MAX_PIXELS:  # a 600 dpi scan of a seal needs no more than 300 dpi at its size
        image.thumbnail((_IMAGE_MAX_PIXELS, _IMAGE_MAX_PIXELS), Image.Resampling.LANCZOS)
    alpha = None
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        alpha = zlib.compress(image.getchannel("A").tobytes())
    grey = image.mode in ("L", "LA")
    image = image.convert("L" if grey else "RGB")
    return _PreparedImage(image.width, image.height, "DeviceGray" if grey else "DeviceRGB",
                          zlib.compress(image.tobytes()), alpha)


def _image_xobject(name: str, width: int, height: int, colour_space: str, stream: bytes) -> PDFImageXObject:
    image = PDFImageXObject(name)         # no source: every field is set below from the prepared image
    image.width, image.height, image.bitsPerComponent, image.colorSpace = width, height, 8, colour_space
    image.streamContent, image._filters, image.mask = stream, ("FlateDecode",), None
    return image


class _Document:
    """One PDF being written: the canvas, and what is drawn once per document (frame and heading, images).

    Text and images go into the page stream as PDF operators rather than through reportlab's text objects and
    drawImage: with ~30 strings a page, reportlab's general text path was two thirds of the time. Strings that
    repeat on every page (labels, the course, the issuer) are encoded once per document. This leans on reportlab
    internals (TTFont.splitString / getSubsetInternalName, the document's object registry), so reportlab is
    pinned exactly and the tests read every page back."""

    def __init__(self, out: BinaryIO, qr_drawing: QrDrawing) -> None:
        register_fonts()
        self.qr_drawing = qr_drawing
        # invariant: no timestamp or random ID, so the same certificate renders to the same bytes (and hash).
        self.c = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1,
                        initialFontName=FONT, initialFontSize=10, lang="vi")
        self.c.setCreator("Năng Lực")
        self._pdf = self.c._doc
        self._encoded: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._images: dict[bytes, tuple[str, float]] = {}
        self.pages = 0
        self._shared_form()

    # -- drawing primitives
    def _show(self, x: float, y: float, text: str, font: str, size: float, colour: str = _INK) -> None:
        """Text at (x, y) (left end of the baseline), in an embedded font subset."""
        key = (text, font)
        encoded = self._encoded.get(key)
        if encoded is None:
            ttf = getFont(font)
            encoded = [(ttf.getSubsetInternalName(subset, self._pdf), escapePDF(chunk))
                       for subset, chunk in ttf.splitString(text, self._pdf)]
            if len(self._encoded) > 2048:  # names and numbers never repeat: keep the cache for what does
                self._encoded.clear()
            self._encoded[key] = encoded
        shown = " ".join(f"{name} {size:.2f} Tf ({chunk}) Tj" for name, chunk in encoded)
        self.c.addLiteral(f"BT {colour} 1 0 0 1 {x:.2f} {y:.2f} Tm {shown} ET")

    def _centred(self, x: float, y: float, text: str, font: str, size: float, colour: str = _INK) -> None:
        self._show(x - _width(text, font, size) / 2, y, text, font, size, colour)

    def _rule(self, x0: float, x1: float, y: float, width: float = 0.7) -> None:
        self.c.addLiteral(f"q {_INK.upper()} {width} w {x0:.2f} {y:.2f} m {x1:.2f} {y:.2f} l S Q")

    def _segments(self, y: float, parts: list[tuple[str, str, float, str]], max_width: float = _BODY_WIDTH) -> None:
        """One centred line made of differently styled parts (label regular, value bold). A line too wide shrinks
        its longest part (the name, the workplace), and everything only when the other parts alone are too wide."""
        widths = [_width(text, font, size) for text, font, size, _ in parts]
        scales = [1.0] * len(parts)
        if sum(widths) > max_width:
            longest = max(range(len(parts)), key=widths.__getitem__)
            rest = sum(widths) - widths[longest]
            if rest < max_width * 0.6:
                scales[longest] = (max_width - rest) / widths[longest] * 0.999
            else:
                scales = [max_width / sum(widths) * 0.999] * len(parts)
        x = _CENTRE_X - sum(w * k for w, k in zip(widths, scales, strict=True)) / 2
        for (text, font, size, colour), width, scale in zip(parts, widths, scales, strict=True):
            self._show(x, y, text, font, size * scale, colour)
            x += width * scale

    def _image(self, png: bytes) -> tuple[str, float]:
        """The PNG as an image XObject of this document (with its alpha as a soft mask): name and aspect ratio."""
        if png not in self._images:
            prepared = _prepare_png(png)
            name = f"certificate-image-{len(self._images)}"
            image = _image_xobject(name, prepared.width, prepared.height, prepared.colour_space, prepared.pixels)
            if prepared.alpha:
                mask = _image_xobject(f"{name}-alpha", prepared.width, prepared.height, "DeviceGray",
                                      prepared.alpha)
                image.smask = self._pdf.Reference(mask, self._pdf.getXObjectName(mask.name))
            self._pdf.Reference(image, self._pdf.getXObjectName(name))
            self._images[png] = (name, prepared.height / prepared.width)
        return self._images[png]

    def _draw_image(self, png: bytes, cx: float, cy: float, box: float) -> None:
        """Draw a PNG centred on (cx, cy), fitted into a square of side `box`."""
        name, ratio = self._image(png)
        w, h = (box, box * ratio) if ratio <= 1 else (box / ratio, box)
        self.c.addLiteral(f"q {w:.2f} 0 0 {h:.2f} {cx - w / 2:.2f} {cy - h / 2:.2f} cm "
                          f"/{self._pdf.getXObjectName(name)} Do Q")
        self.c._formsinuse.append(name)   # lists the image in this page's resources

    # -- the certificate
    def _shared_form(self) -> None:
        """Frame and national heading: one form per document, drawn on every page."""
        c = self.c
        c.beginForm("certificate-frame")
        c.addLiteral(_FRAME_OPS)
        y = PAGE_HEIGHT - 72
        self._centred(_RIGHT_X, y, _NATION, FONT_BOLD, 12.5)
        self._centred(_RIGHT_X, y - 18, _MOTTO, FONT_BOLD, 13.5)
        half = _width(_MOTTO, FONT_BOLD, 13.5) / 2
        self._rule(_RIGHT_X - half, _RIGHT_X + half, y - 23)
        c.endForm()

    def page(self, d: CertificateData) -> None:
        if self.pages:
            self.c.showPage()
        self.c.doForm("certificate-frame")
        self._issuer(d)
        self._body(d)
        self._qr(d)
        self._signature(d)
        self.pages += 1

    def _issuer(self, d: CertificateData) -> None:
        y = PAGE_HEIGHT - 72
        centre, column = _LEFT_X, _COLUMN
        if d.logo_png:
            self._draw_image(d.logo_png, _MARGIN + 22, y - 8, 46)
            centre, column = _LEFT_X + 26, _COLUMN - 52
        if d.issuer_parent:
            self._centred(centre, y, d.issuer_parent, FONT, fit_size(d.issuer_parent, FONT, 12, column))
            y -= 17
        lines, size = wrap_two(d.issuer_name, FONT_BOLD, 12, column)
        for line in lines:
            self._centred(centre, y, line, FONT_BOLD, size)
            y -= 16
        rule = max(_width(line, FONT_BOLD, size) for line in lines) / 3
        self._rule(centre - rule / 2, centre + rule / 2, y + 9)

    def _body(self, d: CertificateData) -> None:
        """Title, holder and course, centred between the heading and the signature, each line shrunk to fit."""
        regular, bold, italic = FONT, FONT_BOLD, FONT_ITALIC
        label = 12.5
        rows: list[tuple[float, list[tuple[str, str, float, str]]]] = [
            (0, [(d.title, bold, 32, _RED)])]
        if d.subtitle:
            rows.append((25, [(d.subtitle, bold, 15, _INK)]))
        rows.append((40, [("Ông/bà: ", regular, 14, _INK), (d.full_name, bold, 22, _BLUE)]))
        who = [("Ngày sinh: ", regular, label, _INK), (_short_date(d.birth_date), bold, label, _INK)] \
            if d.birth_date else []
        place = ", ".join(part for part in (d.unit, d.commune) if part)
        work = [("Đơn vị công tác: ", regular, label, _INK), (place, bold, label, _INK)] if place else []
        role = [("Chức vụ: ", regular, label, _INK), (d.position, bold, label, _INK)] if d.position else []
        person = [parts for parts in (who, role, work) if parts]
        if len(person) == 3 and not self._room_for(rows, d, extra=19):  # date of birth and position share a line
            person = [[*who, ("        ", regular, label, _INK), *role], work]
        elif len(person) == 2 and sum(_width(t, f, s) for parts in person for t, f, s, _ in parts) + 40 \
                <= _BODY_WIDTH and not role:
            person = [[*who, ("        ", regular, label, _INK), *work]]
        for i, parts in enumerate(person):
            rows.append((25 if i == 0 else 19, parts))
        rows.append((25, [("Đã tham gia khóa bồi dưỡng", regular, label, _INK)]))
        lines, size = wrap_two(d.course_title, bold, 16, _BODY_WIDTH)
        rows.append((22, [(lines[0], bold, size, _BLUE)]))
        if len(lines) > 1:
            rows.append((size + 4, [(lines[1], bold, size, _BLUE)]))
        if d.curriculum_title:
            rows.append((19, [(f"Thuộc chương trình: {d.curriculum_title}", italic, 11.5, _INK)]))
        dates = (f"từ ngày {_short_date(d.start_date)} đến ngày {_short_date(d.end_date)}"
                 if d.start_date != d.end_date else f"ngày {_short_date(d.start_date)}")
        rows.append((25, [("Thời gian: ", regular, label, _INK), (dates, bold, label, _INK),
                          ("        Thời lượng: ", regular, label, _INK),
                          (f"{_hours(d.hours)} giờ", bold, label, _INK)]))
        if d.venue:
            rows.append((19, [("Địa điểm: ", regular, label, _INK), (d.venue, bold, label, _INK)]))
        if d.result:
            rows.append((19, [("Kết quả: ", regular, label, _INK), (d.result, bold, label, _INK)]))
        # The title stands at a fixed height; the lines under it spread over the band down to the signature's date
        # line, a little tighter or looser than their natural spacing, and centred in it when they are few.
        natural = sum(gap for gap, _ in rows[1:])
        band = _TITLE_Y - _BODY_BOTTOM
        stretch = min(max(band / natural, 0.8), 1.2)
        y = _TITLE_Y
        for i, (gap, parts) in enumerate(rows):
            y -= gap * stretch + (max(band - natural * stretch, 0) / 2 if i == 1 else 0)
            self._segments(y, parts)

    @staticmethod
    def _room_for(rows: list, d: CertificateData, extra: float) -> bool:
        """Whether the body still fits its band at the tightest spacing with `extra` points more."""
        rest = 25 + 22 + 25 + 19 * 2 + 19 + (18 if len(wrap_two(d.course_title, FONT_BOLD, 16, _BODY_WIDTH)[0]) > 1
                                             else 0)
        natural = sum(gap for gap, _ in rows[1:]) + 25 + 19 + extra + rest
        return natural * 0.8 <= _TITLE_Y - _BODY_BOTTOM

    def _qr(self, d: CertificateData) -> None:
        qr = d.qr or qr_matrix(d.verify_url)
        x, y = _MARGIN + 8, 66
        module = _QR_SIZE / qr.size
        if self.qr_drawing == "path":
            self.c.addLiteral(f"q 0 g {module:.4f} 0 0 {module:.4f} {x:.2f} {y:.2f} cm {qr.path_ops} Q")
        else:
            self.c.addLiteral(f"q 0 g {_QR_SIZE} 0 0 {_QR_SIZE} {x:.2f} {y:.2f} cm {qr.image_ops} Q")
        caption = f"Quét để kiểm tra: {d.verify_url}"
        self._show(x, y - 17, caption, FONT_ITALIC, fit_size(caption, FONT_ITALIC, 7.5, _COLUMN + 40))
        tx = x + _QR_SIZE + 12
        self._show(tx, y + 54, "Số: ", FONT, 11.5)
        self._show(tx + _width("Số: ", FONT, 11.5), y + 54, d.number, FONT_BOLD,
                   fit_size(d.number, FONT_BOLD, 11.5, 170))
        if d.register_entry:
            self._show(tx, y + 36, d.register_entry, FONT, fit_size(d.register_entry, FONT, 11.5, 190))

    def _signature(self, d: CertificateData) -> None:
        y = 178
        when = f"{d.issue_place}, {vietnamese_date(d.issue_date)}"
        self._centred(_RIGHT_X, y, when, FONT_ITALIC, fit_size(when, FONT_ITALIC, 12.5, _COLUMN))
        y -= 19
        for line in (line.strip() for line in d.signer_title.splitlines()):
            if line:
                self._centred(_RIGHT_X, y, line, FONT_BOLD, fit_size(line, FONT_BOLD, 12.5, _COLUMN))
                y -= 16
        self._centred(_RIGHT_X, 58, d.signer_name, FONT_BOLD, fit_size(d.signer_name, FONT_BOLD, 14, _COLUMN))
        if d.seal_png:  # over the signature, as the ink of a real seal is
            self._draw_image(d.seal_png, _RIGHT_X - 76, 106, 92)
        if d.signature_note:
            self._signature_note(d.signature_note)

    def _signature_note(self, note: str) -> None:
        """The visible part of the digital signature: a framed note under which the signature field lies."""
        x0, y0, x1, y1 = SIGNATURE_BOX
        self.c.addLiteral(f"q {_BLUE.upper()} 0.6 w {x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re S Q")
        lines = [line for line in note.splitlines() if line.strip()][:4]
        size = 7.5
        y = y1 - 4 - size
        for i, line in enumerate(lines):
            font = FONT_BOLD if i == 1 else FONT
            self._show(x0 + 5, y, line, font, fit_size(line, font, size, x1 - x0 - 10), _BLUE)
            y -= size + 2.6

    def close(self) -> None:
        if not self.pages:
            raise ValueError("no certificate to render")
        self.c.save()


def render_one(data: CertificateData, *, qr_drawing: QrDrawing = "image") -> bytes:
    """One certificate as a one-page PDF (what a trainee downloads, and what is hashed at issue time)."""
    buffer = BytesIO()
    doc = _Document(buffer, qr_drawing)
    doc.c.setTitle(f"{data.title} số {data.number}")
    doc.c.setAuthor(data.issuer_name)
    doc.c.setSubject(data.course_title)
    doc.page(data)
    doc.close()
    return buffer.getvalue()


def render_many(certificates: Iterable[CertificateData], out: BinaryIO, *, qr_drawing: QrDrawing = "image") -> int:
    """Many certificates into one PDF written to `out`, one per page in the given order; returns the page count.
    The iterable is consumed one certificate at a time; fonts, frame and images are embedded once."""
    doc = _Document(out, qr_drawing)
    for data in certificates:
        if not doc.pages:
            doc.c.setTitle(f"{data.title}: {data.course_title}")
            doc.c.setAuthor(data.issuer_name)
        doc.page(data)
    doc.close()
    return doc.pages
