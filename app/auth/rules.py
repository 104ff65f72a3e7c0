"""Pure decisions about sign-in throttling and passwords (no web framework, no database session)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from zxcvbn import zxcvbn

from app.core.text import fold


@dataclass(frozen=True)
class ThrottlePolicy:
    """`max_failures` attempts are free; each one after that waits a delay that doubles, from `first_lock` up to
    `max_lock`. Failures are forgotten after `memory` without one."""

    max_failures: int
    first_lock: timedelta
    max_lock: timedelta
    memory: timedelta


def lock_after(failures: int, policy: ThrottlePolicy) -> timedelta | None:
    """How long to wait after the failure numbered `failures`: nothing below the limit, then doubling delays."""
    if failures < policy.max_failures:
        return None
    steps = min(failures - policy.max_failures, 30)
    return min(policy.first_lock * (2 ** steps), policy.max_lock)


def lock_schedule(policy: ThrottlePolicy) -> dict[int, timedelta]:
    """Every distinct delay by failure count, up to the first that reaches the cap (used to build one SQL CASE)."""
    schedule: dict[int, timedelta] = {}
    n = policy.max_failures
    while True:
        delay = lock_after(n, policy)
        assert delay is not None
        schedule[n] = delay
        if delay >= policy.max_lock:
            return schedule
        n += 1


@dataclass(frozen=True)
class Verdict:
    """Whether a sign-in attempt may be checked, and if not, why and for how long."""

    admitted: bool
    reason: str = ""  # "account" (this client keeps failing for this name) or "address" (this client, any name)
    retry_after: timedelta = timedelta(0)


# While a name is locked, a client that has failed for it fewer times than this may still try: its owner mistyping
# once or twice on their own phone is not kept out by a stranger, and each address a stranger uses gets no more.
CLIENT_ALLOWANCE = 3


def judge_attempt(*, address_admitted: bool, address_wait: timedelta, account_admitted: bool,
                  account_wait: timedelta, client_failures: int) -> Verdict:
    """Decide an attempt from the three counters.

    A locked name stays open to a client that has (almost) not been failing for it: a stranger's guesses lock out
    the stranger, never the owner signing in from their own phone or office. A client that keeps failing for this
    name waits out the name's growing delay, and a client address failing across many names waits out its own.
    """
    if not address_admitted:
        return Verdict(False, "address", address_wait)
    if not account_admitted and client_failures >= CLIENT_ALLOWANCE:
        return Verdict(False, "account", account_wait)
    return Verdict(True)


# Words Vietnamese users reach for first, which zxcvbn's English lists do not know: the commonest surnames and given
# names (without tone marks, as typed on a phone keyboard), words for "password" and love, places, and the product.
VIETNAMESE_COMMON = tuple(" ".join([
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh dao trinh mai cao lam luong",
    "thi van duc minh anh an binh chi dung giang ha hai hanh hien hieu hoa hong hung huong huy khanh lan linh",
    "long my nam nga ngoc nhung phuong quang quynh son tam thanh thao thu thuy tien trang trung tuan tu",
    "viet xuan yen matkhau mat khau anhyeuem emyeuanh yeuem yeuanh iloveyou vietnam hanoi saigon hochiminh",
    "danang haiphong cantho nangluc thongtin coso xa tinh huyen ubnd chaomung xinchao bimat",
    "123456 1234567 12345678 123456789 1234567890 111111 888888 666666 qwerty abc123",
]).split(" "))


def password_problem(password: str, username: str, min_length: int, personal: tuple[str, ...] = (),
                     min_score: int = 3) -> str | None:
    """Why a new password is refused (Vietnamese), or None when it is acceptable.

    Short passwords, the name itself, and anything zxcvbn estimates as guessable are refused; the estimate counts the
    person's own name, username and the common Vietnamese words above as the first things an attacker tries.
    """
    if len(password) < min_length:
        return f"Mật khẩu phải có ít nhất {min_length} ký tự."
    if password.lower() == username.lower():
        return "Mật khẩu không được trùng với tên đăng nhập."
    inputs = list(VIETNAMESE_COMMON)
    for value in (username, *personal):
        folded = fold(value or "")
        words = [w for w in folded.replace(".", " ").replace("-", " ").replace("_", " ").split() if w]
        inputs += [folded, *words, "".join(words), "".join(reversed(words))]
    result = zxcvbn(password[:72], user_inputs=[i for i in inputs if i])
    if result["score"] < min_score:
        return ("Mật khẩu quá dễ đoán (tên người, từ thông dụng, ngày sinh hay dãy số quen thuộc). Hãy dùng một "
                "cụm dài gồm vài từ không liên quan đến bạn.")
    return None
