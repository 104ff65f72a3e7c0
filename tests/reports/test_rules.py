"""The pure rules of the reports: periods, shares and rates, the small-cell rule, and the charts' markup."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.reports import charts, rules


@pytest.mark.parametrize(("key", "start", "end", "vi"), [
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "Năm 2026"),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
    ("2026-h2", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
    ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31), "Quý 1 năm 2025"),
    ("2025-Q2", date(2025, 4, 1), date(2025, 6, 30), "Quý 2 năm 2025"),
    ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31), "Quý 4 năm 2025"),
    ("", None, None, "Toàn bộ thời gian"),
])
def test_periods(key, start, end, vi):
    p = rules.parse_period(key)
    assert (p.start, p.end, p.vi) == (start, end, vi)


@pytest.mark.parametrize("key", ["2026-H3", "26", "2026-06", "1999", "năm 2026"])
def test_bad_periods_say_what_to_type(key):
    with pytest.raises(ValueError, match="2026-H1|khoảng"):
        rules.parse_period(key)


def test_period_between_dates():
    assert rules.period_between(date(2026, 3, 1), date(2026, 3, 31)).vi == "Từ 01/03/2026 đến 31/03/2026"
    with pytest.raises(ValueError, match="trước hoặc bằng"):
        rules.period_between(date(2026, 3, 2), date(2026, 3, 1))


def test_period_choices_start_with_this_year():
    keys = [p.key for p in rules.period_choices(date(2026, 11, 26), years=2)]
    assert keys == ["2026", "2026-H2", "2026-H1", "2025", "2025-H2", "2025-H1", ""]


def test_the_halves_between_two_dates():
    assert rules.halves_between(date(2024, 6, 30), date(2026, 1, 1)) == [20241, 20242, 20251, 20252, 20261]
    assert rules.halves_between(date(2025, 7, 1), date(2025, 12, 31)) == [20252]
    assert rules.halves_between(None, None) == [] and rules.halves_between(date(2026, 1, 1), date(2025, 1, 1)) == []


def test_half_keys_and_labels():
    assert rules.half_key(2026, 6) == 20261 and rules.half_key(2026, 7) == 20262
    assert rules.half_label(20262) == "6 tháng cuối năm 2026" and rules.half_label(20261, en=True) == "H1 2026"


def test_share_rounds_half_up_to_one_decimal_and_refuses_to_divide_by_nothing():
    assert rules.share(1, 8) == Decimal("12.5")
    assert rules.share(2, 3321) == Decimal("0.1")
    assert rules.share(1235, 10000) == Decimal("12.4")  # 12.35 → 12.4, not banker's 12.4/12.3 ambiguity
    assert rules.share(0, 10) == Decimal("0.0")
    assert rules.share(3, 0) is None and rules.share(None, 3) is None
    assert rules.rate(Decimal(11_500_000), Decimal(17_000_000)) == Decimal("67.6")
    assert rules.rate(5, 4) == Decimal("125.0")  # overspending shows as such


def test_small_cells_hide_both_groups_and_every_measure():
    shown = rules.suppress_pair({"minority": {"officials": 5, "attendances": 9}, "kinh": {"officials": 40}})
    assert not shown.hidden and shown.values["minority"]["officials"] == 5
    nobody = rules.suppress_pair({"minority": {"officials": 0}, "kinh": {"officials": 12}})
    assert not nobody.hidden  # a zero identifies nobody
    small = rules.suppress_pair({"minority": {"officials": 4, "attendances": 9}, "kinh": {"officials": 40}})
    assert small.hidden and small.values == {"minority": {"officials": None, "attendances": None},
                                             "kinh": {"officials": None}}
    assert "dưới 5 người" in small.reason_vi
    few_kinh = rules.suppress_pair({"minority": {"officials": 30}, "kinh": {"officials": 1}})
    assert few_kinh.hidden  # the small group may be the majority's


def test_bar_chart_is_escaped_svg_with_labels_values_and_a_title():
    svg = charts.bar_chart([charts.Bar("Xã <Tân Dĩnh>", 1234), charts.Bar("Phường Đa Mai", 0)],
                           title="Cán bộ", fmt=lambda v: f"{v:,}".replace(",", "."), chart_id="c1")
    assert svg.startswith("<svg") and "<title id=\"c1-t\">Cán bộ</title>" in svg
    assert "Xã &lt;Tân Dĩnh&gt;" in svg and ">1.234<" in svg and "<script" not in svg
    paired = charts.bar_chart([charts.Bar("Hội trường", 100, 50)], title="Kinh phí", fmt=str, series=("A", "B"),
                              chart_id="c2")
    assert 'fill="url(#c2-hatch)"' in paired  # the second series prints as hatching, not a colour
    empty = charts.column_chart([], title="Trống", fmt=str, chart_id="c3")
    assert "<svg" in empty
