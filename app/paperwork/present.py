"""From the facts of a course to the fields a document template sees (a pure function: plain values in, a JSON-able
dict out). The same fields are the document's snapshot, the sample an uploaded template is checked against, and
what docs/paperwork.md lists. The number and the date lines are added at render time from the registration."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from app.enrolment.rules import SEATED
from app.paperwork import rules
from app.paperwork.render import ListTable


@dataclass(frozen=True)
class Body:
    name: str
    parent_name: str
    short_code: str
    place_name: str
    signer_title: str
    signer_name: str


@dataclass(frozen=True)
class CourseFacts:
    code: str
    title: str
    curriculum_title: str
    start: date | None
    end: date | None
    venue: str
    form: str  # Vietnamese label
    theory_hours: float
    practice_hours: float
    completion_rule: str


@dataclass(frozen=True)
class Person:
    trainee_id: int
    full_name: str
    sex: str
    birth_date: date | None
    position: str
    commune: str
    commune_key: str
    status: str
    attended: int = 0  # sessions
    days: int = 0  # distinct days attended
    share: float | None = None
    assessment_passed: bool | None = None


@dataclass(frozen=True)
class Module:
    code: str
    title: str
    theory: float
    practice: float
    topics: list[str]


@dataclass(frozen=True)
class Session:
    on: date
    start: time
    end: time
    part: str
    modules: str
    lecturer: str
    room: str


@dataclass(frozen=True)
class LecturerFacts:
    full_name: str
    title: str
    organisation: str
    sessions: int
    hours: Decimal


@dataclass(frozen=True)
class Cert:
    full_name: str
    birth_date: date | None
    commune: str
    number: str
    register_entry: int


@dataclass(frozen=True)
class Facts:
    body: Body
    course: CourseFacts
    people: list[Person]
    modules: list[Module] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    lecturers: list[LecturerFacts] = field(default_factory=list)
    certificates: list[Cert] = field(default_factory=list)
    planned_total: int = 0
    actual_total: int = 0
    sources: list[str] = field(default_factory=list)
    rates: dict[str, rules.Rate] = field(default_factory=dict)
    planned_by_rate: dict[str, int] = field(default_factory=dict)  # the planned amount of each rate's budget line
    total_sessions: int = 0
    today: date = date(2026, 1, 1)


DEFAULT_BASES = {
    "opening_decision": [
        "Căn cứ Quyết định số …/QĐ-UBND ngày … của Ủy ban nhân dân tỉnh quy định chức năng, nhiệm vụ, quyền hạn và "
        "cơ cấu tổ chức của {body};",
        "Căn cứ Kế hoạch số …/KH-… ngày … về bồi dưỡng, nâng cao năng lực cán bộ làm công tác thông tin cơ sở;",
        "Theo đề nghị của Trưởng phòng …",
    ],
    "certificate_decision": [
        "Căn cứ Thông tư số 03/2023/TT-BNV ngày 29 tháng 4 năm 2023 của Bộ trưởng Bộ Nội vụ;",
        "Căn cứ Quyết định số … ngày … về việc mở lớp {course};",
        "Xét kết quả học tập của học viên và đề nghị của Trưởng phòng …",
    ],
}
DEFAULT_RECIPIENTS = {
    "opening_decision": ["Như Điều 3;", "Lưu: VT, …"],
    "certificate_decision": ["Như Điều 2;", "Lưu: VT, …"],
    "summons": ["Như trên;", "Lưu: VT, …"],
    "result_report": ["…;", "Lưu: VT, …"],
}
DEFAULT_BRING = "Căn cước công dân, giấy giới thiệu của cơ quan, đơn vị"
SALUTATION = {"male": "Ông", "female": "Bà"}


def d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def hours_text(value: float | Decimal) -> str:
    """3.5 → "3,5", 4.0 → "4": Vietnamese decimal comma."""
    v = Decimal(str(value)).normalize()
    text = f"{v:f}"
    return text.replace(".", ",")


def period(c: CourseFacts) -> str:
    if c.start and c.end and c.end != c.start:
        return f"từ ngày {d(c.start)} đến ngày {d(c.end)}"
    return f"ngày {d(c.start)}" if c.start else "(chưa xếp lịch)"


def authority(signer_title: str, body_name: str) -> str:
    """Who decides, as the decision writes it above "Căn cứ": "GIÁM ĐỐC SỞ …" for "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC";
    the collective itself for "TM. ỦY BAN NHÂN DÂN"."""
    lines = rules.signer_lines(signer_title)
    first = lines[0] if lines else ""
    for prefix in ("KT.", "TM.", "Q.", "TL.", "TUQ."):
        if first.startswith(prefix):
            if prefix == "TM.":
                return first[len(prefix):].strip()
            first = first[len(prefix):].strip()
            break
    return f"{first} {body_name.upper()}".strip()


def _days(f: Facts) -> int:
    dates = {s.on for s in f.sessions}
    if dates:
        return len(dates)
    if f.course.start and f.course.end:
        return (f.course.end - f.course.start).days + 1
    return 0


def common(f: Facts, options: Mapping) -> dict:
    c = f.course
    body_title = " ".join(f.body.name.split())
    return {
        "body": {"name": body_title.upper(), "name_title": body_title, "parent_name": f.body.parent_name.upper(),
                 "short_code": f.body.short_code, "place_name": f.body.place_name},
        "signer": {"authority_lines": rules.signer_lines(f.body.signer_title), "name": f.body.signer_name,
                   "authority_title": authority(f.body.signer_title, body_title)},
        "course": {"code": c.code, "title": c.title, "curriculum_title": c.curriculum_title, "start": d(c.start),
                   "end": d(c.end), "period": period(c), "venue": c.venue or "", "form": c.form,
                   "days": _days(f), "hours": hours_text(c.theory_hours + c.practice_hours),
                   "theory_hours": hours_text(c.theory_hours), "practice_hours": hours_text(c.practice_hours)},
        "year": f.today.year,
        "recipients": list(options.get("recipients") or []),
        "bases": [b.format(body=body_title, course=c.title) for b in options.get("bases") or []],
        "responsible": options.get("responsible") or "Chánh Văn phòng, Trưởng các phòng có liên quan",
    }


def _participants(people: list[Person]) -> list[dict]:
    return [{"no": i, "trainee_id": p.trainee_id, "full_name": p.full_name, "birth_date": d(p.birth_date),
             "sex": "Nữ" if p.sex == "female" else "Nam", "salutation": SALUTATION.get(p.sex, "Ông/Bà"),
             "position": p.position, "commune": p.commune, "commune_key": p.commune_key}
            for i, p in enumerate(people, start=1)]


def defaults(kind: str) -> dict:
    """The options a form starts from: legal bases and recipients a province edits before generating."""
    out: dict = {"bases": list(DEFAULT_BASES.get(kind, [])), "recipients": list(DEFAULT_RECIPIENTS.get(kind, []))}
    if kind == "summons":
        out |= {"mode": "person", "bring": DEFAULT_BRING, "contact": ""}
    return out


def build(kind: str, f: Facts, options: Mapping) -> dict:
    """Every field the template of `kind` may use."""
    out = common(f, options)
    confirmed = [p for p in f.people if p.status in SEATED]
    out["counts"] = {"participants": len(confirmed)}
    if kind in ("opening_decision", "class_list", "summons"):
        out["participants"] = _participants(confirmed)
    if kind == "opening_decision":
        out["modules"] = [{"no": i, "code": m.code, "title": m.title, "theory": hours_text(m.theory),
                           "practice": hours_text(m.practice), "topics": m.topics}
                          for i, m in enumerate(f.modules, start=1)]
        out["sessions"] = [{"date": d(s.on), "time": f"{s.part} {s.start:%H:%M}–{s.end:%H:%M}", "modules": s.modules,
                            "lecturer": s.lecturer, "room": s.room} for s in f.sessions]
        out["budget"] = {"total": rules.group(f.planned_total), "words": rules.amount_in_words(f.planned_total),
                         "sources": ", ".join(f.sources) or "nguồn kinh phí được giao"}
    if kind == "summons":
        out |= _summons(f, options, out["participants"])
    if kind == "completion_list":
        done = [p for p in f.people if p.status == "completed"]
        out["rows"] = [{"no": i, "full_name": p.full_name, "birth_date": d(p.birth_date), "commune": p.commune,
                        "attended": f"{p.attended}/{f.total_sessions}", "result": _result(p)}
                       for i, p in enumerate(done, start=1)]
        out["counts"] |= {"completed": len(done),
                          "not_completed": sum(1 for p in f.people if p.status == "not_completed")}
        out["completion_rule"] = f.course.completion_rule
    if kind == "certificate_decision":
        out["rows"] = [{"no": i, "full_name": c.full_name, "birth_date": d(c.birth_date), "commune": c.commune,
                        "number": c.number, "register_entry": c.register_entry}
                       for i, c in enumerate(f.certificates, start=1)]
        out["counts"]["certificates"] = len(f.certificates)
    if kind == "trainee_payments":
        out |= _trainee_payments(f, confirmed)
    if kind == "lecturer_fees":
        out |= _lecturer_fees(f)
    if kind == "result_report":
        out |= _report(f, confirmed)
    return out


def _result(p: Person) -> str:
    share = f"dự {round((p.share or 0) * 100)}% số buổi"
    if p.assessment_passed is True:
        return f"Hoàn thành; {share}; kiểm tra đạt"
    return f"Hoàn thành; {share}"


def _summons(f: Facts, options: Mapping, participants: list[dict]) -> dict:
    mode = options.get("mode") or "person"
    first = min(f.sessions, key=lambda s: (s.on, s.start)) if f.sessions else None
    letters: list[dict] = []
    if mode == "commune":
        by_commune: OrderedDict[str, list[dict]] = OrderedDict()
        for p in sorted(participants, key=lambda p: (p["commune"], p["no"])):
            by_commune.setdefault(p["commune"], []).append(p)
        for commune, people in by_commune.items():
            rows = [{**p, "no": i} for i, p in enumerate(people, start=1)]
            letters.append({"commune_letter": True, "commune": commune, "people": rows,
                            "addressee": f"Ủy ban nhân dân {commune[:1].lower()}{commune[1:]}",
                            "request_to": "các ông, bà có tên trên"})
    else:
        for p in participants:
            letters.append({"commune_letter": False, "commune": p["commune"], "people": [p],
                            "addressee": f"{p['salutation']} {p['full_name']}",
                            "request_to": f"{p['salutation']} {p['full_name']}"})
    return {"mode": mode, "letters": letters, "bring": options.get("bring") or DEFAULT_BRING,
            "contact": options.get("contact") or f.body.name,
            "opening_time": f"{first.start:%H} giờ {first.start:%M}" if first else "07 giờ 30"}


def _money(n: int) -> str:
    return rules.group(n) if n else "-"


def rates_text(rates: Mapping[str, rules.Rate], kinds: tuple[str, ...]) -> str:
    parts = [f"{rules.RATE_KINDS[k].vi.lower()} {rules.group(rates[k].amount)} đồng/{rules.PER_LABELS[rates[k].per]}"
             for k in kinds if k in rates]
    return "; ".join(parts) or "chưa đặt"


def _trainee_payments(f: Facts, people: list[Person]) -> dict:
    rows, totals = [], {"days": 0, "per_diem": 0, "travel": 0, "accommodation": 0, "total": 0}
    for i, p in enumerate([p for p in people if p.days], start=1):
        a = rules.trainee_line(f.rates, p.days)
        rows.append({"no": i, "full_name": p.full_name, "commune": p.commune, "days": p.days,
                     **{k: _money(v) for k, v in a.items()}, "amounts": a})
        totals["days"] += p.days
        for k in a:
            totals[k] += a[k]
    planned = [f.planned_by_rate[k] for k in rules.TRAINEE_RATES if k in f.planned_by_rate]
    warning = rules.over_budget(totals["total"], planned)
    return {"rows": rows, "totals": {k: _money(v) if k != "days" else v for k, v in totals.items()},
            "total": totals["total"], "total_figures": rules.group(totals["total"]),
            "total_words": rules.amount_in_words(totals["total"]),
            "rates_text": rates_text(f.rates, rules.TRAINEE_RATES),
            "warning": warning.vi if warning else ""}


def _lecturer_fees(f: Facts) -> dict:
    rate = f.rates.get("lecturer_fee")
    rows, total, sessions, hours = [], 0, 0, Decimal(0)
    for i, lec in enumerate([x for x in f.lecturers if x.sessions], start=1):
        line = rules.lecturer_line(rate, lec.sessions, lec.hours) if rate else {"amount": 0}
        organisation = ", ".join(x for x in (lec.title, lec.organisation) if x)
        rows.append({"no": i, "full_name": lec.full_name, "organisation": organisation, "sessions": lec.sessions,
                     "hours": hours_text(lec.hours), "rate": rules.group(rate.amount) if rate else "",
                     "amount": _money(line["amount"]), "amount_value": line["amount"]})
        total += line["amount"]
        sessions += lec.sessions
        hours += lec.hours
    warning = rules.over_budget(total, [f.planned_by_rate["lecturer_fee"]]) \
        if "lecturer_fee" in f.planned_by_rate else None
    return {"rows": rows, "totals": {"sessions": sessions, "hours": hours_text(hours), "amount": _money(total)},
            "total": total, "total_figures": rules.group(total), "total_words": rules.amount_in_words(total),
            "rates_text": rates_text(f.rates, ("lecturer_fee",)), "warning": warning.vi if warning else ""}


def _report(f: Facts, confirmed: list[Person]) -> dict:
    completed = [p for p in f.people if p.status == "completed"]
    figures = [("Số người đăng ký", len(f.people)), ("Số học viên được triệu tập", len(confirmed)),
               ("Số học viên có tham dự", sum(1 for p in confirmed if p.attended)),
               ("Số học viên hoàn thành", len(completed)),
               ("Số học viên không hoàn thành", sum(1 for p in f.people if p.status == "not_completed")),
               ("Trong đó nữ (hoàn thành)", sum(1 for p in completed if p.sex == "female")),
               ("Số giấy chứng nhận đã cấp", len(f.certificates))]
    communes: OrderedDict[str, dict] = OrderedDict()
    for p in sorted(confirmed, key=lambda p: p.commune):
        c = communes.setdefault(p.commune, {"commune": p.commune, "participants": 0, "completed": 0, "women": 0})
        c["participants"] += 1
        c["completed"] += p.status == "completed"
        c["women"] += p.sex == "female"
    return {"figures": [{"label": label, "value": value} for label, value in figures],
            "communes": list(communes.values()),
            "counts": {"participants": len(confirmed), "completed": len(completed), "lecturers": len(
                [x for x in f.lecturers if x.sessions]), "sessions": len(f.sessions),
                "certificates": len(f.certificates)},
            "budget": {"total": rules.group(f.planned_total), "actual": rules.group(f.actual_total),
                       "actual_words": rules.amount_in_words(f.actual_total)}}


# --- what is printed from the registration ----------------------------------------------------------------------------


def with_registration(kind: str, fields: Mapping, number: str | None, signed_on: date | None) -> dict:
    """The snapshot plus the lines that depend on the office's register: the number, the place and date line, and
    the annexes' reference to the decision."""
    k = rules.KINDS[kind]
    body = fields["body"]
    out = dict(fields)
    out["number_line"] = rules.number_line(number, k.symbol, body["short_code"])
    out["date_line"] = rules.date_line(body["place_name"], signed_on, fields["year"])
    out["number_ref"] = "số " + out["number_line"].removeprefix("Số: ")
    out["date_ref"] = signed_on.strftime("%d/%m/%Y") if signed_on else f"{rules.BLANK}/{rules.BLANK}/{fields['year']}"
    return out


# --- lists as tables (xlsx, PDF) --------------------------------------------------------------------------------------


def list_table(kind: str, fields: Mapping) -> ListTable | None:
    k = rules.KINDS[kind]
    if not k.is_list:
        return None
    body, course = fields["body"], fields["course"]
    head = [x for x in (body["parent_name"], body["name"]) if x]
    signer = [*fields["signer"]["authority_lines"], fields["signer"]["name"]]
    base = {"heading_left": head, "subtitle": f"Lớp {course['title']}", "landscape": k.landscape,
            "date_line": fields.get("date_line", "")}
    if kind == "class_list":
        return ListTable(title="DANH SÁCH HỌC VIÊN",
                         note=f"Thời gian: {course['period']}. Địa điểm: {course['venue']}.",
                         columns=["TT", "Họ và tên", "Ngày sinh", "Chức danh", "Xã/phường", "Ký tên"],
                         widths=[1.1, 4.4, 2.4, 3.4, 3.2, 2.5],
                         rows=[[r["no"], r["full_name"], r["birth_date"], r["position"], r["commune"], ""]
                               for r in fields["participants"]],
                         signers=[["NGƯỜI LẬP DANH SÁCH", ""], signer], **base)
    if kind == "completion_list":
        return ListTable(title="DANH SÁCH HỌC VIÊN HOÀN THÀNH KHOÁ HỌC",
                         note=f"Thời gian: {course['period']}. Điều kiện hoàn thành: {fields['completion_rule']}.",
                         columns=["TT", "Họ và tên", "Ngày sinh", "Xã/phường", "Số buổi dự", "Kết quả"],
                         widths=[1.1, 4.4, 2.4, 3.6, 2.0, 3.5],
                         rows=[[r["no"], r["full_name"], r["birth_date"], r["commune"], r["attended"], r["result"]]
                               for r in fields["rows"]], signers=[["NGƯỜI LẬP DANH SÁCH", ""], signer], **base)
    if kind == "certificate_decision":
        return ListTable(title="DANH SÁCH HỌC VIÊN ĐƯỢC CẤP GIẤY CHỨNG NHẬN",
                         note=f"Kèm theo Quyết định {fields.get('number_ref', '')} ngày {fields.get('date_ref', '')}",
                         columns=["TT", "Họ và tên", "Ngày sinh", "Xã/phường", "Số giấy chứng nhận", "Số vào sổ"],
                         widths=[1.1, 4.4, 2.4, 3.6, 3.2, 2.0],
                         rows=[[r["no"], r["full_name"], r["birth_date"], r["commune"], r["number"],
                                r["register_entry"]] for r in fields["rows"]], signers=[signer], **base)
    if kind == "trainee_payments":
        rows = [[r["no"], r["full_name"], r["commune"], r["days"], r["amounts"]["per_diem"], r["amounts"]["travel"],
                 r["amounts"]["accommodation"], r["amounts"]["total"], ""] for r in fields["rows"]]
        sums = [sum(r[i] for r in rows) for i in range(3, 8)]
        return ListTable(title="DANH SÁCH CHI TRẢ CHO HỌC VIÊN", note=f"Định mức: {fields['rates_text']}.",
                         columns=["TT", "Họ và tên", "Xã/phường", "Số ngày", "Tiền ăn, phụ cấp", "Tiền đi lại",
                                  "Tiền nghỉ", "Cộng (đồng)", "Ký nhận"],
                         widths=[1.1, 4.6, 3.8, 1.6, 2.9, 2.7, 2.7, 3.0, 2.8], rows=rows,
                         totals=["", "Tổng cộng", "", *sums, ""], words=fields["total_words"], numeric_from=3,
                         signers=[["NGƯỜI LẬP BIỂU", ""], ["KẾ TOÁN", ""], signer], **base)
    if kind == "lecturer_fees":
        rows = [[r["no"], r["full_name"], r["organisation"], r["sessions"], r["hours"], r["rate"], r["amount_value"],
                 ""] for r in fields["rows"]]
        return ListTable(title="BẢNG THANH TOÁN THÙ LAO GIẢNG VIÊN", note=f"Định mức: {fields['rates_text']}.",
                         columns=["TT", "Họ và tên", "Chức danh, đơn vị", "Số buổi", "Số giờ", "Định mức (đồng)",
                                  "Thành tiền (đồng)", "Ký nhận"],
                         widths=[1.1, 4.6, 5.6, 1.8, 1.8, 2.8, 3.2, 3.0], rows=rows,
                         totals=["", "Tổng cộng", "", fields["totals"]["sessions"], fields["totals"]["hours"], "",
                                 fields["total"], ""], words=fields["total_words"], numeric_from=3,
                         signers=[["NGƯỜI LẬP BIỂU", ""], ["KẾ TOÁN", ""], signer], **base)
    return None


def sample_facts() -> Facts:
    """Made-up facts with every field filled: what an uploaded template is checked against, and the docs' example."""
    day = date(2026, 3, 9)
    people = [Person(1, "Nguyễn Thị Hồng Nhung", "female", date(1990, 5, 2), "Công chức Văn hóa - Xã hội",
                     "Xã Tân Dĩnh", "07432", "completed", 2, 1, 1.0, True),
              Person(2, "Trần Văn Bình", "male", date(1985, 11, 20), "Phụ trách đài truyền thanh", "Xã Tân Dĩnh",
                     "07432", "completed", 2, 1, 1.0, None),
              Person(3, "Lò Văn Minh", "male", date(1992, 1, 8), "Công chức Văn hóa - Xã hội", "Xã Đồng Sơn",
                     "07441", "not_completed", 0, 0, 0.0, None)]
    return Facts(
        body=Body("Sở Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân tỉnh Bắc Ninh", "SVHTTDL", "Bắc Ninh",
                  "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC", "Nguyễn Văn Ký"),
        course=CourseFacts("CT2-2026-24-001", "Bồi dưỡng kỹ năng thông tin cơ sở năm 2026",
                           "Chương trình 2: Thông tin cơ sở", day, day, "Hội trường Sở, số 1 đường Lý Thái Tổ",
                           "Trực tiếp", 6.0, 2.0, "dự ít nhất 80% số buổi học"),
        people=people,
        modules=[Module("M1", "Những vấn đề cơ bản về công tác thông tin cơ sở", 4.0, 0.0,
                        ["Chủ trương của Đảng về thông tin cơ sở"]),
                 Module("M2", "Kỹ năng sản xuất chương trình phát thanh", 2.0, 2.0, [])],
        sessions=[Session(day, time(7, 30), time(11, 30), "Sáng", "M1", "ThS. Lê Văn Giảng", "Phòng 1"),
                  Session(day, time(13, 30), time(17, 0), "Chiều", "M2", "ThS. Lê Văn Giảng", "Phòng 1")],
        lecturers=[LecturerFacts("Lê Văn Giảng", "ThS.", "Trường Chính trị tỉnh", 2, Decimal("7.5"))],
        certificates=[Cert("Nguyễn Thị Hồng Nhung", date(1990, 5, 2), "Xã Tân Dĩnh", "1/2026/GCN", 1),
                      Cert("Trần Văn Bình", date(1985, 11, 20), "Xã Tân Dĩnh", "2/2026/GCN", 2)],
        planned_total=21_000_000, actual_total=1_250_000, sources=["Ngân sách trung ương"],
        rates={"per_diem": rules.Rate("per_diem", "day", 150_000), "travel": rules.Rate("travel", "trip", 100_000),
               "accommodation": rules.Rate("accommodation", "night", 300_000),
               "lecturer_fee": rules.Rate("lecturer_fee", "session", 1_000_000)},
        planned_by_rate={"per_diem": 5_000_000, "travel": 2_000_000, "accommodation": 2_000_000,
                         "lecturer_fee": 4_000_000},
        total_sessions=2, today=day)


def sample(kind: str, mode: str = "person") -> dict:
    """The sample fields of `kind`, with a registered number and date."""
    options = defaults(kind) | ({"mode": mode} if kind == "summons" else {})
    return with_registration(kind, build(kind, sample_facts(), options), "15", date(2026, 3, 5))


# --- a person in a snapshot (personal-data rights) --------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """How a person appears in a document's snapshot: participants carry their record's id; the other lists only
    the name with the birth date or commune printed beside it."""

    trainee_id: int
    full_name: str
    birth_date: str  # as printed, d(…)
    commune: str


def _is(row: Mapping, who: Who) -> bool:
    if "trainee_id" in row:
        return row["trainee_id"] == who.trainee_id
    if row.get("full_name") != who.full_name:
        return False
    if "birth_date" in row:
        return row["birth_date"] == who.birth_date
    return row.get("commune") == who.commune


def names(data: object, who: Who) -> bool:
    """Whether the snapshot lists the person anywhere."""
    if isinstance(data, list):
        return any(names(x, who) for x in data)
    if isinstance(data, Mapping):
        return _is(data, who) or any(names(v, who) for v in data.values())
    return False


def redact(data: object, who: Who, name: str, birth_date: str) -> object:
    """The snapshot with the person's name and birth date replaced (an anonymised person); everyone else unchanged.
    A letter addressed to the person alone is readdressed."""
    if isinstance(data, list):
        return [redact(x, who, name, birth_date) for x in data]
    if not isinstance(data, Mapping):
        return data
    out = {k: redact(v, who, name, birth_date) for k, v in data.items()}
    if _is(data, who):
        out["full_name"] = name
        if "birth_date" in out:
            out["birth_date"] = birth_date
        for key in ("addressee", "request_to"):  # a participant's own fields never hold another name
            if isinstance(out.get(key), str):
                out[key] = out[key].replace(who.full_name, name)
    if data.get("commune_letter") is False and any(_is(p, who) for p in data.get("people", [])):
        for key in ("addressee", "request_to"):
            if isinstance(out.get(key), str):
                out[key] = out[key].replace(who.full_name, name)
    return out
