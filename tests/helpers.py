"""Helpers the tests share: signing in as a person would, and getting an API token."""
from __future__ import annotations

from fastapi.testclient import TestClient

PASSWORD = "Mat-khau-thu-2026"


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    """Sign in through the real page: fetch the form (and its CSRF cookie), then post it."""
    client.get("/login")
    token = client.cookies.get("nangluc_csrf")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/dashboard"}, follow_redirects=False)


def api_token(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
