"""Receiving and serving a large training material: throughput, and memory that does not grow with the file.

    .venv/bin/python bench/materials_upload.py 200      # megabytes

Feeds a multipart body of one N MB file through the same streaming parser the upload routes use (64 KB chunks, as
uvicorn delivers them), then reads it back through the store in the ranges a media player asks for. Prints MB/s
and the process's peak resident memory before and after, which stays flat however large the file is.
"""
from __future__ import annotations

import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

SCRATCH = tempfile.mkdtemp(prefix="nangluc-bench-")
os.environ["NANGLUC_DATA_DIR"] = SCRATCH
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.materials import sniff, upload  # noqa: E402
from app.materials.storage import get_storage  # noqa: E402

CHUNK = 64 * 1024
BOUNDARY = "bench-boundary"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def body(megabytes: int):
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nVideo bài giảng\r\n"
           f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"video.mp4\"\r\n\r\n").encode()
    ftyp = (24).to_bytes(4, "big") + b"ftypisom\0\0\0\0isommp41"
    yield ftyp
    block = bytes(range(256)) * (CHUNK // 256)
    for _ in range(megabytes * 1024 * 1024 // CHUNK):
        yield block
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def main(megabytes: int) -> None:
    before = peak_mb()
    t0 = time.perf_counter()
    received = asyncio.run(upload.receive_multipart(body(megabytes), f"multipart/form-data; boundary={BOUNDARY}",
                                                    limit=(megabytes + 1) * 1024 * 1024, max_files=1))
    t1 = time.perf_counter()
    f = received.files[0]
    verdict = sniff.detect(f.path)
    storage = get_storage()
    storage.put(f.sha256, f.path)
    t2 = time.perf_counter()
    size, read, chunk = f.size, 0, 512 * 1024
    for start in range(0, size, chunk):  # a player fetching the file piece by piece
        for part in storage.range(f.sha256, start, min(start + chunk, size) - 1):
            read += len(part)
    t3 = time.perf_counter()
    assert read == size
    mb = size / (1024 * 1024)
    print(f"file: {mb:.0f} MB, sniffed as {getattr(verdict, 'label', verdict)}")
    print(f"receive (parse + SHA-256 + write): {t1 - t0:.2f} s, {mb / (t1 - t0):.0f} MB/s")
    print(f"sniff + move into the store:       {(t2 - t1) * 1000:.1f} ms")
    print(f"read back in 512 KB ranges:        {t3 - t2:.2f} s, {mb / (t3 - t2):.0f} MB/s")
    print(f"peak memory: {before:.0f} MB before, {peak_mb():.0f} MB after")


if __name__ == "__main__":
    try:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
