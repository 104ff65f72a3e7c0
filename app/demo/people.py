"""Demo officials of Bắc Ninh: a realistic mix of positions, organisations and communes (all names invented)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.principal import Principal
from app.people import service
from app.people.fields import UnitResolver, parse
from app.people.models import Trainee
from app.people.reference import ETHNICITIES, ORGANISATION_TYPES, POSITIONS, by_code

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE_M, MIDDLE_F = ["Văn", "Đức", "Minh", "Quang"], ["Thị", "Thu", "Ngọc", "Hồng"]
GIVEN_M, GIVEN_F = ["Hùng", "Dũng", "Tuấn", "Long", "Thắng", "Sơn"], ["Lan", "Hoa", "Nhung", "Hương", "Mai", "Thảo"]
COMMUNES = ["07432", "07210", "07228"]  # Xã Tân Dĩnh, Phường Bắc Giang, Phường Đa Mai (Bắc Ninh)
ROLES = [  # position, organisation, radio, ethnicity
    ("cong_chuc_vhxh", "ubnd_xa", True, "kinh"),
    ("cong_chuc_vhxh", "ubnd_xa", False, "tay"),
    ("nhan_vien_dai_truyen_thanh", "trung_tam_vhtt_xa", False, "kinh"),
    ("truong_thon", "thon_to_dan_pho", False, "nung"),
    ("can_bo_tuyen_giao", "dang_uy_xa", False, "kinh"),
    ("can_bo_tuyen_truyen_doan_the", "hoi_phu_nu", False, "kinh"),
    ("can_bo_tuyen_truyen_doan_the", "doan_thanh_nien", False, "san_diu"),
    ("lanh_dao_doan_the", "mttq_xa", False, "kinh"),
]


def _cccd(birth: date, female: bool, serial: int) -> str:
    digit = ((birth.year // 100) - 19) * 2 + (1 if female else 0)
    return f"024{digit}{birth.year % 100:02d}{serial:06d}"


def load_demo_people(db: Session, actor: Principal, count: int = 40) -> int:
    """Create the demo officials that do not exist yet (by citizen ID); returns how many were created."""

    resolver = UnitResolver(db)
    created = 0
    trainee_user = db.scalar(select(User).where(User.username == "trainee"))
    for i in range(count):
        female = i % 2 == 1
        birth = date(1972 + (i * 7) % 30, 1 + i % 12, 1 + (i * 3) % 28)
        # Family name cycles every 12 people and the middle name every 12, so no two demo people share a name.
        name = " ".join([FAMILY[i % len(FAMILY)], (MIDDLE_F if female else MIDDLE_M)[(i // 12) % 4],
                         (GIVEN_F if female else GIVEN_M)[(i // 2 + i // 12) % 6]])
        position, organisation, radio, ethnicity = ROLES[i % len(ROLES)]
        if i == 0:  # the demo trainee account's own record
            name, female, birth = "Nguyễn Thị Hồng Nhung", True, date(1988, 3, 12)
        cid = _cccd(birth, female, 100 + i)
        if db.scalar(select(Trainee.id).where(Trainee.citizen_id == cid)) is not None:
            continue
        raw = {"full_name": name, "sex": "female" if female else "male", "birth_date": birth,
               "ethnicity": by_code(ETHNICITIES, ethnicity).code, "citizen_id": cid, "phone": f"09{i:08d}",
               "position": by_code(POSITIONS, position).code,
               "organisation_type": by_code(ORGANISATION_TYPES, organisation).code,
               "commune": COMMUNES[i % 3], "in_charge_of_radio": radio,
               "commune_categories": ["dtts"] if ethnicity != "kinh" else []}
        data, errors = parse(raw, resolver, service.today())
        if errors:
            raise RuntimeError(f"demo person {i}: {errors}")
        user_id = trainee_user.id if i == 0 and trainee_user is not None else None
        service.create_trainee(db, actor, data, user_id=user_id)
        created += 1
    return created
