"""Benchmark: print certificates with reportlab (app/certificates/render.py) and, in the same run, the same design
as HTML + CSS through WeasyPrint.

    .venv/bin/pip install -e '.[bench]'          # WeasyPrint (needs Debian's libpango-1.0-0 libpangoft2-1.0-0)
    .venv/bin/python bench/certificates_render.py [COUNT] [HTML_SEPARATE_COUNT]

COUNT certificates (default 1,000) go into one PDF and into COUNT separate PDFs, on one core (one process). The QR
matrices are computed first, as they are at issue time, and timed separately; the timed renders load each matrix
from its stored bytes, as the printing code will. WeasyPrint renders the same COUNT into one PDF, and
HTML_SEPARATE_COUNT (default 100: at ~2 a second, 1,000 would take eight minutes) into separate PDFs. A sample of
each route is written to test-artifacts/. Target: ≥ 500 certificates/s into one PDF, and ≥ 10× the HTML route.
"""
from __future__ import annotations

import html
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fontpkg  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from app.certificates.render import (  # noqa: E402
    CertificateData,
    QrMatrix,
    qr_matrix,
    render_many,
    render_one,
    vietnamese_date,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Thị", "Văn", "Đức", "Thị Hồng", "Minh", "Quang", "Thị Thu", "Hữu", "Ngọc", "Xuân"]
GIVEN = ["Nhung", "Hải", "Phương", "Tuấn", "Dũng", "Hằng", "Yến", "Quỳnh", "Khải", "Nghĩa", "Thủy", "Việt", "Ánh"]
COMMUNES = ["xã Tân Dĩnh", "xã Đa Mai", "phường Bắc Giang", "xã Lạng Giang", "xã Yên Thế", "xã Lục Ngạn"]
UNITS = ["Công chức Văn hóa - Xã hội", "Phụ trách Đài truyền thanh xã", "Cán bộ Hội Liên hiệp Phụ nữ xã",
         "Cán bộ Đoàn Thanh niên xã", None]


def seal_png(text: str = "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH • BẮC NINH •") -> bytes:
    """A round red seal with its text on the ring, transparent around it (a stand-in for the issuer's scan)."""
    size, red = 600, (200, 30, 30, 215)
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=16)
    draw.ellipse((120, 120, size - 120, size - 120), outline=red, width=7)
    font = ImageFont.truetype(str(fontpkg.path("Be Vietnam Pro", 700)), 46)
    import math
    for i, ch in enumerate(text):
        angle = -90 + i * 360 / len(text)
        glyph = Image.new("RGBA", (70, 70), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((35, 35), ch, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-angle - 90, resample=Image.BICUBIC)
        r = size / 2 - 68
        x = size / 2 + r * math.cos(math.radians(angle)) - 35
        y = size / 2 + r * math.sin(math.radians(angle)) - 35
        img.alpha_composite(glyph, (int(x), int(y)))
    star = [(size / 2 + (90 if k % 2 == 0 else 36) * math.cos(math.radians(-90 + k * 36)),
             size / 2 + (90 if k % 2 == 0 else 36) * math.sin(math.radians(-90 + k * 36))) for k in range(10)]
    draw.polygon(star, fill=red)
    buffer = BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


def logo_png() -> bytes:
    """A small round emblem (a stand-in for the issuing body's logo)."""
    import math
    size = 240
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((4, 4, size - 4, size - 4), fill=(196, 32, 38, 255), outline=(214, 170, 60, 255), width=10)
    star = [(size / 2 + (80 if k % 2 == 0 else 32) * math.cos(math.radians(-90 + k * 36)),
             size / 2 + (80 if k % 2 == 0 else 32) * math.sin(math.radians(-90 + k * 36))) for k in range(10)]
    draw.polygon(star, fill=(250, 214, 60, 255))
    buffer = BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


def certificates(count: int, qrs: list[QrMatrix], urls: list[str], logo: bytes, seal: bytes) -> list[CertificateData]:
    rnd = random.Random(8)
    base = CertificateData(
        issuer_parent="UBND TỈNH BẮC NINH", issuer_name="SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH BẮC NINH",
        full_name="", course_title="Kỹ năng giải quyết xung đột và xử lý khủng hoảng truyền thông ở cơ sở",
        curriculum_title="Chương trình 2: Nâng cao năng lực cán bộ làm công tác thông tin cơ sở",
        start_date=date(2026, 12, 14), end_date=date(2026, 12, 18), venue="Trung tâm Chính trị huyện Lạng Giang",
        hours=40, number="", register_entry="", issue_place="Bắc Ninh", issue_date=date(2026, 12, 18),
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", signer_name="Trần Văn Minh", verify_url="",
        logo_png=logo, seal_png=seal)
    out = []
    for i in range(count):
        unit = rnd.choice(UNITS)
        out.append(replace(
            base, full_name=f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}",
            birth_date=date(1970, 1, 1) + timedelta(days=rnd.randrange(12000)), unit=unit or "",
            commune=f"{rnd.choice(COMMUNES)}, tỉnh Bắc Ninh", number=f"{i + 1}/2026/GCN",
            register_entry=f"Số vào sổ: {i + 1}", verify_url=urls[i], qr=qrs[i]))
    return out


def verify_urls(count: int) -> list[str]:
    rnd = random.Random(80)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return [f"https://nangluc.bacninh.gov.vn/verify/{''.join(rnd.choice(alphabet) for _ in range(16))}"
            for _ in range(count)]


# ------------------------------------------------------------------------------------------ the same design in HTML
CSS = """
@font-face { font-family: BVP; src: url("{regular}"); font-weight: 400; font-style: normal; }
@font-face { font-family: BVP; src: url("{bold}"); font-weight: 700; font-style: normal; }
@font-face { font-family: BVP; src: url("{italic}"); font-weight: 400; font-style: italic; }
@page { size: A4 landscape; margin: 0; }
body { margin: 0; font-family: BVP; color: #1a1a1a; font-size: 12.5pt; }
.page { position: relative; width: 297mm; height: 210mm; box-sizing: border-box; page-break-after: always;
        overflow: hidden; }
.frame { position: absolute; inset: 5.6mm; border: 3pt solid #8f1717; }
.band { position: absolute; inset: 7.6mm; border: 0.8pt solid #8f1717; }
.dots { position: absolute; inset: 8.6mm; border: 4pt dotted #b88f38; }
.inner { position: absolute; inset: 11.8mm; border: 0.8pt solid #8f1717; }
.issuer { position: absolute; left: 18mm; width: 116mm; top: 18mm; text-align: center; font-size: 12pt; }
.issuer b { display: inline-block; border-bottom: 0.7pt solid #1a1a1a; padding-bottom: 2pt; }
.issuer.with-logo { left: 36mm; width: 100mm; }
.issuer img { position: absolute; left: -18mm; top: 1mm; width: 16mm; }
.nation { position: absolute; right: 18mm; width: 120mm; top: 18mm; text-align: center; font-weight: 700; }
.nation span { display: inline-block; border-bottom: 0.7pt solid #1a1a1a; font-size: 13.5pt; }
.body { position: absolute; left: 18mm; right: 18mm; top: 50mm; text-align: center; line-height: 1.55; }
h1 { color: #8f1717; font-size: 32pt; margin: 0; line-height: 1.1; }
h2 { font-size: 15pt; margin: 0 0 8pt 0; }
.name { color: #14336f; font-size: 22pt; font-weight: 700; }
.course { color: #14336f; font-size: 16pt; font-weight: 700; line-height: 1.3; }
.qr { position: absolute; left: 21mm; bottom: 23mm; width: 29mm; height: 29mm; }
.number { position: absolute; left: 54mm; bottom: 39mm; font-size: 11.5pt; line-height: 1.6; }
.caption { position: absolute; left: 21mm; bottom: 17mm; font-size: 7.5pt; font-style: italic; }
.sign { position: absolute; right: 18mm; width: 120mm; bottom: 18mm; text-align: center; }
.sign .when { font-style: italic; }
.sign .name2 { margin-top: 25mm; font-weight: 700; font-size: 14pt; }
.seal { position: absolute; left: 27mm; top: 16mm; width: 34mm; }
"""


def html_page(d: CertificateData) -> str:
    e = html.escape
    qr = d.qr or qr_matrix(d.verify_url)
    svg_path = "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in qr.rectangles())
    place = ", ".join(p for p in (d.unit, d.commune) if p)
    title_lines = "".join(f"{e(line)}<br>" for line in d.signer_title.splitlines())
    logo = f'<img src="{_file_url(d.logo_png)}">' if d.logo_png else ""
    seal = f'<img class="seal" src="{_file_url(d.seal_png)}">' if d.seal_png else ""
    return f"""<section class="page"><div class="frame"></div><div class="band"></div><div class="dots"></div>
<div class="inner"></div>
<div class="issuer{' with-logo' if logo else ''}">{logo}{e(d.issuer_parent)}<br><b>{e(d.issuer_name)}</b></div>
<div class="nation">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br><span>Độc lập - Tự do - Hạnh phúc</span></div>
<div class="body"><h1>{e(d.title)}</h1><h2>{e(d.subtitle)}</h2>
<div>Ông/bà: <span class="name">{e(d.full_name)}</span></div>
<div>Ngày sinh: <b>{d.birth_date:%d/%m/%Y}</b> &nbsp; &nbsp; Đơn vị công tác: <b>{e(place)}</b></div>
<div>Đã tham gia khóa bồi dưỡng</div><div class="course">{e(d.course_title)}</div>
<div><i>Thuộc chương trình: {e(d.curriculum_title)}</i></div>
<div>Thời gian: <b>từ ngày {d.start_date:%d/%m/%Y} đến ngày {d.end_date:%d/%m/%Y}</b> &nbsp; &nbsp;
Thời lượng: <b>{d.hours:g} giờ</b></div>
<div>Địa điểm: <b>{e(d.venue)}</b></div><div>Kết quả: <b>{e(d.result)}</b></div></div>
<svg class="qr" viewBox="0 0 {qr.size} {qr.size}" shape-rendering="crispEdges"><path d="{svg_path}"/></svg>
<div class="number">Số: <b>{e(d.number)}</b><br>{e(d.register_entry)}</div>
<div class="caption">Quét để kiểm tra: {e(d.verify_url)}</div>
<div class="sign"><div class="when">{e(d.issue_place)}, {vietnamese_date(d.issue_date)}</div><b>{title_lines}</b>
{seal}<div class="name2">{e(d.signer_name)}</div></div></section>"""


_FILES: dict[bytes, str] = {}


def _file_url(png: bytes) -> str:
    """The image as a file URL, written once: WeasyPrint then loads and embeds it once per document."""
    if png not in _FILES:
        path = ARTIFACTS / "certificate-bench-images" / f"image-{len(_FILES)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        _FILES[png] = path.as_uri()
    return _FILES[png]


def html_document(pages: list[str]) -> str:
    css = CSS
    for key, weight, style in (("regular", 400, "normal"), ("bold", 700, "normal"), ("italic", 400, "italic")):
        css = css.replace("{" + key + "}", fontpkg.path("Be Vietnam Pro", weight, style=style).as_uri())
    return f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><style>{css}</style></head><body>' \
           f'{"".join(pages)}</body></html>'


# --------------------------------------------------------------------------------------------------------- running
def timed(label: str, count: int, fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    rate = count / seconds
    extra = f"  ({result})" if result else ""
    print(f"{label:<58} {count:>6} in {seconds:7.2f} s = {rate:8.1f} certificates/s{extra}", flush=True)
    return rate


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    html_separate = int(sys.argv[2]) if len(sys.argv) > 2 else min(count, 100)
    ARTIFACTS.mkdir(exist_ok=True)
    print(f"certificates: {count}; python {sys.version.split()[0]}; one process", flush=True)

    urls = verify_urls(count)
    qrs: list[QrMatrix] = []
    timed("QR matrices computed (segno, at issue time, not printing)", count,
          lambda: qrs.extend(qr_matrix(url) for url in urls))
    stored = sum(len(q.to_bytes()) for q in qrs) / count
    print(f"{'':<58} stored matrix: {stored:.0f} bytes each (version {qrs[0].version})")
    data = certificates(count, qrs, urls, logo_png(), seal_png())

    stored_bytes = [q.to_bytes() for q in qrs]

    def as_loaded(items=data):  # noqa: ANN001 - each certificate as the printing code builds it from its row
        return (replace(d, qr=QrMatrix.from_bytes(b)) for d, b in zip(items, stored_bytes, strict=False))

    render_one(data[0])  # warm-up: font registration, image preparation
    results = {}
    for drawing, label in (("image", "QR as a 1-bit image (default)"), ("path", "QR as one path")):
        def one_pdf(drawing=drawing) -> str:
            out = BytesIO()
            pages = render_many(as_loaded(), out, qr_drawing=drawing)
            return f"{pages} pages, {len(out.getvalue()) / 1e6:.1f} MB"
        results[f"one-{drawing}"] = timed(f"reportlab, one PDF, {label}", count, one_pdf)

    def without_qr() -> str:
        out = BytesIO()
        blank = QrMatrix(21, bytes(21 * 3))
        return f"{render_many((replace(d, qr=blank) for d in data), out)} pages"
    timed("reportlab, one PDF, a blank QR (the floor)", count, without_qr)

    with tempfile.TemporaryDirectory() as folder:
        def separate() -> str:
            size = 0
            for i, d in enumerate(as_loaded()):
                pdf = render_one(d)
                size += len(pdf)
                Path(folder, f"{i}.pdf").write_bytes(pdf)
            return f"{size / count / 1e3:.0f} kB each"
        results["separate"] = timed("reportlab, separate PDFs (one file each)", count, separate)

    (ARTIFACTS / "certificate-sample.pdf").write_bytes(render_one(data[0]))

    try:
        from weasyprint import HTML
    except ImportError as exc:
        print(f"WeasyPrint not installed ({exc}); pip install -e '.[bench]'")
        return
    base = Path(tempfile.gettempdir())
    HTML(string=html_document([html_page(data[0])]), base_url=str(base)).write_pdf(
        ARTIFACTS / "certificate-sample-weasyprint.pdf")  # warm-up, and a sample to compare designs

    def html_one() -> str:
        out = BytesIO()
        doc = HTML(string=html_document([html_page(d) for d in data]), base_url=str(base)).render()
        doc.write_pdf(out)
        return f"{len(doc.pages)} pages, {len(out.getvalue()) / 1e6:.1f} MB"
    results["html-one"] = timed("WeasyPrint (HTML + CSS), one PDF", count, html_one)

    def html_many() -> str:
        size = 0
        for d in data[:html_separate]:
            size += len(HTML(string=html_document([html_page(d)]), base_url=str(base)).write_pdf())
        return f"{size / html_separate / 1e3:.0f} kB each"
    if html_separate:
        results["html-separate"] = timed("WeasyPrint (HTML + CSS), separate PDFs", html_separate, html_many)

    best_one = max(results["one-path"], results["one-image"])
    print()
    print(f"one PDF:       reportlab {best_one:,.0f}/s vs WeasyPrint {results['html-one']:,.1f}/s "
          f"= {best_one / results['html-one']:.1f}×   (target ≥ 500/s and ≥ 10×)")
    if html_separate:
        print(f"separate PDFs: reportlab {results['separate']:,.0f}/s vs WeasyPrint "
              f"{results['html-separate']:,.1f}/s = {results['separate'] / results['html-separate']:.1f}×")
    print(f"samples: {ARTIFACTS / 'certificate-sample.pdf'}, {ARTIFACTS / 'certificate-sample-weasyprint.pdf'}")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
