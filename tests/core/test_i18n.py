"""Vietnamese is the source language; every string the UI shows has an English translation."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "DomainError": (2,), "Invalid": (2,), "Conflict": (2,),
            "NotFound": (1,), "Forbidden": (1,), "Unauthenticated": (1,)}


def _messages() -> set[str]:
    found: set[str] = set()
    for sub, method in (("templates", "jinja2"), ("app", "python")):
        mapping = [(f"**.{'html' if method == 'jinja2' else 'py'}", method)]
        options = {f"**.{'html' if method == 'jinja2' else 'py'}": {"extensions": "jinja2.ext.i18n"}}
        for _, _, message, _, _ in extract_from_dir(str(ROOT / sub), mapping, options, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.add(msgid)
    return found


def test_every_ui_string_has_an_english_translation():
    catalogue = i18n.translations("en")
    untranslated = sorted(m for m in _messages() if catalogue.gettext(m) == m and m != "Năng Lực"
                          and any(ch.isalpha() for ch in m))
    assert not untranslated, "run `make i18n` and translate: " + "; ".join(untranslated[:10])


def test_switching_locale_changes_the_words():
    token = i18n.current_locale.set("en")
    try:
        assert i18n.gettext("Đăng nhập") == "Sign in"
    finally:
        i18n.current_locale.reset(token)
    assert i18n.gettext("Đăng nhập") == "Đăng nhập"


def test_language_switch_page_flow(client):
    assert "Đăng nhập" in client.get("/login").text
    response = client.post("/lang", data={"locale": "en", "next": "/login",
                                          "csrf_token": client.cookies.get("nangluc_csrf")})
    assert response.status_code == 200  # followed the redirect back to /login
    assert "Sign in" in response.text and 'lang="en"' in response.text
