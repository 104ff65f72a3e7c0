"""Templates: the shipped ones render with the documented fields (and open in LibreOffice); an admin's replacement
is checked against those fields and then used; a broken one is refused and changes nothing."""
from __future__ import annotations

import os
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from app.paperwork import present, render, rules
from app.paperwork.build_templates import build
from app.paperwork.models import DocumentTemplate
from tests.helpers import api_token
from tests.paperwork.conftest import docx_text

SAMPLES = [(kind, mode) for kind in rules.KINDS for mode in (("person", "commune") if kind == "summons"
                                                             else ("person",))]


def _with_paragraph(template: bytes, text: str) -> bytes:
    doc = Document(BytesIO(template))
    doc.paragraphs[0].insert_paragraph_before(text)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("kind", "mode"), SAMPLES)
def test_shipped_templates_render_with_exactly_the_documented_fields(kind, mode):
    fields = present.sample(kind, mode)
    text = docx_text(render.render_docx(render.shipped(kind), fields, strict=True))
    assert "{{" not in text and "{%" not in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in text
    assert fields["course"]["title"] in text


def test_shipped_templates_are_what_the_builder_makes():
    for kind in rules.KINDS:
        shipped = docx_text(render.shipped(kind))
        assert shipped == docx_text(build(kind)), f"rebuild app/paperwork/docx/{kind}.docx (build_templates)"


def test_every_generated_docx_opens_in_libreoffice(tmp_path):
    """One soffice run converts every kind (both summons modes): a file LibreOffice cannot open yields no PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice is required (REQUIRE_LIBREOFFICE=1): apt-get install libreoffice-writer-nogui")
        pytest.skip("LibreOffice (Debian libreoffice-writer-nogui) is not installed")
    names = []
    for kind, mode in SAMPLES:
        name = f"{kind}-{mode}"
        (tmp_path / f"{name}.docx").write_bytes(render.render_docx(render.shipped(kind), present.sample(kind, mode)))
        names.append(name)
    profile = tmp_path / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "pdf"), *[str(tmp_path / f"{n}.docx") for n in names]],
                   check=True, capture_output=True, timeout=240)
    for name in names:
        pdf = tmp_path / "pdf" / f"{name}.pdf"
        assert pdf.exists(), f"LibreOffice could not open {name}.docx"
        reader = PdfReader(pdf)
        text = "".join(p.extract_text() for p in reader.pages)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text, name
        fonts = {str(f.get("/BaseFont")) for p in reader.pages for f in (p["/Resources"].get("/Font") or {})
                 .values()}
        assert any("Liberation" in f or "Times" in f for f in fonts), (name, fonts)
    summons = "".join(p.extract_text() for p in PdfReader(tmp_path / "pdf" / "summons-person.pdf").pages)
    assert len(PdfReader(tmp_path / "pdf" / "summons-person.pdf").pages) >= 3  # a letter per person, on its page
    assert "Nguyễn Thị Hồng Nhung" in summons


def test_an_uploaded_template_is_checked_then_used(client, db, paper, make_user):
    admin = make_user("admin")
    ah = {"Authorization": f"Bearer {api_token(client, admin.username)}"}
    oh = {"Authorization": f"Bearer {api_token(client, paper['organiser'].username)}"}
    base = client.get("/api/v1/document-templates/class_list.docx", headers=oh)
    assert base.status_code == 200 and base.content == render.shipped("class_list")

    def upload(headers, content):  # noqa: ANN001, ANN202
        return client.put("/api/v1/document-templates/class_list", headers=headers,
                          files={"file": ("tinh.docx", content, "application/octet-stream")})

    good = _with_paragraph(base.content, "MẪU RIÊNG CỦA TỈNH: {{ course.code }}")
    assert upload(oh, good).status_code == 403  # organisers may not replace templates
    for bad, why in ((_with_paragraph(base.content, "{{ truong_khong_co }}"), "truong_khong_co"),
                     (_with_paragraph(base.content, "{% for x in %}"), "cú pháp"),
                     (b"not a word file", "không phải là tài liệu Word")):
        r = upload(ah, bad)
        assert r.status_code == 422 and r.json()["code"] == "template_invalid", r.text
        assert why in r.json()["detail"]
    assert db.scalar(select(DocumentTemplate)) is None

    r = upload(ah, good)
    assert r.status_code == 200, r.text
    doc = client.post(f"/api/v1/courses/{paper['course'].id}/documents", headers=oh, json={"kind": "class_list"})
    text = docx_text(client.get(f"/api/v1/documents/{doc.json()['id']}/file.docx", headers=oh).content)
    assert f"MẪU RIÊNG CỦA TỈNH: {paper['course'].code}" in text
    listed = {t["kind"]: t for t in client.get("/api/v1/document-templates", headers=oh).json()}
    assert listed["class_list"]["custom"] and not listed["summons"]["custom"]

    assert client.delete("/api/v1/document-templates/class_list", headers=ah).status_code == 204
    text = docx_text(client.get(f"/api/v1/documents/{doc.json()['id']}/file.docx", headers=oh).content)
    assert "MẪU RIÊNG" not in text


def test_the_docs_list_every_field_a_template_may_use():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "paperwork.md").read_text(encoding="utf-8")

    def leaves(value, prefix=""):  # noqa: ANN001, ANN202
        if isinstance(value, dict):
            for k, v in value.items():
                yield from leaves(v, f"{prefix}.{k}" if prefix else k)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            yield from leaves(value[0], prefix + "[]")
        else:
            yield prefix

    missing = set()
    for kind, mode in SAMPLES:
        for path in leaves(present.sample(kind, mode)):
            name = path.rsplit(".", 1)[-1].removesuffix("[]")
            if f"`{name}" not in docs and f"{name}`" not in docs and f".{name}`" not in docs:
                missing.add(path)
    assert not missing, f"docs/paperwork.md does not list: {sorted(missing)}"


def test_a_template_that_fails_on_real_data_is_a_conflict_not_a_server_error(client, db, paper, make_user):
    admin = make_user("admin")
    ah = {"Authorization": f"Bearer {api_token(client, admin.username)}"}
    oh = {"Authorization": f"Bearer {api_token(client, paper['organiser'].username)}"}
    # The sample has 3 participants, this course 4: the division works on the sample and fails here.
    tricky = _with_paragraph(render.shipped("class_list"), "{{ 1 // (counts.participants - 4) }}")
    assert client.put("/api/v1/document-templates/class_list", headers=ah,
                      files={"file": ("t.docx", tricky, "application/octet-stream")}).status_code == 200
    r = client.post(f"/api/v1/courses/{paper['course'].id}/documents", headers=oh, json={"kind": "class_list"})
    assert r.status_code == 409 and r.json()["code"] == "template_failed"
    assert "mẫu mặc định" in r.json()["detail"]
