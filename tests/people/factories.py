"""Valid people for tests: citizen IDs built by the official scheme, rows as a commune would type them."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook

from app.people.fields import COLUMNS

HEADERS = [c.header for c in COLUMNS]


def cccd(birth: date, sex: str, serial: int, province: str = "024") -> str:
    century = (birth.year // 100) - 19
    digit = century * 2 + (1 if sex in ("female", "Nữ") else 0)
    return f"{province}{digit}{birth.year % 100:02d}{serial:06d}"


def person(i: int, **overrides) -> dict:
    """A culture-social official of Xã Tân Dĩnh in charge of the radio, unless overridden."""
    birth = date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
    sex = "Nữ" if i % 2 else "Nam"
    row = {"Họ và tên": f"Nguyễn Văn Thử {i}", "Giới tính": sex, "Ngày sinh": birth.strftime("%d/%m/%Y"),
           "Dân tộc": "Kinh", "Số CCCD": cccd(birth, sex, i), "Số điện thoại": f"0912{i:06d}", "Email": "",
           "Chức danh": "Công chức Văn hóa - Xã hội", "Loại tổ chức": "UBND xã/phường/đặc khu",
           "Xã/phường": "Tân Dĩnh", "Tỉnh/thành phố": "Bắc Ninh", "Phụ trách đài truyền thanh": "Có",
           "Địa bàn ưu tiên": ""}
    row.update(overrides)
    return row


def as_csv(rows: list[dict], bom: bool = True, delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADERS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def as_xlsx(rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h) for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
