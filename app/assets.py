"""Static files under content-hashed names, so a browser keeps them for a year and asks again only when they change.

Templates write `{{ asset("app.css") }}`, which gives `/static/app.<hash>.css`: the name carries the first 10 hex
digits of the file's SHA-256, so a changed file gets a new address and nothing stale is ever served from a cache.
The manifest is built once at start-up (no build step: the hash is computed from the files as deployed). A hashed
name that is current is answered with `Cache-Control: public, max-age=31536000, immutable`; the plain name still
works (e.g. the favicon, Swagger UI) and must be revalidated (`no-cache`, with its ETag).
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

ROOT = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


@lru_cache(maxsize=1)
def manifest() -> dict[str, str]:
    """Relative path under static/ -> its hashed relative path, for every file."""
    out: dict[str, str] = {}
    for path in sorted(ROOT.rglob("*")):
        if path.is_file():
            rel = path.relative_to(ROOT).as_posix()
            stem, dot, ext = rel.rpartition(".")
            out[rel] = f"{stem}.{_digest(path)}.{ext}" if dot else rel
    return out


def asset(name: str) -> str:
    """The address a template links to: hashed when the file exists (it always should), plain otherwise."""
    return "/static/" + manifest().get(name, name)


class HashedStaticFiles(StaticFiles):
    """Serves `name.<hash>.ext` as `name.ext` with an immutable Cache-Control when the hash is the current one."""

    def __init__(self) -> None:
        super().__init__(directory=ROOT)
        self._current = {hashed: plain for plain, hashed in manifest().items()}

    def get_path(self, scope: Scope) -> str:
        path = super().get_path(scope)
        scope["nangluc.immutable"] = False
        rel = path.replace("\\", "/")
        if rel in self._current and self._current[rel] != rel:
            scope["nangluc.immutable"] = True
            return self._current[rel]
        match = _HASHED.match(rel)
        if match:  # an old hash (a page cached before a deploy): serve today's file, but not for a year
            return match["stem"] + match["ext"]
        return path

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = IMMUTABLE if scope.get("nangluc.immutable") else REVALIDATE
        return response
