"""Receiving uploads: files are streamed to the staging folder and refused as soon as they pass the limit."""
from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.errors import DomainError
from app.materials import upload

BOUNDARY = "----nangluc-test-boundary"
CT = f"multipart/form-data; boundary={BOUNDARY}"


def _part_head(name: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()


def body(fields: dict[str, str], files: list[tuple[str, bytes]]) -> bytes:
    out = b""
    for k, v in fields.items():
        out += _part_head(k) + v.encode() + b"\r\n"
    for name, data in files:
        out += _part_head("files", name) + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def run(coro):  # noqa: ANN001, ANN201
    """In a thread of its own: Playwright's sync API keeps an event loop running in the main thread of the suite."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def chunks(data: bytes, size: int = 1000):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def test_fields_and_files_are_received_and_hashed(tmp_path):
    a, b = "Bài giảng số 1".encode() * 100, b"\x89PNG" + bytes(5000)
    received = run(upload.receive_multipart(
        chunks(body({"title": "Tiêu đề có dấu", "language": "vi"}, [("bài 1.pdf", a), ("ảnh.png", b)])), CT,
        limit=1 << 20, max_files=5, folder=tmp_path))
    assert received.fields == {"title": "Tiêu đề có dấu", "language": "vi"}
    assert [f.raw_name for f in received.files] == ["bài 1.pdf", "ảnh.png"]
    assert [f.size for f in received.files] == [len(a), len(b)]
    assert received.files[0].sha256 == hashlib.sha256(a).hexdigest()
    assert received.files[1].path.read_bytes() == b
    received.discard()
    assert not list(tmp_path.iterdir())


def test_streaming_stops_soon_after_the_limit_without_reading_the_rest(tmp_path):
    """A body that would be 10 GB: the parser must stop pulling a few chunks after the 1 MB limit."""
    limit, chunk = 1024 * 1024, 64 * 1024
    pulled = 0

    async def endless():
        nonlocal pulled
        head = _part_head("title") + b"x\r\n" + _part_head("files", "video.mp4")
        pulled += len(head)
        yield head
        for _ in range(10 * 1024 * 1024 * 1024 // chunk):
            pulled += chunk
            yield b"\0" * chunk

    with pytest.raises(DomainError) as err:
        run(upload.receive_multipart(endless(), CT, limit=limit, max_files=3, folder=tmp_path))
    assert err.value.code == "file_too_large" and err.value.status == 413
    assert "video.mp4" in err.value.message and "1 MB" in err.value.message
    assert pulled <= limit + 2 * chunk + 1024
    assert not list(tmp_path.iterdir()), "the partial file is removed"


def test_a_file_exactly_at_the_limit_is_accepted(tmp_path):
    received = run(upload.receive_multipart(chunks(body({}, [("a.bin", b"z" * 4096)]), 333), CT, limit=4096,
                                            max_files=1, folder=tmp_path))
    assert received.files[0].size == 4096


def test_a_second_file_over_the_limit_discards_the_first(tmp_path):
    with pytest.raises(DomainError):
        run(upload.receive_multipart(chunks(body({}, [("a.bin", b"a" * 10), ("b.bin", b"b" * 5000)])), CT,
                                     limit=4096, max_files=5, folder=tmp_path))
    assert not list(tmp_path.iterdir())


def test_too_many_files(tmp_path):
    with pytest.raises(DomainError) as err:
        run(upload.receive_multipart(chunks(body({}, [(f"{i}.pdf", b"%PDF-") for i in range(3)])), CT, limit=100,
                                     max_files=2, folder=tmp_path))
    assert err.value.code == "too_many_files"
    assert not list(tmp_path.iterdir())


def test_a_cut_off_body_is_refused(tmp_path):
    data = body({}, [("a.pdf", b"%PDF-1.4" * 100)])
    with pytest.raises(DomainError) as err:
        run(upload.receive_multipart(chunks(data[: len(data) // 2]), CT, limit=1 << 20, max_files=2,
                                     folder=tmp_path))
    assert err.value.code == "upload_invalid"
    assert not list(tmp_path.iterdir())


def test_an_empty_file_input_is_skipped(tmp_path):
    received = run(upload.receive_multipart(chunks(body({"title": "x"}, [("", b"")])), CT, limit=100, max_files=2,
                                            folder=tmp_path))
    assert received.files == [] and received.fields == {"title": "x"}


def test_not_multipart():
    with pytest.raises(DomainError) as err:
        run(upload.receive_multipart(chunks(b"{}"), "application/json", limit=100, max_files=1))
    assert err.value.code == "upload_invalid"


def test_stage_pulls_no_more_than_it_needs(tmp_path):
    pulled = 0

    def source():
        nonlocal pulled
        while True:
            pulled += 1
            yield b"\0" * 1000

    with pytest.raises(DomainError):
        upload.stage(source(), "lon.mp4", limit=10_000, folder=tmp_path)
    assert pulled == 11
    assert not list(tmp_path.iterdir())
