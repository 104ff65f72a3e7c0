"""What an audit event means, in words: the history tabs and the audit log show these, never the raw action code
("course.transition running → finished" becomes "Chuyển trạng thái: Đang học → Đã kết thúc").

Every action the application records has a label here; tests/audit/test_labels.py reads the source for
`audit.record(...)` calls and fails on an action without one.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ACTIONS: Mapping[str, tuple[str, str]] = {
    "auth.end_other_sessions": ("Đăng xuất các phiên khác", "Other sessions ended"),
    "auth.sign_in_failed": ("Đăng nhập sai", "Failed sign-in"),
    "course.import_participants": ("Nhập học viên của khoá đã tổ chức", "Past course's participants imported"),
    "course.record_past": ("Ghi nhận khoá học đã tổ chức", "Past course recorded"),
    "course.record_past_finish": ("Hoàn tất ghi nhận khoá học đã tổ chức", "Past course finished"),
    "enrolment.record_past": ("Ghi nhận học viên của khoá đã tổ chức", "Past course's participant recorded"),
    "invitation.claim": ("Nhận tài khoản bằng mã mời", "Account claimed with an invitation"),
    "invitation.create": ("Tạo mã mời", "Invitation created"),
    "signup.create": ("Đăng ký tài khoản", "Sign-up"),
    "signup.confirmed": ("Xác nhận đăng ký tài khoản", "Sign-up confirmed"),
    "signup.refused": ("Từ chối đăng ký tài khoản", "Sign-up refused"),
    "trainee.link_account": ("Gắn tài khoản với hồ sơ học viên", "Account linked to a trainee record"),
    "user.change_password": ("Đổi mật khẩu", "Password changed"),
    "user.change_password_refused": ("Đổi mật khẩu không thành công", "Password change refused"),
    "user.unlock": ("Mở khoá tài khoản", "Account unlocked"),
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
    # added by the work merged alongside (assessment, issuing bodies, paperwork, reports, signing)
    "course.score_rule": ("Đặt điểm đạt bài kiểm tra cuối khoá", "Post-test pass mark set"),
    "evaluation.create": ("Tạo phiếu đánh giá khoá học", "Evaluation form created"),
    "evaluation.edit": ("Sửa phiếu đánh giá khoá học", "Evaluation form changed"),
    "evaluation.submit": ("Gửi phiếu đánh giá khoá học", "Evaluation submitted"),
    "issuing_body.create": ("Thêm cơ quan cấp giấy chứng nhận", "Issuing body added"),
    "issuing_body.register_export": ("Tải sổ cấp giấy chứng nhận", "Certificate register exported"),
    "issuing_body.seal": ("Đổi con dấu của cơ quan cấp", "Issuing body's seal changed"),
    "issuing_body.update": ("Sửa cơ quan cấp giấy chứng nhận", "Issuing body changed"),
    "paperwork.generate": ("Lập văn bản của khoá học", "Course document generated"),
    "paperwork.register": ("Vào số văn bản đã ký", "Signed document registered"),
    "paperwork.remove_rate": ("Xoá mức chi", "Rate removed"),
    "paperwork.reset_template": ("Dùng lại mẫu văn bản gốc", "Document template reset"),
    "paperwork.send_summons": ("Gửi giấy triệu tập", "Summons sent"),
    "paperwork.set_rate": ("Đặt mức chi", "Rate set"),
    "paperwork.upload_template": ("Tải lên mẫu văn bản", "Document template uploaded"),
    "question.create": ("Thêm câu hỏi", "Question added"),
    "question.edit": ("Sửa câu hỏi", "Question changed"),
    "question_bank.create": ("Tạo ngân hàng câu hỏi", "Question bank created"),
    "question_bank.import": ("Nhập ngân hàng câu hỏi", "Question bank imported"),
    "report.amend": ("Sửa báo cáo đã nộp", "Submitted report amended"),
    "report.download": ("Tải báo cáo đã nộp", "Submitted report downloaded"),
    "report.late_change": ("Thay đổi muộn vào kỳ báo cáo đã chốt", "Late change to a closed period"),
    "report.submit": ("Nộp báo cáo", "Report submitted"),
    "signing.key_add": ("Thêm khoá ký số", "Signing key added"),
    "signing.key_retire": ("Ngừng dùng khoá ký số", "Signing key retired"),
    "test.create": ("Tạo bài kiểm tra", "Test created"),
    "test.paper_import": ("Nhập kết quả bài kiểm tra trên giấy", "Paper test results imported"),
    "test.start": ("Bắt đầu làm bài kiểm tra", "Test started"),
    "test.submit": ("Nộp bài kiểm tra", "Test submitted"),
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
