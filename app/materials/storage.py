"""Where material files live: a small interface, and the local data folder as its default implementation.

Files are content-addressed: the key is the SHA-256 of the bytes, so the same file uploaded twice (or attached to
two courses) is stored once, a name can never steer where a file is written, and the key doubles as the ETag.
docs/materials.md explains how a deployment that outgrows one server would put an S3-compatible bucket behind the
same five methods.
"""
from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from app.config import get_settings

CHUNK = 256 * 1024
_KEY = re.compile(r"^[0-9a-f]{64}$")


class Storage(Protocol):
    def put(self, key: str, source: Path) -> None:
        """Take a finished, checked file from the staging folder and keep it under `key` (no-op if already kept)."""

    def open(self, key: str) -> BinaryIO:
        """The whole file for reading."""

    def range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end (inclusive) in chunks, read lazily as the response is sent."""

    def delete(self, key: str) -> None:
        """Forget the file (nothing happens if it is not there)."""

    def exists(self, key: str) -> bool:
        """Whether a file is kept under `key`."""


class LocalStorage:
    """Files under `root/ab/cd/abcd…`: two levels of fan-out keep every folder small."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("a storage key is a lower-case SHA-256 in hex")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, source: Path) -> None:
        target = self.path(key)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        os.replace(source, target)  # atomic on one file system: a reader never sees half a file
        target.chmod(0o640)

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with self.open(key) as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()


def get_storage() -> Storage:
    """The configured store: the `materials` folder inside NANGLUC_DATA_DIR."""
    return LocalStorage(get_settings().data_dir / "materials")


STALE_SECONDS = 24 * 3600


def staging_dir() -> Path:
    """Uploads are written here while they arrive, on the same file system as the local store (`put` renames).

    A request removes its own staged files whatever happens; what a killed process left behind is removed here
    once it is a day old.
    """
    d = get_settings().data_dir / "materials" / "tmp"
    d.mkdir(parents=True, exist_ok=True, mode=0o750)
    cutoff = time.time() - STALE_SECONDS
    for old in d.glob("upload-*.part"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return d
