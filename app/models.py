"""Every model, imported once so that Alembic and the tests see the whole schema."""
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
from app.jobs.models import Job
from app.materials.models import Material, MaterialVersion
from app.media.models import MediaBudgetLine, MediaLink, MediaProduct, MediaTopic
from app.notify.models import Notification
from app.people.models import Trainee
from app.places.models import AdminUnit, AdminUnitSuccessor
from app.privacy.models import DataRequest
from app.signup.models import Invitation, SignUp

__all__ = ["AdminUnit", "AttendanceMark", "Certificate", "CertificateCounter", "VerifyThrottle",
           "AdminUnitSuccessor", "AuditEvent", "AuthSession", "BudgetLine", "CalendarFeed",
           "Course",
           "CourseLocalTopic", "CourseModule", "CoursePlace", "CourseSession", "CourseSessionModule", "Lecturer",
           "Curriculum", "CurriculumModule", "CurriculumTargetGroup", "CurriculumTopic",
           "CurriculumVersion", "CourseQuota", "DataRequest", "Enrolment", "Job", "Notification",
           "Material", "MaterialVersion", "MediaBudgetLine", "MediaLink", "MediaProduct", "MediaTopic",
           "Invitation", "SignInThrottle", "SignUp", "TargetGroup", "Trainee", "User"]
