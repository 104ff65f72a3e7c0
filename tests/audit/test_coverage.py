"""The audit trail is complete: every state-changing route of the app was, somewhere in this run, called with a
request that changed data, and the watch on every test app (tests/audit/watch.py) saw its audit event written in the
same request. A route that changes something on purpose without an event is listed in `NO_AUDIT` with its reason.

This test runs last (tests/conftest.py orders it) and only when the run is the whole suite: a partial run (`-k`,
chosen paths, `--deselect`) exercises only some routes, so it skips and says why.
"""
from __future__ import annotations

import pytest
from fastapi.routing import iter_route_contexts

from app.main import create_app
from tests.audit.watch import EXERCISED, NO_AUDIT, QUIET_READS, missing_routes, partial_run


def test_every_state_changing_route_was_exercised_with_its_audit_event(request):
    why = partial_run(request.config)
    if why is not None:
        pytest.skip(f"partial run ({why}): only the whole suite exercises every route")
    missing = missing_routes(EXERCISED)
    assert not missing, (
        "state-changing routes that no test called with a change (and its audit event); add a request to "
        "tests/audit/test_every_route.py, or list the route in NO_AUDIT (tests/audit/watch.py) with a reason:\n"
        + "\n".join(f"  {m} {p}" for m, p in missing))


def test_the_exceptions_name_only_routes_that_exist():
    routes = {(method, c.path) for c in iter_route_contexts(create_app().routes)
              for method in getattr(c, "methods", None) or ()}
    stale = (set(NO_AUDIT) | set(QUIET_READS)) - routes
    assert not stale, f"NO_AUDIT or QUIET_READS name routes the app no longer has: {sorted(stale)}"
