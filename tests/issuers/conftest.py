"""The issuing-body tests start from the attendance tests' class and the certificates tests' finished course."""
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
from tests.certificates.test_issue import finished  # noqa: F401 - a fixture, shared
