"""Notifications: reading the page changes nothing; the "mark all as read" button (a POST with CSRF) does."""
from __future__ import annotations

from sqlalchemy import select

from app.notify.models import Notification
from tests.helpers import sign_in


def test_reading_the_page_keeps_notifications_unread_until_the_button_is_pressed(client, db, make_user):
    user = make_user("trainee", username="reader")
    db.add(Notification(user_id=user.id, subject="Đã xác nhận", body="Bạn đã được xác nhận vào khoá học."))
    db.flush()
    sign_in(client, "reader")

    page = client.get("/notifications")
    assert page.status_code == 200 and "Đánh dấu tất cả là đã đọc" in page.text
    assert db.scalar(select(Notification.read_at).where(Notification.user_id == user.id)) is None

    refused = client.post("/notifications/read", data={})  # no CSRF token
    assert refused.status_code == 403
    assert db.scalar(select(Notification.read_at).where(Notification.user_id == user.id)) is None

    done = client.post("/notifications/read", data={"csrf_token": client.cookies.get("nangluc_csrf")},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    db.expire_all()
    assert db.scalar(select(Notification.read_at).where(Notification.user_id == user.id)) is not None
    assert "Đánh dấu tất cả là đã đọc" not in client.get("/notifications").text
