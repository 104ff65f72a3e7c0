"""What the materials pages and the API share: receiving an upload and reading its fields, and answering a
download (ranges, caching)."""
from __future__ import annotations

from email.utils import formatdate

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.auth.permissions import CSRF_HEADER, is_api
from app.auth.principal import Principal
from app.config import get_settings
from app.core.text import is_digits
from app.db import session_factory
from app.errors import Invalid, NotFound
from app.infra import limits
from app.materials import rules, service
from app.materials.storage import get_storage
from app.materials.upload import MAX_FIELDS, Received, receive_form, receive_multipart, request_too_large

DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def _guard(request: Request, files: int) -> None:
    """Refuse before reading a byte when the declared body is larger than `files` files at the limit could be."""
    limit = limits.materials_body(files)
    declared = request.headers.get("content-length", "")
    if is_digits(declared) and int(declared) > limit:
        raise request_too_large(limit)


def upload_guard(request: Request) -> None:
    """A dependency listed before the permission, so that it runs before anything reads the body."""
    _guard(request, get_settings().material_max_files)


def single_upload_guard(request: Request) -> None:
    _guard(request, 1)


async def receive(request: Request, max_files: int | None = None) -> Received:
    """The upload's fields and staged files, each file refused the moment it passes the size limit.

    The API and pages sent by our script (which puts the CSRF token in a header) are parsed while they stream in.
    A page form sent without JavaScript carries its CSRF token in the body, so the CSRF check has had Starlette
    parse it already (bounded by `upload_guard`); its files are then copied in chunks with the same limit.
    """
    settings = get_settings()
    max_files = max_files or settings.material_max_files
    if is_api(request) or request.headers.get(CSRF_HEADER):
        return await receive_multipart(request.stream(), request.headers.get("content-type", ""),
                                       limit=settings.material_max_bytes, max_files=max_files)
    form = await request.form(max_files=max_files, max_fields=MAX_FIELDS)
    return await receive_form(form, limit=settings.material_max_bytes, max_files=max_files)


def download(request: Request, db: Session, who: Principal, material_id: int, number: int | None = None,
             inline: bool = False) -> Response:
    """The file with its Vietnamese name, its real type, one byte range when asked, and an ETag from its hash."""
    m, v = service.open_for_download(db, who, material_id, number)
    storage = get_storage()
    if not storage.exists(v.sha256):
        raise NotFound("Tệp của tài liệu không còn trong kho lưu trữ; hãy báo cán bộ tổ chức.", code="file_missing")
    etag = f'"{v.sha256}"'
    last_modified = formatdate(v.uploaded_at.timestamp(), usegmt=True)
    headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "private, no-cache",
               "Accept-Ranges": "bytes", "Content-Security-Policy": DOWNLOAD_CSP,
               "Content-Disposition": rules.content_disposition(
                   v.original_name, inline=inline and v.kind in ("audio", "video", "image"))}
    if rules.etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    wanted = None
    if_range = (request.headers.get("if-range") or "").strip()
    if not if_range or if_range in (etag, last_modified):  # a changed file is sent whole, never spliced
        try:
            wanted = rules.parse_range(request.headers.get("range"), v.size)
        except rules.RangeNotSatisfiable:
            return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{v.size}"})
    start, end = (wanted.start, wanted.end) if wanted else (0, v.size - 1)
    headers["Content-Length"] = str(end - start + 1)
    if wanted:
        headers["Content-Range"] = wanted.content_range(v.size)
    status = 206 if wanted else 200
    # A download can stream for minutes on a commune's connection: give the database connection back to the pool
    # before the first byte, or a class downloading at once would hold every connection (the reads are done).
    db.close()
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=v.content_type)
    if start == 0:  # a player seeking or a download resuming is not another download
        service.count_download(session_factory(request), m.id)
    return StreamingResponse(storage.range(v.sha256, start, end), status_code=status, headers=headers,
                             media_type=v.content_type)


def _int(fields: dict[str, str], name: str) -> int | None:
    raw = fields.get(name, "").strip()
    if not raw:
        return None
    if not is_digits(raw):
        raise Invalid("invalid_input", f"Trường {name} phải là số nguyên.", field=name)
    return int(raw)


def home_from(fields: dict[str, str]) -> service.Home:
    return service.Home(course_id=_int(fields, "course_id"), course_module_id=_int(fields, "course_module_id"),
                        share=fields.get("share", "").lower() in ("1", "true", "on", "shared"),
                        curriculum_code=fields.get("curriculum") or None, module_code=fields.get("module") or None)


def details_from(fields: dict[str, str]) -> service.Details:
    return service.Details(title=fields.get("title", ""), description=fields.get("description", ""),
                           language=fields.get("language") or "vi")
