"""The type comes from the bytes: real small files are recognised, programs and look-alikes are refused."""
from __future__ import annotations

import pytest

from app.materials import sniff
from tests.materials import files


@pytest.fixture
def write(tmp_path):
    def _write(data: bytes, name: str = "tep.bin"):
        path = tmp_path / name
        path.write_bytes(data)
        return sniff.detect(path)

    return _write


@pytest.mark.parametrize(("make", "code", "mime"), [
    (files.pdf, "pdf", "application/pdf"),
    (files.docx, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (files.xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (files.pptx, "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (files.odt, "odt", "application/vnd.oasis.opendocument.text"),
    (files.mp3, "mp3", "audio/mpeg"),
    (lambda: files.mp3(id3=False), "mp3", "audio/mpeg"),
    (files.m4a, "m4a", "audio/mp4"),
    (files.mp4, "mp4", "video/mp4"),
    (files.png, "png", "image/png"),
    (files.jpeg, "jpg", "image/jpeg"),
])
def test_real_files_are_recognised(write, make, code, mime):
    verdict = write(make())
    assert isinstance(verdict, sniff.FileType), verdict
    assert (verdict.code, verdict.mime) == (code, mime)


@pytest.mark.parametrize(("make", "code", "says"), [
    (files.elf, "executable", "ELF"),
    (files.exe_with_pdf_header, "executable", "EXE"),
    (lambda: b"#!/bin/sh\nrm -rf /\n", "executable", "script"),
    (files.docm, "macro", "macro"),
    (files.plain_zip, "unknown", "ZIP"),
    (files.html, "unknown", "HTML"),
    (lambda: b'<?xml version="1.0"?><svg onload="alert(1)"/>', "unknown", "SVG"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "unknown", "DOC"),
    (lambda: files.iso_media(b"qt  "), "unknown", "MOV"),
    (lambda: b"PK\x03\x04" + b"\0" * 100, "unknown", "hỏng"),
    (lambda: files.mp3()[:40] + b"\x12\x34" * 300, "unknown", "MP3"),
    (lambda: b"Chi la van ban thuong", "unknown", "không nhận ra"),
])
def test_look_alikes_are_refused_with_what_they_are(write, make, code, says):
    verdict = write(make(), "tai-lieu.pdf")
    assert isinstance(verdict, sniff.Refused)
    assert verdict.code == code and says in verdict.what


def test_a_pdf_named_mp3_is_still_a_pdf(write):
    assert write(files.pdf(), "ban-tin.mp3").code == "pdf"


def test_an_archive_entry_too_big_to_sniff_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b" " * (sniff.MAX_INNER_BYTES + 1))
    verdict = sniff.detect(path)
    assert isinstance(verdict, sniff.Refused)
