"""Notify a person: an in-app message in the same transaction as the decision, and an e-mail after the commit.

E-mail goes through SMTP when NANGLUC_SMTP_HOST is set; otherwise it is appended to `NANGLUC_DATA_DIR/outbox.log`,
which an organiser can read. Either way nothing is sent for a change that was rolled back. On PostgreSQL the e-mail
is a task on the queue (app.jobs.queue), deferred in the change's own transaction and sent by `nangluc worker`,
retried with a growing wait while the mail server refuses it; never from the request. On SQLite it is sent by the
web process right after the commit.
"""
from __future__ import annotations

import base64
import json
import logging
import smtplib
from email.message import EmailMessage

import procrastinate
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import utcnow
from app.jobs import queue
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
        message = {"to": email, "subject": subject, "body": body, "link": link}
        if queue.in_use(db):
            if attachments:  # the queue keeps JSON: files travel as base64 text
                message["attachments"] = [[n, t, base64.b64encode(c).decode("ascii")] for n, t, c in attachments]
            queue.defer(db, send_queued, message=message)  # committed with the change, or gone with it
            return
        db.connection()  # be inside the transaction, so that its commit or rollback decides the e-mail's fate
        if attachments:
            message["attachments"] = attachments
        db.info.setdefault(OUTBOX_KEY, []).append(message)


def email_statement(email: str, subject: str, body: str, link: str | None, subject_sql: str | None = None
                    ) -> tuple[str, dict]:
    """The statement that queues the e-mail `notify` queues on PostgreSQL (no attachments), for a caller that sends
    it with others in one round trip; `subject_sql`: an SQL expression that makes the subject in the statement."""
    args_sql = "%(args)s" if subject_sql is None else (
        f"jsonb_set(%(args)s::jsonb, '{{message,subject}}', to_jsonb(({subject_sql})::text))")
    return queue.defer_statement(send_queued, args_sql,
                                 message={"to": email, "subject": subject, "body": body, "link": link})


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


@queue.queue.task(name="nangluc.email", queue="email",
                  retry=procrastinate.RetryStrategy(max_attempts=10, exponential_wait=10))
def send_queued(message: dict) -> None:
    """An e-mail from the queue, in `nangluc worker`; an SMTP refusal raises, and the queue tries again later."""
    send_email(message)


def _files(message: dict) -> list[tuple[str, str, bytes]]:
    return [(n, t, c if isinstance(c, bytes) else base64.b64decode(c)) for n, t, c in message.get("attachments", [])]


def send_email(message: dict) -> None:
    s = get_settings()
    if not s.smtp_host:
        s.data_dir.mkdir(parents=True, exist_ok=True)
        logged = {**message, "attachments": [{"name": n, "media_type": t, "bytes": len(c)}
                                             for n, t, c in _files(message)]}
        with (s.data_dir / "outbox.log").open("a", encoding="utf-8") as f:
            f.write(json.dumps({"at": utcnow().isoformat(), **logged}, ensure_ascii=False) + "\n")
        return
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = s.smtp_from, message["to"], message["subject"]
    msg.set_content(message["body"] + (f"\n\n{s.public_url}{message['link']}" if message.get("link") else ""))
    for name, media_type, content in _files(message):
        maintype, _, subtype = media_type.partition("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
        if s.smtp_starttls:
            smtp.starttls()
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        smtp.send_message(msg)


def recent(db: Session, user_id: int, limit: int = 30) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(db: Session, user_id: int) -> None:
    db.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
               .values(read_at=utcnow()))
