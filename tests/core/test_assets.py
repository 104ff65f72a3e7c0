"""Light pages: static files under content-hashed names are cached for a year, everything else is compressed."""
from __future__ import annotations

import re

from app.assets import IMMUTABLE, asset, manifest


def test_every_static_link_in_a_page_is_content_hashed_and_immutable(client):
    page = client.get("/login")
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert links, "the sign-in page links its stylesheet and scripts"
    for link in links:
        assert re.search(r"\.[0-9a-f]{10}\.[a-z]+$", link), f"{link} has no content hash"
        answer = client.get(link)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == IMMUTABLE


def test_a_plain_or_stale_name_is_still_served_but_must_be_revalidated(client):
    for path in ("/static/app.css", "/static/app.0123456789.css"):
        answer = client.get(path)
        assert answer.status_code == 200 and "immutable" not in answer.headers["cache-control"]
        assert answer.content == client.get(asset("app.css")).content


def test_a_changed_file_gets_a_new_name(tmp_path, monkeypatch):
    import app.assets as assets

    (tmp_path / "a.css").write_text("body{}")
    monkeypatch.setattr(assets, "ROOT", tmp_path)
    manifest.cache_clear()
    try:
        first = asset("a.css")
        (tmp_path / "a.css").write_text("body{color:red}")
        manifest.cache_clear()
        assert asset("a.css") != first and asset("a.css").endswith(".css")
    finally:
        manifest.cache_clear()


def test_pages_and_static_files_are_compressed_when_the_browser_accepts_it(client):
    for path in ("/login", asset("vendor/pico-2.1.1.min.css"), asset("vendor/htmx-2.0.11.min.js")):
        br = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert br.headers["content-encoding"] == "br", path
        gz = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["content-encoding"] == "gzip", path
        assert client.get(path, headers={"Accept-Encoding": "identity"}).headers.get("content-encoding") is None


def test_a_page_links_htmx_only_when_it_uses_it(client, make_user):
    from tests.helpers import sign_in

    htmx = asset("vendor/htmx-2.0.11.min.js")
    login = client.get("/login", headers={"Accept-Encoding": "identity"})
    assert htmx not in login.text and " hx-" not in login.text
    assert int(login.headers["content-length"]) == len(login.content)  # the shortened page says its own length
    sign_in(client, make_user("trainee", unit="07432").username)
    places = client.get("/places")
    assert " hx-" in places.text and htmx in places.text
