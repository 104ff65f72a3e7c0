"""iCalendar (RFC 5545) feeds: one VEVENT per session, in Vietnam's time zone, with stable UIDs.

A phone or Outlook that subscribes to a feed replaces an event when a later download has the same UID and a higher
SEQUENCE, so UIDs come from the session id (``session_uid``) and never change, and a cancelled course keeps its
events with STATUS:CANCELLED instead of dropping them. Times are written with TZID=Asia/Ho_Chi_Minh and the calendar
carries its own VTIMEZONE (UTC+7 all year, no daylight saving since 1975), so that clients that do not know the
Olson name still show the right hour. DTSTAMP and LAST-MODIFIED are in UTC, as RFC 5545 requires.

Line folding at 75 octets, escaping and CRLF line ends are done by the ``icalendar`` library.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vText

from app.core.text import nfc

__all__ = ["PRODID", "TZID", "CalEvent", "build_calendar", "session_uid"]

PRODID = "-//Năng Lực//nangluc//VI"
TZID = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TZID)
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})


@dataclass(frozen=True)
class CalEvent:
    """One event of a feed. ``start`` and ``end`` must be time-zone aware; ``sequence`` goes up at each change."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str | None = None
    description: str | None = None
    url: str | None = None
    status: str = "CONFIRMED"
    sequence: int = 0
    last_modified: datetime | None = None


def session_uid(session_id: int, host: str) -> str:
    """The UID of a session's event, e.g. ``session-42@nangluc.example.vn``: the same for the session's whole life."""
    return f"session-{int(session_id)}@{(host or '').strip().lower() or 'nangluc'}"


def _vn(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be time-zone aware, got {at!r}")
    return at.astimezone(VN)


def _utc(at: datetime) -> datetime:
    """UTC; a naive value is taken as UTC already (the database's convention)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _vtimezone() -> Timezone:
    """Asia/Ho_Chi_Minh: UTC+7 with no daylight saving since 13 June 1975 (before that UTC+8)."""
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1975, 6, 13))
    standard.add("tzoffsetfrom", datetime(1975, 6, 13, tzinfo=ZoneInfo("Etc/GMT-8")).utcoffset())
    standard.add("tzoffsetto", datetime(1975, 6, 13, tzinfo=VN).utcoffset())
    standard.add("tzname", "+07")
    tz.add_component(standard)
    return tz


def _event(e: CalEvent, stamp: datetime) -> Event:
    status = e.status.upper()
    if status not in STATUSES:
        raise ValueError(f"unknown event status {e.status!r}")
    ev = Event()
    ev.add("uid", e.uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", _vn(e.start, "start"))
    ev.add("dtend", _vn(e.end, "end"))
    ev.add("summary", nfc(e.summary))
    if e.location:
        ev.add("location", nfc(e.location))
    if e.description:
        ev.add("description", nfc(e.description))
    if e.url:
        ev.add("url", e.url)
    ev.add("sequence", max(0, int(e.sequence)))
    ev.add("status", status)
    if e.last_modified is not None:
        ev.add("last-modified", _utc(e.last_modified))
    return ev


def build_calendar(name: str, events: Sequence[CalEvent], now: datetime) -> bytes:
    """The whole feed as bytes (UTF-8, CRLF line ends, folded lines); ``now`` becomes every event's DTSTAMP."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # TEXT values (RFC 7986 NAME and the de-facto X-WR-CALNAME), escaped like SUMMARY: the library does not know them.
    cal.add("x-wr-calname", vText(nfc(name)))
    cal.add("name", vText(nfc(name)))
    cal.add("x-wr-timezone", TZID)
    cal.add_component(_vtimezone())
    stamp = _utc(now)
    for e in events:
        cal.add_component(_event(e, stamp))
    return cal.to_ical()
