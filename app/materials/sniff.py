"""What a file really is, decided from its bytes and never from its name (pure: a path in, a verdict out).

Accepted: PDF, DOCX, PPTX, XLSX, ODT, MP3, M4A, MP4, and JPEG, PNG, GIF, WebP images. Office files are ZIP
archives: the type is read from `[Content_Types].xml` (OOXML) or the `mimetype` entry (ODF) inside them, and
macro-enabled Office files are refused. Programs (ELF, Windows MZ/PE, Mach-O, scripts) are named as such in the
refusal, even when they carry a document's name or hide a PDF header a few bytes in.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.core.files import DOCX, XLSX

HEAD_BYTES = 4096
MAX_INNER_BYTES = 1024 * 1024  # never inflate more than this from an archive while sniffing (zip bombs)


@dataclass(frozen=True)
class FileType:
    code: str  # "pdf", "docx", … (also the canonical extension)
    mime: str
    kind: str  # document, audio, video, image
    label: str  # what people call it
    extensions: tuple[str, ...]


TYPES: dict[str, FileType] = {t.code: t for t in (
    FileType("pdf", "application/pdf", "document", "PDF", ("pdf",)),
    FileType("docx", DOCX, "document",
             "Word (DOCX)", ("docx",)),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "document",
             "PowerPoint (PPTX)", ("pptx",)),
    FileType("xlsx", XLSX, "document",
             "Excel (XLSX)", ("xlsx",)),
    FileType("odt", "application/vnd.oasis.opendocument.text", "document", "OpenDocument (ODT)", ("odt",)),
    FileType("mp3", "audio/mpeg", "audio", "MP3", ("mp3",)),
    FileType("m4a", "audio/mp4", "audio", "M4A", ("m4a", "m4b", "mp4")),
    FileType("mp4", "video/mp4", "video", "MP4", ("mp4", "m4v")),
    FileType("jpg", "image/jpeg", "image", "JPEG", ("jpg", "jpeg")),
    FileType("png", "image/png", "image", "PNG", ("png",)),
    FileType("gif", "image/gif", "image", "GIF", ("gif",)),
    FileType("webp", "image/webp", "image", "WebP", ("webp",)),
)}
KNOWN_EXTENSIONS = frozenset(e for t in TYPES.values() for e in t.extensions) | {
    "doc", "ppt", "xls", "exe", "dll", "bat", "cmd", "sh", "js", "html", "htm", "svg", "zip", "rar", "mov", "wav"}
ALLOWED_LABEL = "PDF, DOCX, PPTX, XLSX, ODT, MP3, M4A, MP4, JPEG, PNG, GIF, WebP"


@dataclass(frozen=True)
class Refused:
    code: str  # executable, macro, unknown, …
    what: str  # Vietnamese: what the content turned out to be


Verdict = FileType | Refused

_OOXML = (
    (b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docx"),
    (b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "pptx"),
    (b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsx"),
)
_MACRO = (b"macroEnabled", b"macroenabled")
_ODF = {b"application/vnd.oasis.opendocument.text": "odt"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A "}
_VIDEO_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP",
                 b"dash", b"MSNV", b"NDAS", b"F4V "}


def detect(path: Path) -> Verdict:
    """The type of the file at `path`, or why it is refused."""
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
        if not head:
            return Refused("empty", "tệp rỗng")
        program = _program(head)
        if program:
            return Refused("executable", program)
        if head.startswith(b"PK\x03\x04"):
            return _zip(path)
        if b"%PDF-" in head[:1024]:
            return TYPES["pdf"]
        if head[4:8] == b"ftyp":
            return _iso_media(head)
        if head.startswith(b"ID3") or _mpeg_audio_frame(head, 0):
            return _mp3(f, head)
        if head.startswith(b"\xff\xd8\xff"):
            return TYPES["jpg"]
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return TYPES["png"]
        if head.startswith((b"GIF87a", b"GIF89a")):
            return TYPES["gif"]
        if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
            return TYPES["webp"]
        return Refused("unknown", _other(head))


def _program(head: bytes) -> str | None:
    if head.startswith(b"\x7fELF"):
        return "chương trình chạy được (ELF, Linux)"
    if head.startswith(b"MZ"):
        return "chương trình chạy được (EXE/DLL, Windows)"
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
                    b"\xca\xfe\xba\xbe"):
        return "chương trình chạy được (macOS)"
    if head.startswith(b"#!"):
        return "tệp lệnh (script)"
    return None


def _other(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<script")):
        return "trang web (HTML)"
    if text.startswith(b"<?xml") or text.startswith(b"<svg"):
        return "XML hoặc ảnh SVG (có thể chứa mã lệnh)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "tệp Office đời cũ (DOC/XLS/PPT); hãy lưu lại dạng DOCX, XLSX hoặc PPTX"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "tệp nén (RAR/7z)"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "âm thanh WAV; hãy chuyển sang MP3 hoặc M4A"
    return "loại tệp không nhận ra"


def _zip(path: Path) -> Verdict:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                mime = _read_small(z, "mimetype").strip()
                code = _ODF.get(mime)
                if code:
                    return TYPES[code]
                return Refused("unknown", f"tài liệu OpenDocument loại khác ({mime.decode('ascii', 'replace')[:80]})")
            if "[Content_Types].xml" in names:
                types = _read_small(z, "[Content_Types].xml")
                if any(m in types for m in _MACRO):
                    return Refused("macro", "tệp Office có macro (mã lệnh chạy được)")
                for marker, code in _OOXML:
                    if marker in types:
                        return TYPES[code]
                return Refused("unknown", "tệp Office loại khác")
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return Refused("unknown", "tệp nén hỏng")
    return Refused("unknown", "tệp nén (ZIP)")


def _read_small(z: zipfile.ZipFile, name: str) -> bytes:
    info = z.getinfo(name)
    if info.file_size > MAX_INNER_BYTES:
        raise ValueError("entry too large to sniff")
    with z.open(info) as f:
        return f.read(MAX_INNER_BYTES)


def _iso_media(head: bytes) -> Verdict:
    size = int.from_bytes(head[:4], "big")
    brand = head[8:12]
    if size < 16 or size > 4096:
        return Refused("unknown", "tệp đa phương tiện hỏng")
    if brand in _AUDIO_BRANDS:
        return TYPES["m4a"]
    if brand in _VIDEO_BRANDS:
        return TYPES["mp4"]
    if brand == b"qt  ":
        return Refused("unknown", "video QuickTime (MOV); hãy chuyển sang MP4")
    if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return Refused("unknown", "ảnh HEIC/AVIF; hãy chuyển sang JPEG")
    if brand.startswith(b"3g"):
        return Refused("unknown", "video 3GP; hãy chuyển sang MP4")
    return Refused("unknown", f"tệp đa phương tiện loại khác ({brand.decode('ascii', 'replace')})")


_BITRATES_V1_L3 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2_L3 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_length(header: bytes) -> int | None:
    """The length of an MPEG audio Layer III frame starting with these 4 bytes, or None if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 3  # 3 = MPEG 1, 2 = MPEG 2, 0 = MPEG 2.5, 1 = reserved
    layer = (header[1] >> 1) & 3  # 1 = Layer III
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    padding = (header[2] >> 1) & 1
    rate = _SAMPLE_RATES[version][rate_index]
    if version == 3:
        return 144 * _BITRATES_V1_L3[bitrate_index] * 1000 // rate + padding
    return 72 * _BITRATES_V2_L3[bitrate_index] * 1000 // rate + padding


def _mpeg_audio_frame(data: bytes, at: int) -> bool:
    return _frame_length(data[at:at + 4]) is not None


def _mp3(f, head: bytes) -> Verdict:  # noqa: ANN001
    """An ID3 tag (its size is skipped) followed by a Layer III frame; where a second frame fits, it must follow."""
    offset = 0
    if head.startswith(b"ID3"):
        if len(head) < 10 or head[3] not in (2, 3, 4) or any(b >= 0x80 for b in head[6:10]):
            return Refused("unknown", "thẻ ID3 hỏng")
        size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]  # "syncsafe": 7 bits per byte
        offset = 10 + size + (10 if head[5] & 0x10 else 0)
    f.seek(offset)
    window = f.read(8192)
    skip = len(window) - len(window.lstrip(b"\x00"))  # some encoders pad after the tag
    length = _frame_length(window[skip:skip + 4])
    if length is None:
        return Refused("unknown", "không thấy khung âm thanh MP3")
    f.seek(offset + skip + length)
    following = f.read(4)
    ends = len(following) < 4 or following.startswith((b"TAG", b"APET", b"LYRI"))  # end of file or end tags
    if not ends and _frame_length(following) is None:
        return Refused("unknown", "khung âm thanh MP3 không liên tục")
    return TYPES["mp3"]
