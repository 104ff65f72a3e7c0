"""Which keys may sign: one reason per refusal, in the order a person fixes them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.signing import rules

NOW = datetime(2026, 12, 3, tzinfo=UTC)
GOOD = rules.KeyFacts(opened=True, has_key=True, has_cert=True, key_matches_cert=True,
                      not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=30), is_ca=False,
                      may_sign_documents=True)


def _with(**changes) -> rules.KeyFacts:  # noqa: ANN003
    return rules.KeyFacts(**{**GOOD.__dict__, **changes})


def test_a_good_key_may_sign():
    assert rules.may_sign(GOOD, NOW) is None


def test_each_refusal_has_its_reason():
    assert rules.may_sign(_with(opened=False, has_key=False), NOW).code == "wrong_password"
    assert rules.may_sign(_with(has_cert=False), NOW).code == "no_key"
    assert rules.may_sign(_with(key_matches_cert=False), NOW).code == "key_mismatch"
    assert rules.may_sign(_with(not_after=NOW), NOW).code == "certificate_expired"
    assert rules.may_sign(_with(not_before=NOW + timedelta(seconds=1)), NOW).code == "certificate_not_yet_valid"
    assert rules.may_sign(_with(is_ca=True), NOW).code == "certificate_is_ca"
    assert rules.may_sign(_with(may_sign_documents=False), NOW).code == "certificate_not_for_signing"


def test_a_mismatch_is_reported_before_the_dates():
    assert rules.may_sign(_with(key_matches_cert=False, not_after=NOW), NOW).code == "key_mismatch"
