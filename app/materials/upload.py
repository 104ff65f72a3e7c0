"""Receiving files: each one streamed to the staging folder chunk by chunk, hashed and counted on the way, and
refused the moment it passes the size limit, so that nothing ever reads a whole upload into memory or past the limit.

`receive_multipart` parses a multipart/form-data body as it arrives (python-multipart's streaming parser, fed from
the request stream); `receive_form` does the same for a form that Starlette has already parsed (a page submitted
without JavaScript, whose CSRF field had to be read first). Both give a `Received`: the text fields and the staged
files, which the caller hands to the service and discards afterwards.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData, UploadFile

from app.errors import DomainError, Invalid
from app.materials.rules import printable
from app.materials.storage import staging_dir

CHUNK = 64 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 40
FILE_FIELDS = ("files", "file")


def size_label(n: int) -> str:
    """200 MB, 512 KB: how a limit is said to people."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{n / 1024:.3g} KB"


def too_large(name: str, limit: int) -> DomainError:
    message = f"Tệp “{printable(name)}” lớn hơn giới hạn {size_label(limit)} cho mỗi tệp. Không tệp nào được lưu."
    return DomainError("file_too_large", message, field="files", status=413)


def request_too_large(limit: int) -> DomainError:
    message = f"Dữ liệu gửi lên lớn hơn mức cho phép ({size_label(limit)}). Không tệp nào được lưu."
    return DomainError("request_too_large", message, field="files", status=413)


@dataclass
class StagedFile:
    raw_name: str  # as the client sent it: checked by the service, never used on disk
    path: Path
    size: int
    sha256: str


class Stager:
    """One incoming file: written to a private temporary file in the staging folder, hashed, counted."""

    def __init__(self, raw_name: str, limit: int, folder: Path | None = None) -> None:
        self.raw_name = raw_name
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()
        fd, name = tempfile.mkstemp(dir=folder or staging_dir(), prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.discard()
            raise too_large(self.raw_name, self.limit)
        self._hash.update(data)
        self._file.write(data)

    def finish(self) -> StagedFile:
        self._file.close()
        return StagedFile(self.raw_name, self.path, self.size, self._hash.hexdigest())

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def stage(chunks: Iterable[bytes], raw_name: str, limit: int, folder: Path | None = None) -> StagedFile:
    """Take chunks until the end, or stop pulling as soon as the file is one byte over the limit."""
    s = Stager(raw_name, limit, folder)
    try:
        for chunk in chunks:
            s.write(chunk)
    except BaseException:
        s.discard()
        raise
    return s.finish()


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[StagedFile] = field(default_factory=list)

    def discard(self) -> None:
        """Remove staged files that were not taken into the store (after a refusal, or always: `put` moves them)."""
        for f in self.files:
            f.path.unlink(missing_ok=True)


class _Parts:
    """python-multipart callbacks: file parts go to a Stager as their bytes arrive, text fields into a dict."""

    def __init__(self, received: Received, limit: int, max_files: int, folder: Path | None) -> None:
        self.received, self.limit, self.max_files, self.folder = received, limit, max_files, folder
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._stager: Stager | None = None
        self._field: str | None = None
        self._value = bytearray()
        self._skip = False
        self.ended = False

    def on_end(self) -> None:
        self.ended = True

    def discard(self) -> None:
        if self._stager is not None:
            self._stager.discard()
            self._stager = None

    def on_part_begin(self) -> None:
        self._disposition, self._field, self._stager, self._skip = b"", None, None, False
        self._value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = _decode(options.get(b"name", b""))
        if b"filename" in options:
            raw_name = _decode(options[b"filename"])
            if not raw_name and name in FILE_FIELDS:
                self._skip = True  # an empty file input: the browser sends the part with no name and no bytes
                return
            if len(self.received.files) >= self.max_files:
                raise Invalid("too_many_files", f"Mỗi lần tải lên tối đa {self.max_files} tệp.", field="files")
            self._stager = Stager(raw_name, self.limit, self.folder)
            return
        if len(self.received.fields) >= MAX_FIELDS:
            raise Invalid("upload_invalid", "Biểu mẫu gửi lên có quá nhiều trường.")
        self._field = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._stager is not None:
            self._stager.write(data[start:end])
        elif self._field is not None:
            self._value += data[start:end]
            if len(self._value) > MAX_FIELD_BYTES:
                raise Invalid("field_too_long", f"Trường “{self._field[:40]}” quá dài.", field=self._field[:40])

    def on_part_end(self) -> None:
        if self._stager is not None:
            self.received.files.append(self._stager.finish())
            self._stager = None
        elif self._field is not None and not self._skip:
            self.received.fields[self._field] = _decode(bytes(self._value))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def boundary_of(content_type: str) -> bytes:
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise Invalid("upload_invalid", "Cần gửi tệp theo dạng multipart/form-data.", field="files")
    return boundary


async def receive_multipart(stream: AsyncIterable[bytes], content_type: str, *, limit: int, max_files: int,
                            folder: Path | None = None) -> Received:
    """Parse the body while it arrives; stop reading the moment a file passes `limit` (nothing is kept then)."""
    received = Received()
    parts = _Parts(received, limit, max_files, folder)
    callbacks = {name: getattr(parts, name) for name in (
        "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value", "on_header_end",
        "on_headers_finished", "on_end")}
    try:
        parser = MultipartParser(boundary_of(content_type), callbacks)  # type: ignore[arg-type]
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
        if not parts.ended:  # the client stopped before the closing boundary
            raise FormParserError("body ended early")
    except FormParserError:
        parts.discard()
        received.discard()
        raise Invalid("upload_invalid", "Dữ liệu tải lên không hợp lệ hoặc bị ngắt giữa chừng.", field="files"
                      ) from None
    except BaseException:
        parts.discard()
        received.discard()
        raise
    return received


async def receive_form(form: FormData, *, limit: int, max_files: int, folder: Path | None = None) -> Received:
    """The same from a form Starlette has parsed already: each file copied in chunks, with the same limit."""
    received = Received()
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if not value.filename and key in FILE_FIELDS:
                    continue
                if len(received.files) >= max_files:
                    raise Invalid("too_many_files", f"Mỗi lần tải lên tối đa {max_files} tệp.", field="files")
                s = Stager(value.filename or "", limit, folder)
                try:
                    while chunk := await value.read(CHUNK):
                        s.write(chunk)
                except BaseException:
                    s.discard()
                    raise
                received.files.append(s.finish())
            elif key not in received.fields:
                received.fields[key] = value[:MAX_FIELD_BYTES]
    except BaseException:
        received.discard()
        raise
    return received
