"""Every action the application records reads as words in the history tabs and the audit log, never as a code."""
from __future__ import annotations

import re
from pathlib import Path

from app.audit.labels import ACTIONS, action_label, summary
from app.courses.rules import STATUS_LABELS

APP = Path(__file__).resolve().parents[2] / "app"
RECORDED = re.compile(r"audit\.record\(\s*\w+,\s*[\w.]+,\s*f?[\"']([a-z_]+\.[a-z_]+)")


def test_every_recorded_action_has_a_vietnamese_and_an_english_label():
    found = {m.group(1) for path in APP.rglob("*.py") for m in RECORDED.finditer(path.read_text())}
    assert len(found) > 40, "the pattern still finds the application's audit.record calls"
    missing = sorted(a for a in found if action_label(a) == a)
    assert not missing, f"add these actions to app/audit/labels.py ACTIONS: {missing}"
    assert all(vi and en and vi != en for vi, en in ACTIONS.values())


def test_a_status_change_reads_in_words():
    assert summary("course.transition", {"status": ["running", "finished"]}, "vi", STATUS_LABELS) == \
        f"Chuyển trạng thái: {STATUS_LABELS['running'][0]} → {STATUS_LABELS['finished'][0]}"
    assert summary("course.transition", {"status": ["running", "finished"]}, "en", STATUS_LABELS).startswith(
        "Status changed: ")
    assert action_label("job.start.report_export") == "Bắt đầu tác vụ"  # a family's sub-name
    assert action_label("something.new") == "something.new"  # unknown: the code, never nothing
