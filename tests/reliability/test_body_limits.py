"""Oversized bodies: every route has a limit, checked on the declared length before a byte is read and on the bytes
as they stream; nobody can make the server receive an upload before it knows they may send one."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from app.config import get_settings
from app.infra.limits import LARGER
from app.main import create_app
from tests.helpers import api_token, sign_in
from tests.materials import files
from tests.materials.conftest import World, world  # noqa: F401 - a fixture, shared
from tests.reliability import live

MB = 1024 * 1024


class CountingReads:
    """An ASGI wrapper that counts the body bytes the application pulled from the server."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        self.read = 0

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        async def counted():  # noqa: ANN202
            message = await receive()
            if message["type"] == "http.request":
                self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def counting(app):  # noqa: ANN001
    wrapper = CountingReads(app)
    with TestClient(wrapper, base_url="http://testserver") as c:
        yield c, wrapper


def test_a_form_over_the_default_limit_gets_a_vietnamese_413_page(client):
    client.get("/login")
    body = "username=a&password=b&csrf_token=" + client.cookies.get("nangluc_csrf") + "&x=" + "a" * (2 * MB)
    r = client.post("/login", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert "Dữ liệu gửi lên lớn hơn mức cho phép." in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_json_over_the_default_limit_gets_a_json_413(client, make_user):
    organiser = make_user("organiser", unit="24")
    headers = {"Authorization": f"Bearer {api_token(client, organiser.username)}", "Content-Type": "application/json"}
    body = json.dumps({"curriculum": "CT2", "title": "x" * (2 * MB)})
    r = client.post("/api/v1/courses", content=body, headers=headers)
    assert r.status_code == 413
    assert r.json()["code"] == "request_too_large"
    assert r.json()["detail"] == "Dữ liệu gửi lên lớn hơn mức cho phép."


def test_the_limit_is_a_setting(client, monkeypatch):
    """NANGLUC_REQUEST_MAX_BYTES, read at each request."""
    form = {"username": "x" * (100 * 1024), "password": "y"}
    monkeypatch.setattr(get_settings(), "request_max_bytes", 64 * 1024)
    assert client.post("/api/v1/auth/token", data=form).status_code == 413
    monkeypatch.undo()
    assert client.post("/api/v1/auth/token", data=form).status_code in (401, 422)  # read, refused for what it says


def test_an_import_may_be_larger_than_a_form_but_not_larger_than_its_own_limit(client, make_user):
    organiser = make_user("organiser", unit="24")
    headers = {"Authorization": f"Bearer {api_token(client, organiser.username)}"}
    padded = b"\xef\xbb\xbfH\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan\n" + b"#" * (3 * MB)  # 3 MB: over 1 MB, under 5 MB
    r = client.post("/api/v1/trainees/import", headers=headers, files={"file": ("ds.csv", padded, "text/csv")})
    assert r.status_code == 422  # read and refused for what it holds, not for its size
    assert r.json()["errors"]
    huge = b"a" * (get_settings().import_max_bytes + 2 * MB)
    r = client.post("/api/v1/trainees/import", headers=headers, files={"file": ("ds.csv", huge, "text/csv")})
    assert r.status_code == 413
    assert r.json()["code"] == "request_too_large"


def test_staff_upload_a_material_larger_than_the_form_limit(world: World, client):  # noqa: F811
    token = api_token(client, "org-bn")
    video = files.mp4(3 * MB)
    r = client.post("/api/v1/materials", headers={"Authorization": f"Bearer {token}"},
                    data={"course_id": str(world.course.id)},
                    files=[("files", ("bai-giang.mp4", video, "video/mp4"))])
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["file"]["size"] == len(video)


def _multipart(csrf: str | None, size: int) -> tuple[bytes, str]:
    boundary = "nangluc-test-boundary"
    parts = []
    if csrf:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="to.mp4"\r\n'
                 f"Content-Type: video/mp4\r\n\r\n".encode() + files.mp4(size) + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_an_anonymous_upload_is_refused_without_reading_a_byte(world: World, counting):  # noqa: F811
    """The hole this closes: the CSRF check used to parse a whole multipart body before anyone was signed in."""
    client, wrapper = counting
    client.get("/login")
    body, content_type = _multipart(client.cookies.get("nangluc_csrf"), 3 * MB)
    wrapper.read = 0
    r = client.post(f"/courses/{world.course.id}/materials", content=body, headers={"Content-Type": content_type},
                    follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
    assert wrapper.read == 0
    assert not list((get_settings().data_dir / "materials" / "tmp").glob("upload-*"))


def test_a_signed_in_person_who_may_not_upload_is_refused_without_reading(world: World, counting):  # noqa: F811
    client, wrapper = counting
    assert sign_in(client, "hv-confirmed").status_code == 303
    body, content_type = _multipart(client.cookies.get("nangluc_csrf"), 3 * MB)
    wrapper.read = 0
    r = client.post(f"/courses/{world.course.id}/materials", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 403
    assert wrapper.read == 0


def test_the_organiser_form_upload_is_read_and_kept(world: World, counting):  # noqa: F811
    client, wrapper = counting
    assert sign_in(client, "org-bn").status_code == 303
    body, content_type = _multipart(client.cookies.get("nangluc_csrf"), 3 * MB)
    wrapper.read = 0
    r = client.post(f"/courses/{world.course.id}/materials", content=body, headers={"Content-Type": content_type},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/courses/{world.course.id}/materials"
    assert wrapper.read == len(body)


# --- a real server: bodies that stream without a declared length ---------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: ANN001
    data = tmp_path_factory.mktemp("limits")
    env = live.environment(f"sqlite:///{data}/db.sqlite", data / "data")
    live.prepare(env)
    s = live.serve(env, data / "server.log")
    yield s
    s.stop()


def _stream(url: str, path: str, headers: dict[str, str], total: int) -> tuple[bytes, int]:
    """Send a chunked body of `total` bytes as fast as the server takes it; return the server's answer and how many
    bytes had been sent when it came (the server may answer, and close, before the end)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock.sendall(head.encode())
    sent = 0
    answered_at: list[int] = []
    chunk = b"a" * (64 * 1024)

    def send() -> None:
        nonlocal sent
        try:
            while sent < total and not answered_at:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection after answering

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    while b"\r\n\r\n" not in answer:
        data = sock.recv(65536)
        if not data:
            break
        answer += data
    answered_at.append(sent)
    sender.join(30)
    sock.close()
    return answer, answered_at[0]


def test_a_streamed_body_is_cut_off_at_the_limit(server):
    answer, sent = _stream(server.url, "/api/v1/auth/token",
                           {"Content-Type": "application/x-www-form-urlencoded"}, 200 * MB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 50 * MB  # answered long before the 200 MB were sent: the rest was never read
    assert live.health(server.url) == 200


def test_a_streamed_anonymous_upload_is_refused_before_it_is_read(server):
    started = time.monotonic()
    answer, sent = _stream(server.url, "/courses/1/materials",
                           {"Content-Type": "multipart/form-data; boundary=x"}, 500 * MB)
    assert answer.startswith(b"HTTP/1.1 303"), answer[:200]
    assert b"location: /login" in answer.lower()
    assert sent < 50 * MB
    assert time.monotonic() - started < 20


def test_every_larger_limit_names_a_route_that_exists():
    declared = {(m, c.path) for c in iter_route_contexts(create_app().routes) for m in c.methods or ()}
    assert ("POST", "/api/v1/materials") in declared
    assert set(LARGER) <= declared, set(LARGER) - declared


def test_no_route_reads_a_body_from_a_caller_it_refuses(app, counting):  # noqa: ANN001
    """Every route that takes a body (a form, uploads, JSON) and is not public refuses an anonymous caller before
    FastAPI reads a byte of it: its permission runs first (app.db.Route). Before: the routes whose parameters are
    files or form fields (a PKCS#12 key, a .docx template, a roll-call sheet, …) had FastAPI receive and parse the
    whole body before the permission said no."""
    from fastapi.routing import APIRoute

    from app.db import _gate

    client, wrapper = counting
    body, content_type = _multipart(None, 256 * 1024)
    checked = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.body_field is None:
            continue
        gate = _gate(route.dependant)
        assert gate is not None, f"{route.path} declares no permission"
        if gate.is_public:
            continue
        path = route.path_format
        for name in route.param_convertors:
            path = path.replace("{" + name + "}", "1")
        for method in route.methods:
            wrapper.read = 0
            r = client.request(method, path, content=body, headers={"Content-Type": content_type},
                               follow_redirects=False)
            assert (r.status_code, wrapper.read) in ((401, 0), (303, 0)), (method, path, r.status_code, wrapper.read)
            checked.append(path)
    assert "/api/v1/courses/{course_id}/attendance/import".replace("{course_id}", "1") in checked
    assert len(checked) > 50
