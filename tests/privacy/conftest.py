"""The personal-data tests start from the attendance tests' class."""
from tests.attendance.conftest import course_with_class  # noqa: F401 - a fixture, shared
