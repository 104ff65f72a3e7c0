"""What an audit event means, in words: the history tabs and the audit log show these, never the raw action code
("course.transition running → finished" becomes "Chuyển trạng thái: Đang học → Đã kết thúc").

Every action the application records has a label here; tests/audit/test_labels.py reads the source for
`audit.record(...)` calls and fails on an action without one.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACTIONS: Mapping[str, tuple[str, str]] = {
    "attendance.check_in": ("Học viên tự điểm danh", "Self check-in"),
    "attendance.import": ("Nhập điểm danh từ bảng tính", "Attendance imported from a spreadsheet"),
    "attendance.mark": ("Điểm danh", "Attendance marked"),
    "attendance.unmark": ("Bỏ điểm danh", "Attendance mark removed"),
    "auth.sign_out": ("Đăng xuất", "Signed out"),
    "calendar.create_token": ("Tạo đường dẫn lịch", "Calendar link created"),
    "calendar.reset_token": ("Đổi đường dẫn lịch", "Calendar link reset"),
    "certificate.issue": ("Cấp giấy chứng nhận", "Certificate issued"),
    "certificate.revoke": ("Thu hồi giấy chứng nhận", "Certificate revoked"),
    "course.add_budget_line": ("Thêm dòng kinh phí", "Budget line added"),
    "course.add_local_module": ("Thêm chuyên đề địa phương", "Local module added"),
    "course.add_local_topic": ("Thêm nội dung địa phương", "Local topic added"),
    "course.copy": ("Sao chép khoá học", "Course copied"),
    "course.create": ("Tạo khoá học", "Course created"),
    "course.remove_budget_line": ("Xoá dòng kinh phí", "Budget line removed"),
    "course.set_places": ("Đặt địa bàn của khoá học", "Course places set"),
    "course.set_quotas": ("Đặt chỗ dành riêng cho xã", "Commune quotas set"),
    "course.transition": ("Chuyển trạng thái", "Status changed"),
    "course.update": ("Sửa thông tin khoá học", "Course details changed"),
    "curriculum.sync": ("Nạp chương trình", "Curricula loaded"),
    "enrolment.allocate": ("Xét duyệt danh sách", "Places allocated"),
    "enrolment.assessment": ("Ghi kết quả kiểm tra", "Assessment recorded"),
    "enrolment.decide": ("Duyệt đăng ký", "Registration decided"),
    "enrolment.export": ("Xuất danh sách lớp", "Class list exported"),
    "enrolment.import": ("Ghi danh từ danh sách", "Enrolled from a list"),
    "enrolment.promote": ("Chuyển từ danh sách chờ vào lớp", "Promoted from the waitlist"),
    "enrolment.register": ("Đăng ký khoá học", "Registered"),
    "enrolment.result": ("Ghi kết quả hoàn thành", "Completion recorded"),
    "enrolment.withdraw": ("Rút khỏi khoá học", "Withdrew"),
    "job.start": ("Bắt đầu tác vụ", "Job started"),
    "lecturer.create": ("Thêm giảng viên", "Lecturer added"),
    "material.delete": ("Xoá tài liệu", "Material deleted"),
    "material.replace": ("Thay tài liệu", "Material replaced"),
    "material.update": ("Sửa tài liệu", "Material changed"),
    "material.upload": ("Tải lên tài liệu", "Material uploaded"),
    "media.create": ("Thêm tin bài", "Media item added"),
    "media.delete": ("Xoá tin bài", "Media item deleted"),
    "media.update": ("Sửa tin bài", "Media item changed"),
    "privacy.download": ("Tải dữ liệu cá nhân", "Personal data downloaded"),
    "privacy.request": ("Yêu cầu về dữ liệu cá nhân", "Personal data request"),
    "report.export": ("Xuất báo cáo", "Report exported"),
    "session.create": ("Thêm buổi học", "Session added"),
    "session.delete": ("Xoá buổi học", "Session deleted"),
    "session.update": ("Sửa buổi học", "Session changed"),
    "target_group.sync": ("Nạp nhóm đối tượng", "Target groups loaded"),
    "trainee.anonymise": ("Ẩn danh hồ sơ", "Record anonymised"),
    "trainee.confirm": ("Xác nhận hồ sơ học viên", "Trainee record confirmed"),
    "trainee.create": ("Thêm học viên", "Trainee added"),
    "trainee.export": ("Xuất danh sách học viên", "Trainees exported"),
    "trainee.import": ("Nhập học viên từ bảng tính", "Trainees imported"),
    "trainee.update": ("Sửa hồ sơ học viên", "Trainee record changed"),
    "trainee.update_own_contact": ("Học viên sửa thông tin liên hệ", "Trainee changed own contact details"),
    "trainee.view_personal": ("Xem dữ liệu cá nhân đầy đủ", "Full personal data viewed"),
    "user.create": ("Tạo tài khoản", "Account created"),
    "user.set_locale": ("Đổi ngôn ngữ", "Language changed"),
}


def action_label(action: str, locale: str = "vi") -> str:
    """The words for an action; an action recorded under a dotted sub-name (`job.start.report`) takes its family's
    label; an unknown one (a newer version's log read by an older one) keeps its code, so nothing is hidden."""
    parts = action.split(".")
    for n in range(len(parts), 0, -1):
        found = ACTIONS.get(".".join(parts[:n]))
        if found:
            return found[1] if locale == "en" else found[0]
    return action


def summary(action: str, changes: Any, locale: str = "vi", status_labels: Mapping[str, tuple[str, str]] | None = None
            ) -> str:
    """One line for a history list: the label, and for a status change the statuses in words."""
    text = action_label(action, locale)
    status = changes.get("status") if isinstance(changes, dict) else None
    if isinstance(status, list) and len(status) == 2:
        words = [(status_labels or {}).get(s, (s, s))[1 if locale == "en" else 0] if s else "—" for s in status]
        text += f": {words[0]} → {words[1]}"
    return text
