from hypothesis import given
from hypothesis import strategies as st

from app.core.text import fold


def test_fold_strips_vietnamese_marks():
    assert fold("Xã Tân Dĩnh") == "xa tan dinh"
    assert fold("ĐẶC KHU  Côn   Đảo") == "dac khu con dao"
    assert fold("Nguyễn Thị Hồng Nhung") == "nguyen thi hong nhung"


@given(st.text())
def test_fold_is_idempotent(s):
    assert fold(fold(s)) == fold(s)
