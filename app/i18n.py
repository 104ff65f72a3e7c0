"""Vietnamese first, English second: Babel catalogues compiled in memory at start-up, chosen per request."""
from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = ("vi", "en")
LOCALE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_TZ = "Asia/Ho_Chi_Minh"

current_locale: ContextVar[str] = ContextVar("current_locale", default="vi")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message kept in data for extraction (`pybabel -k N_`), unchanged; the page translates it when shown."""
    return message


@lru_cache
def translations(locale: str) -> _gettext.NullTranslations:
    """Source strings are Vietnamese; other locales come from `app/locale/<locale>/LC_MESSAGES/messages.po`."""
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "vi" or not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


_ = gettext


def pick_locale(cookie: str | None, user_locale: str | None, accept_language: str | None) -> str:
    """The switch in the header wins, then the account's choice, then Vietnamese (never the browser's guess alone)."""
    for candidate in (cookie, user_locale):
        if candidate in LOCALES:
            return candidate
    return "vi"


def fmt_date(value: date | datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, format=fmt, tzinfo=DEFAULT_TZ, locale=current_locale.get())
    return format_date(value, format=fmt, locale=current_locale.get())


def fmt_number(value: float | int | None) -> str:
    return "" if value is None else format_decimal(value, locale=current_locale.get())
