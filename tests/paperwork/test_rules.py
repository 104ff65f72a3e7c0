"""Money in figures and words, the Decree 30 lines, registration and rate checks: pure rules, no database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.paperwork import present, rules


@pytest.mark.parametrize(("amount", "words"), [
    (0, "Không đồng"),
    (1_000_005, "Một triệu không trăm linh năm đồng"),
    (21_000_000, "Hai mươi mốt triệu đồng"),
    (1_000_000_000, "Một tỷ đồng"),
    (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
    (15, "Mười lăm đồng"),
    (25, "Hai mươi lăm đồng"),
    (105, "Một trăm linh năm đồng"),
    (11, "Mười một đồng"),
    (21, "Hai mươi mốt đồng"),
    (101, "Một trăm linh một đồng"),
    (110, "Một trăm mười đồng"),
    (14, "Mười bốn đồng"),
    (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
    (1_000_010_000, "Một tỷ không trăm mười nghìn đồng"),
    (1_000_000_001, "Một tỷ không trăm linh một đồng"),
    (2_000_000_000_000, "Hai nghìn tỷ đồng"),
    (1_000_000_000_000_000, "Một triệu tỷ đồng"),
    (35_500, "Ba mươi lăm nghìn năm trăm đồng"),
    (999_999_999, "Chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng"),
])
def test_amounts_in_words(amount, words):
    assert rules.amount_in_words(amount) == words


def test_the_southern_le_and_refusals():
    assert rules.amount_in_words(105, odd="lẻ") == "Một trăm lẻ năm đồng"
    assert rules.amount_in_words(Decimal("1250000")) == "Một triệu hai trăm năm mươi nghìn đồng"
    with pytest.raises(ValueError):
        rules.number_words(-1)


@pytest.mark.parametrize(("amount", "text"), [(0, "0"), (950, "950"), (1_250_000, "1.250.000"),
                                              (21_000_000, "21.000.000"), (-5000, "-5.000")])
def test_grouping(amount, text):
    assert rules.group(amount) == text


def test_decree_30_date_line_has_leading_zeros_for_days_below_10_and_months_1_and_2():
    assert rules.date_line("Bắc Ninh", date(2026, 2, 5), 2026) == "Bắc Ninh, ngày 05 tháng 02 năm 2026"
    assert rules.date_line("Bắc Ninh", date(2026, 1, 31), 2026) == "Bắc Ninh, ngày 31 tháng 01 năm 2026"
    assert rules.date_line("Bắc Ninh", date(2026, 3, 9), 2026) == "Bắc Ninh, ngày 09 tháng 3 năm 2026"
    assert rules.date_line("Hà Nội", date(2026, 12, 15), 2026) == "Hà Nội, ngày 15 tháng 12 năm 2026"
    blank = rules.date_line("Bắc Ninh", None, 2027)
    assert blank.startswith("Bắc Ninh, ngày\u00a0") and blank.endswith("năm 2027") and "tháng\u00a0" in blank


def test_number_line_blank_until_registered():
    assert rules.number_line(None, "QĐ", "SVHTTDL") == f"Số: {rules.BLANK}/QĐ-SVHTTDL"
    assert rules.number_line("15", "QĐ", "SVHTTDL") == "Số: 15/QĐ-SVHTTDL"
    assert rules.number_line("15/QĐ-UBND", "QĐ", "SVHTTDL") == "Số: 15/QĐ-UBND"
    assert rules.number_line("7", "QĐ", "") == "Số: 7/QĐ"


def test_registration_checks():
    today = date(2026, 3, 10)
    assert rules.check_registration("15", date(2026, 3, 9), today) == []
    codes = {r.code for r in rules.check_registration("", None, today)}
    assert codes == {"number_required", "signed_on_required"}
    assert [r.code for r in rules.check_registration("abc", date(2026, 3, 11), today)] == [
        "number_invalid", "signed_on_future"]


def test_signer_and_authority():
    assert rules.signer_lines("KT. Giám đốc / Phó Giám đốc") == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert present.authority("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "Sở Văn hóa, Thể thao và Du lịch") == \
        "GIÁM ĐỐC SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"
    assert present.authority("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "UBND xã") == "ỦY BAN NHÂN DÂN"


def test_rates_and_payments():
    assert rules.check_rate("per_diem", "day", 150000, "meals_per_diem") == []
    assert [r.code for r in rules.check_rate("per_diem", "hour", 0, "hall")] == [
        "rate_per_invalid", "rate_amount_invalid", "budget_line_category"]
    assert [r.code for r in rules.check_rate("lecturer_fee", "session", 1, None)] == ["budget_line_unknown"]
    rates = {"per_diem": rules.Rate("per_diem", "day", 150_000), "travel": rules.Rate("travel", "trip", 100_000),
             "accommodation": rules.Rate("accommodation", "night", 300_000)}
    assert rules.trainee_line(rates, 3) == {"per_diem": 450_000, "travel": 100_000, "accommodation": 600_000,
                                            "total": 1_150_000}
    assert rules.trainee_line(rates, 0)["total"] == 0
    fee = rules.lecturer_line(rules.Rate("lecturer_fee", "hour", 333_333), 2, Decimal("7.5"))
    assert fee["amount"] == 2_499_998  # 2 499 997.5, half up
    assert rules.over_budget(1_000_001, [Decimal(1_000_000)]).code == "over_budget"
    assert rules.over_budget(1_000_000, [Decimal(1_000_000)]) is None


def test_what_may_be_generated_says_why_not():
    assert [r.code for r in rules.may_generate("completion_list", "running", {"confirmed": 3})] == [
        "course_not_finished"]
    assert [r.code for r in rules.may_generate("class_list", "open", {})] == ["no_participants"]
    assert [r.code for r in rules.may_generate("trainee_payments", "finished", {"confirmed": 1})] == ["no_rates"]
    assert rules.may_generate("opening_decision", "open", {"confirmed": 1}) == []
