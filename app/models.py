"""Every model, imported once so that Alembic and the tests see the whole schema."""
from app.assessment.models import (
                                   Attempt,
                                   CourseTest,
                                   EvaluationForm,
                                   EvaluationReceipt,
                                   EvaluationResponse,
                                   Question,
                                   QuestionBank,
)
from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.auth.models import AuthSession, SignInThrottle, User
from app.certificates.models import Certificate, CertificateCounter, VerifyThrottle
from app.courses.models import (
                                   BudgetLine,
                                   CalendarFeed,
                                   Course,
                                   CourseLocalTopic,
                                   CourseModule,
                                   CoursePlace,
                                   CourseSession,
                                   CourseSessionModule,
                                   Lecturer,
)
from app.curricula.models import (
                                   Curriculum,
                                   CurriculumModule,
                                   CurriculumTargetGroup,
                                   CurriculumTopic,
                                   CurriculumVersion,
                                   TargetGroup,
)
from app.enrolment.models import CourseQuota, Enrolment
from app.issuers.models import IssuingBody, SealImage
from app.jobs.models import Job
from app.materials.models import Material, MaterialVersion
from app.media.models import MediaBudgetLine, MediaLink, MediaProduct, MediaTopic
from app.notify.models import Notification
from app.paperwork.models import CourseDocument, DocumentTemplate, PaymentRate
from app.people.models import Trainee
from app.places.models import AdminUnit, AdminUnitSuccessor
from app.privacy.models import DataRequest
from app.reports.models import LateChange, ReportSubmission
from app.signing.models import SigningKey
from app.signup.models import Invitation, SignUp

__all__ = ["AdminUnit", "Attempt", "AttendanceMark", "EvaluationForm", "EvaluationReceipt", "EvaluationResponse",
           "Question", "QuestionBank", "LateChange", "ReportSubmission", "CourseTest",
           "Certificate", "CertificateCounter", "VerifyThrottle",
           "AdminUnitSuccessor", "AuditEvent", "AuthSession", "BudgetLine", "CalendarFeed",
           "Course", "CourseDocument", "DocumentTemplate", "PaymentRate",
           "CourseLocalTopic", "CourseModule", "CoursePlace", "CourseSession", "CourseSessionModule", "Lecturer",
           "Curriculum", "CurriculumModule", "CurriculumTargetGroup", "CurriculumTopic",
           "CurriculumVersion", "CourseQuota", "DataRequest", "Enrolment", "IssuingBody", "Job", "Notification",
           "SealImage", "Material", "MaterialVersion", "MediaBudgetLine", "MediaLink", "MediaProduct", "MediaTopic",
           "Invitation", "SignInThrottle", "SignUp", "SigningKey", "TargetGroup", "Trainee", "User"]
