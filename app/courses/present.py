from __future__ import annotations

from app.courses.models import Course, CourseModule
from app.courses.schemas import CourseDetail, CourseModuleOut, CourseOut, CurriculumPin, TopicOut


def topics(m: CourseModule) -> list[TopicOut]:
    """The curriculum's own topics, then the course's local additions."""
    own = [TopicOut(code=t.code, title=t.title_vi, is_local=False)
           for t in (m.curriculum_module.topics if m.curriculum_module else [])]
    return own + [TopicOut(code=None, title=t.title, is_local=True) for t in m.local_topics]


def course_out(c: Course) -> CourseOut:
    v = c.curriculum_version
    return CourseOut(id=c.id, code=c.code, title=c.title, status=c.status, unit=c.unit.key, unit_name=c.unit.name,
                     curriculum=CurriculumPin(code=v.curriculum_code, version=v.number, label=v.label,
                                              title=v.title_vi),
                     created_at=c.created_at)


def course_detail(c: Course) -> CourseDetail:
    return CourseDetail(**course_out(c).model_dump(), modules=[
        CourseModuleOut(id=m.id, code=m.code, title=m.title, theory_hours=m.theory_hours,
                        practice_hours=m.practice_hours, required=m.required, is_local=m.is_local, topics=topics(m))
        for m in c.modules])
