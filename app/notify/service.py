"""Notify a person: an in-app message in the same transaction as the decision, and an e-mail after the commit.

E-mail goes through SMTP when NANGLUC_SMTP_HOST is set; otherwise it is appended to `NANGLUC_DATA_DIR/outbox.log`,
which an organiser can read. Either way nothing is sent for a change that was rolled back.
"""
from __future__ import annotations

import json
import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import utcnow
from app.notify.models import Notification

log = logging.getLogger("nangluc.notify")
OUTBOX_KEY = "nangluc_outbox"


def notify(db: Session, user_id: int | None, subject: str, body: str, link: str | None = None,
           email: str | None = None, attachments: list[tuple[str, str, bytes]] | None = None) -> None:
    """Record an in-app notification now; queue the e-mail copy (with its attached files: name, media type,
    content) for after the commit."""
    if user_id is None and not email:
        return
    if user_id is not None:
        db.add(Notification(user_id=user_id, subject=subject[:300], body=body, link=link))
    if email:
        db.connection()  # be inside the transaction, so that its commit or rollback decides the e-mail's fate
        message = {"to": email, "subject": subject, "body": body, "link": link}
        if attachments:
            message["attachments"] = attachments
        db.info.setdefault(OUTBOX_KEY, []).append(message)


def outbox_mark(db: Session) -> int:
    """How many e-mails are queued now; with `discard_since`, forget the ones a rolled-back savepoint queued."""
    return len(db.info.get(OUTBOX_KEY, []))


def discard_since(db: Session, mark: int) -> None:
    del db.info.get(OUTBOX_KEY, [])[mark:]


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    for message in session.info.pop(OUTBOX_KEY, []):
        try:
            send_email(message)
        except Exception:  # a mail server being down must never undo or break the committed decision
            log.exception("could not send e-mail to %s", message["to"])


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous_transaction) -> None:  # noqa: ANN001
    # Fires for every rollback, even of a session that never reached the database.
    session.info.pop(OUTBOX_KEY, None)


def send_email(message: dict) -> None:
    s = get_settings()
    if not s.smtp_host:
        s.data_dir.mkdir(parents=True, exist_ok=True)
        logged = {**message, "attachments": [{"name": n, "media_type": t, "bytes": len(c)}
                                             for n, t, c in message.get("attachments", [])]}
        with (s.data_dir / "outbox.log").open("a", encoding="utf-8") as f:
            f.write(json.dumps({"at": utcnow().isoformat(), **logged}, ensure_ascii=False) + "\n")
        return
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = s.smtp_from, message["to"], message["subject"]
    msg.set_content(message["body"] + (f"\n\n{s.public_url}{message['link']}" if message.get("link") else ""))
    for name, media_type, content in message.get("attachments", []):
        maintype, _, subtype = media_type.partition("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        smtp.send_message(msg)


def unread_count(db: Session, user_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def recent(db: Session, user_id: int, limit: int = 30) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(db: Session, user_id: int) -> None:
    db.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
               .values(read_at=utcnow()))
