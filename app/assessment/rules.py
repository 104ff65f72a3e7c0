"""Pure rules of tests and course evaluations: questions read from the formats trainers already write (Moodle's GIFT
and Aiken), how an answer is scored, whether a score meets a course's completion rule, and which evaluation results
may be shown (groups of fewer than five responses never are, so that no one can be recognised by their answers).

Plain functions over plain values, no database and no web framework. Every refusal carries its reason as data
(``Reason`` from ``app.people.rules``).

Scoring (stated once, here, and shown to trainers in docs/assessment.md):
- single choice: the fraction of the chosen option (1 for the right one, a partial weight such as ``%50%`` where the
  question gives one, 0 otherwise; a negative weight counts as 0);
- multiple choice (several right options): the sum of the chosen options' weights, kept between 0 and 1, so that
  ticking every box never earns full marks when wrong options carry negative weights;
- true/false: 1 or 0;
- short answer: the best weight among the accepted answers that equals the typed text, compared after Unicode NFC,
  case folding and collapsing spaces; Vietnamese tone marks count ("ma" is not "mà").
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.people.rules import Reason

__all__ = [
    "MIN_GROUP",
    "Kind",
    "Option",
    "ParseError",
    "ParseResult",
    "Question",
    "grade",
    "parse_aiken",
    "parse_gift",
    "percent",
    "score",
    "score_requirement",
    "shown_groups",
]


class Kind(StrEnum):
    SINGLE = "single"  # one right option
    MULTIPLE = "multiple"  # several options together make the answer
    TRUE_FALSE = "true_false"
    SHORT = "short"  # a typed answer compared with the accepted ones


@dataclass(frozen=True)
class Option:
    text: str
    weight: float  # 1.0 right, 0 wrong, partial or negative where the author gave one
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    kind: Kind
    text: str
    options: tuple[Option, ...] = ()  # for choices and short answers (the accepted answers)
    answer: bool | None = None  # true/false only
    name: str = ""
    feedback_true: str = ""  # true/false: what a trainee who answered "true" reads
    feedback_false: str = ""

    def as_dict(self) -> dict:
        return {"kind": self.kind.value, "text": self.text, "name": self.name, "answer": self.answer,
                "options": [{"text": o.text, "weight": o.weight, "feedback": o.feedback} for o in self.options],
                "feedback_true": self.feedback_true, "feedback_false": self.feedback_false}

    @classmethod
    def from_dict(cls, d: Mapping) -> Question:
        return cls(kind=Kind(d["kind"]), text=d["text"], name=d.get("name", ""), answer=d.get("answer"),
                   options=tuple(Option(o["text"], float(o["weight"]), o.get("feedback", ""))
                                 for o in d.get("options", ())),
                   feedback_true=d.get("feedback_true", ""), feedback_false=d.get("feedback_false", ""))


@dataclass(frozen=True)
class ParseError:
    line: int  # 1-based line where the question starts
    vi: str
    en: str


@dataclass(frozen=True)
class ParseResult:
    questions: list[Question] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------------------------------------------------
# GIFT (https://docs.moodle.org/en/GIFT_format): the four kinds this programme uses. Matching, numerical and essay
# questions are refused with a message naming the line, never imported half-understood.
# --------------------------------------------------------------------------------------------------------------------

_ESCAPES = {"\\~": "~", "\\=": "=", "\\#": "#", "\\{": "{", "\\}": "}", "\\:": ":", "\\n": "\n", "\\\\": "\\"}
_ESCAPE_RE = re.compile(r"\\[~=#{}:n\\]")


def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _unescaped(text: str, chars: str) -> list[int]:
    """Positions of the characters in `chars` that are not escaped by a backslash."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            found.append(i)
        i += 1
    return found


def _blocks(text: str) -> list[tuple[int, str]]:
    """Questions are separated by blank lines; `//` lines are comments; `$CATEGORY:` lines are ignored."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//") or stripped.startswith("$CATEGORY:"):
            continue
        if not stripped:
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def _items(body: str) -> list[tuple[str, float | None, str, str]]:
    """The `~`/`=` items of an answer block: (prefix, weight or None, text, feedback)."""
    marks = _unescaped(body, "~=")
    items = []
    for n, pos in enumerate(marks):
        end = marks[n + 1] if n + 1 < len(marks) else len(body)
        raw = body[pos + 1:end]
        weight = None
        m = _WEIGHT_RE.match(raw.strip())
        if m:
            weight = float(m.group(1)) / 100
            raw = raw.strip()[m.end():]
        hashes = _unescaped(raw, "#")
        answer, feedback = (raw[:hashes[0]], raw[hashes[0] + 1:]) if hashes else (raw, "")
        items.append((body[pos], weight, _nfc(_unescape(" ".join(answer.split()))),
                      _nfc(_unescape(" ".join(feedback.split())))))
    return items


def _gift_question(block: str) -> Question | tuple[str, str]:
    name = ""
    text = block.strip()
    if text.startswith("::"):
        end = text.find("::", 2)
        if end > 0:
            name, text = _unescape(text[2:end].strip()), text[end + 2:].strip()
    text = re.sub(r"^\[(html|moodle|plain|markdown)\]", "", text)
    opens = _unescaped(text, "{")
    closes = _unescaped(text, "}")
    if not opens or not closes or closes[-1] < opens[0]:
        return ("Câu hỏi không có phần đáp án trong dấu { }.", "The question has no answer block in { }.")
    start, end = opens[0], [c for c in closes if c > opens[0]][0]
    before, body, after = text[:start].strip(), text[start + 1:end].strip(), text[end + 1:].strip()
    if after and re.fullmatch(r"[.?!:;,]+", after):
        stem = f"{before} _____{after}"
    elif after:
        stem = f"{before} _____ {after}"
    else:
        stem = before
    stem = _nfc(_unescape(" ".join(stem.split())))
    if not body:
        return ("Câu tự luận (dấu { } trống) chưa được hỗ trợ.", "Essay questions (empty { }) are not supported.")
    if body.startswith("#"):
        return ("Câu hỏi dạng số (bắt đầu bằng #) chưa được hỗ trợ.", "Numerical questions are not supported.")
    tf = re.fullmatch(r"(TRUE|FALSE|T|F)\s*((?:#[^#]*){0,2})", body, flags=re.S)
    if tf:
        feedback = [_nfc(_unescape(" ".join(f.split()))) for f in tf.group(2).split("#")[1:]]
        value = tf.group(1) in ("TRUE", "T")
        wrong = feedback[0] if feedback else ""
        right = feedback[1] if len(feedback) > 1 else ""
        return Question(Kind.TRUE_FALSE, stem, answer=value, name=name,
                        feedback_true=right if value else wrong, feedback_false=wrong if value else right)
    items = _items(body)
    if not items:
        return ("Không đọc được đáp án nào trong dấu { }.", "No answers could be read in the { } block.")
    if any("->" in text_ for _, _, text_, _ in items):
        return ("Câu ghép đôi (->) chưa được hỗ trợ.", "Matching questions are not supported.")
    if any(prefix == "~" for prefix, *_ in items):
        single = any(prefix == "=" for prefix, *_ in items)
        options = tuple(Option(t, w if w is not None else (1.0 if p == "=" else 0.0), f) for p, w, t, f in items)
        if not any(o.weight > 0 for o in options):
            return ("Câu trắc nghiệm không có đáp án đúng (= hoặc trọng số dương).",
                    "The multiple-choice question has no right answer.")
        return Question(Kind.SINGLE if single else Kind.MULTIPLE, stem, options, name=name)
    options = tuple(Option(t, w if w is not None else 1.0, f) for _, w, t, f in items)
    return Question(Kind.SHORT, stem, options, name=name)


def parse_gift(text: str) -> ParseResult:
    """Read a GIFT file (Moodle's text format for questions) into questions, with every problem by line."""
    result = ParseResult()
    for line, block in _blocks(_nfc(text.lstrip("\ufeff"))):
        q = _gift_question(block)
        if isinstance(q, Question):
            result.questions.append(q)
        else:
            result.errors.append(ParseError(line, *q))
    return result


# --------------------------------------------------------------------------------------------------------------------
# Aiken (https://docs.moodle.org/en/Aiken_format): single-choice questions, options "A." or "A)", then "ANSWER: X".
# --------------------------------------------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$", re.IGNORECASE)


def parse_aiken(text: str) -> ParseResult:
    """Read an Aiken file into single-choice questions, with every problem by line."""
    result = ParseResult()
    stem: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def fail(line: int, vi: str, en: str) -> None:
        result.errors.append(ParseError(line, vi, en))

    for number, raw in enumerate(_nfc(text.lstrip("\ufeff")).splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        answer = _AIKEN_ANSWER.match(line)
        option = _AIKEN_OPTION.match(line)
        if answer:
            letter = answer.group(1).upper()
            letters = [k for k, _ in options]
            if not stem or len(options) < 2:
                fail(start or number, "Câu hỏi cần nội dung và ít nhất hai phương án trước dòng ANSWER.",
                     "A question needs its text and at least two options before ANSWER.")
            elif letter not in letters:
                fail(number, f"Đáp án {letter} không có trong các phương án ({', '.join(letters)}).",
                     f"Answer {letter} is not one of the options ({', '.join(letters)}).")
            else:
                result.questions.append(Question(
                    Kind.SINGLE, " ".join(stem),
                    tuple(Option(t, 1.0 if k == letter else 0.0) for k, t in options)))
            stem, options, start = [], [], 0
        elif option and stem:
            options.append((option.group(1), option.group(2)))
        elif options:
            fail(number, "Dòng này nằm sau các phương án nhưng không phải phương án hay dòng ANSWER.",
                 "This line follows the options but is neither an option nor the ANSWER line.")
        else:
            if not stem:
                start = number
            stem.append(line)
    if stem or options:
        fail(start, "Câu hỏi cuối thiếu dòng ANSWER.", "The last question has no ANSWER line.")
    return result


# --------------------------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------------------------


def _typed(text: str) -> str:
    return " ".join(_nfc(text).casefold().split())


def score(question: Question, response: object) -> float:
    """The fraction of the question's mark that `response` earns, between 0 and 1 (the rules in the module doc).
    `response`: an option index (single), a collection of indices (multiple), a bool (true/false), a string (short);
    None or anything unreadable earns 0."""
    if response is None:
        return 0.0
    if question.kind is Kind.TRUE_FALSE:
        return 1.0 if isinstance(response, bool) and response == question.answer else 0.0
    if question.kind is Kind.SHORT:
        if not isinstance(response, str) or not response.strip():
            return 0.0
        typed = _typed(response)
        return max((o.weight for o in question.options if _typed(o.text) == typed), default=0.0)
    if question.kind is Kind.SINGLE:
        if isinstance(response, bool) or not isinstance(response, int) or not 0 <= response < len(question.options):
            return 0.0
        return max(0.0, min(1.0, question.options[response].weight))
    chosen = {r for r in response if isinstance(r, int) and not isinstance(r, bool)} \
        if isinstance(response, (list, tuple, set, frozenset)) else set()
    if not chosen or any(not 0 <= r < len(question.options) for r in chosen):
        return 0.0
    return max(0.0, min(1.0, sum(question.options[r].weight for r in chosen)))


def grade(questions: Sequence[Question], responses: Sequence[object], marks: Sequence[float] | None = None) -> float:
    """The points earned on a whole test (each question's mark, 1 by default, times its fraction)."""
    marks = marks or [1.0] * len(questions)
    return sum(m * score(q, r) for q, r, m in zip(questions, responses, marks, strict=True))


def percent(points: float, total: float) -> float:
    """A score as a percentage with one decimal, as trainees read it."""
    return round(100 * points / total, 1) if total else 0.0


def score_requirement(required_percent: float | None, best_percent: float | None) -> Reason | None:
    """Completion may require a post-test score (Circular 03/2023/TT-BNV, Art. 6: attending and passing the
    course's tests). None when the rule is met or not set; otherwise the reason the trainee reads."""
    if required_percent is None:
        return None
    if best_percent is None:
        return Reason("post_test_missing", f"Chưa làm bài kiểm tra cuối khoá (cần đạt ít nhất {required_percent:g}%).",
                      f"The post-course test has not been taken (at least {required_percent:g}% is required).")
    if best_percent + 1e-9 < required_percent:
        return Reason("post_test_below", f"Điểm bài kiểm tra cuối khoá {best_percent:g}%, chưa đạt mức "
                      f"{required_percent:g}%.", f"Post-course test score {best_percent:g}% is below the "
                      f"required {required_percent:g}%.")
    return None


# --------------------------------------------------------------------------------------------------------------------
# Evaluation results
# --------------------------------------------------------------------------------------------------------------------

MIN_GROUP = 5  # fewer responses than this in a group are never shown, so that no one is recognised by them


def shown_groups(counts: Mapping[object, int], minimum: int = MIN_GROUP) -> set[object]:
    """The groups (course, lecturer, province…) whose evaluation results may be shown."""
    return {key for key, n in counts.items() if n >= minimum}


# --------------------------------------------------------------------------------------------------------------------
# A question written in the UI or in a spreadsheet row
# --------------------------------------------------------------------------------------------------------------------

KIND_WORDS = {  # what people write in the spreadsheet's "Loại" column (folded: no tone marks, lower case)
    Kind.SINGLE: {"mot dap an", "mot dap an dung", "single", "1"},
    Kind.MULTIPLE: {"nhieu dap an", "nhieu dap an dung", "multiple", "n"},
    Kind.TRUE_FALSE: {"dung sai", "dung/sai", "true/false", "d/s", "ds"},
    Kind.SHORT: {"tra loi ngan", "ngan", "short", "short answer"},
}
MAX_OPTIONS = 8


def build_question(kind: str, text: str, options: Sequence[tuple[str, bool]] = (), true_false: bool | None = None,
                   accepted: Sequence[str] = ()) -> Question | Reason:
    """A question from a form or a spreadsheet row, or the reason it cannot be one. For choices, `options` are
    (text, right?) in order; blank options are dropped."""
    text = _nfc(" ".join((text or "").split()))
    if not text:
        return Reason("question_text", "Cần nhập nội dung câu hỏi.", "The question needs a text.")
    if len(text) > 2000:
        return Reason("question_long", "Câu hỏi dài quá 2.000 ký tự.", "The question is longer than 2,000 characters.")
    try:
        k = Kind(kind)
    except ValueError:
        return Reason("kind_unknown", "Loại câu hỏi phải là: một đáp án, nhiều đáp án, đúng/sai hoặc trả lời ngắn.",
                      "The kind must be single, multiple, true/false or short answer.")
    if k is Kind.TRUE_FALSE:
        if true_false is None:
            return Reason("answer_missing", "Hãy chọn đáp án Đúng hoặc Sai.", "Choose True or False.")
        return Question(k, text, answer=true_false)
    if k is Kind.SHORT:
        answers = [_nfc(" ".join(a.split())) for a in accepted if a and a.strip()]
        if not answers:
            return Reason("answer_missing", "Cần ít nhất một câu trả lời được chấp nhận.",
                          "At least one accepted answer is needed.")
        return Question(k, text, tuple(Option(a[:500], 1.0) for a in answers))
    kept = [(_nfc(" ".join(t.split()))[:500], right) for t, right in options if t and t.strip()]
    if len(kept) < 2:
        return Reason("options_few", "Câu trắc nghiệm cần ít nhất hai phương án.",
                      "A choice needs at least two options.")
    if len(kept) > MAX_OPTIONS:
        return Reason("options_many", f"Tối đa {MAX_OPTIONS} phương án.", f"At most {MAX_OPTIONS} options.")
    rights = sum(1 for _, right in kept if right)
    if rights == 0:
        return Reason("right_missing", "Hãy đánh dấu phương án đúng.", "Mark the right option.")
    if k is Kind.SINGLE and rights > 1:
        return Reason("right_many", "Câu một đáp án chỉ có một phương án đúng; hãy chọn loại “nhiều đáp án”.",
                      "A single-choice question has one right option; choose “multiple”.")
    weight = 1.0 if k is Kind.SINGLE else round(1 / rights, 4)
    # Multiple choice: the right options share the mark, a wrong one takes as much away (Moodle's usual setting).
    return Question(k, text, tuple(Option(t, weight if right else (0.0 if k is Kind.SINGLE else -weight))
                                   for t, right in kept))
