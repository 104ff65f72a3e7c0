"""Questions read from GIFT and Aiken as Moodle's documentation writes them, and how each kind is scored."""
from __future__ import annotations

import pytest

from app.assessment import rules
from app.assessment.rules import Kind

# The examples of Moodle's GIFT documentation (docs.moodle.org/en/GIFT_format), as a trainer would paste them.
MOODLE_GIFT = r"""
// ===Multiple Choice===
Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}

Grant is {~buried =entombed ~living} in Grant's tomb.

The American holiday of Thanksgiving is celebrated on the {
    ~second
    ~third
    =fourth
} Thursday of November.

// ===Short Answer===
Two plus two equals {=four =4}.

// ===True-False===
Grant is buried in Grant's tomb.{F}

The sun rises in the east.{T}

// ===Question Name===
::Kanji Origins::Japanese characters originally
came from what country? {=China}

// ===Feedback===
What's the answer to this multiple-choice question?{
~wrong answer#feedback comment on the wrong answer
~another wrong answer#feedback comment on this wrong answer
=right answer#Very good!}

// ===Percentage Answer Weights===
Grant is buried in Grant's tomb.{FALSE#No one is buried in Grant's tomb.}

::Jesus' hometown::Jesus Christ was from {
    ~Jerusalem#This was an important city, but the wrong answer.
    ~%25%Bethlehem#He was born here, but not raised here.
    ~%50%Galilee#You need to be more specific.
    =Nazareth#Yes! That's right!}.

// ===Multiple Answers===
What two people are entombed in Grant's tomb? {
    ~%-50%No one
    ~%50%Grant
    ~%50%Grant's wife
    ~%-50%Grant's father }

// ===Special Characters===
Which answer equals 5? {
     ~ \= 2 + 2
     = \= 2 + 3
     ~ \= 2 + 4  }
"""

MOODLE_AIKEN = """What is the correct answer to this question?
A. Is it this one?
B. Maybe this answer?
C. Possibly this one?
D. Must be this one!
ANSWER: D

Which LMS has the most quiz import formats?
A) Moodle
B) ATutor
C) Claroline
D) Blackboard
E) WebCT
F) Ilias
ANSWER: A
"""


def test_moodle_gift_examples_read_as_the_same_questions():
    result = rules.parse_gift(MOODLE_GIFT)
    assert result.errors == []
    q = result.questions
    assert [x.kind for x in q] == [Kind.SINGLE, Kind.SINGLE, Kind.SINGLE, Kind.SHORT, Kind.TRUE_FALSE,
                                   Kind.TRUE_FALSE, Kind.SHORT, Kind.SINGLE, Kind.TRUE_FALSE, Kind.SINGLE,
                                   Kind.MULTIPLE, Kind.SINGLE]
    assert q[0].text == "Who's buried in Grant's tomb?"
    assert [(o.text, o.weight) for o in q[0].options] == [("Grant", 0), ("Jefferson", 0), ("no one", 1)]
    assert q[1].text == "Grant is _____ in Grant's tomb."  # the missing-word form
    assert q[2].text == "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    assert [o.text for o in q[3].options] == ["four", "4"]
    assert (q[4].answer, q[5].answer) == (False, True)
    assert (q[6].name, q[6].text) == ("Kanji Origins", "Japanese characters originally came from what country?")
    assert q[7].options[2] == rules.Option("right answer", 1.0, "Very good!")
    assert q[8].answer is False and q[8].feedback_true == "No one is buried in Grant's tomb."
    assert q[9].text == "Jesus Christ was from _____."
    assert [o.weight for o in q[9].options] == [0, 0.25, 0.5, 1]
    assert [o.weight for o in q[10].options] == [-0.5, 0.5, 0.5, -0.5]
    assert [o.text for o in q[11].options] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]
    assert [o.weight for o in q[11].options] == [0, 1, 0]


def test_gift_kinds_outside_the_four_are_refused_by_line_not_guessed():
    text = ("Match.{=Canada -> Ottawa =Italy -> Rome}\n\nWhen was Grant born?{#1822:5}\n\n"
            "Write an essay.{}\n\nNo answers at all\n\nThủ đô Việt Nam?{=Hà Nội}")
    result = rules.parse_gift(text)
    assert [e.line for e in result.errors] == [1, 3, 5, 7]
    assert "ghép đôi" in result.errors[0].vi and "dạng số" in result.errors[1].vi
    assert [x.text for x in result.questions] == ["Thủ đô Việt Nam?"]


def test_moodle_aiken_examples():
    result = rules.parse_aiken(MOODLE_AIKEN)
    assert result.errors == []
    assert [x.text for x in result.questions] == ["What is the correct answer to this question?",
                                                  "Which LMS has the most quiz import formats?"]
    assert [o.weight for o in result.questions[0].options] == [0, 0, 0, 1]
    assert result.questions[1].options[0] == rules.Option("Moodle", 1.0)
    assert len(result.questions[1].options) == 6


def test_aiken_errors_name_the_line():
    result = rules.parse_aiken("Câu một?\nA. Có\nB. Không\nANSWER: C\n\nCâu hai?\nA. Có\n")
    assert [(e.line, e.en) for e in result.errors] == [
        (4, "Answer C is not one of the options (A, B)."), (6, "The last question has no ANSWER line.")]
    assert result.questions == []


@pytest.mark.parametrize(("response", "fraction"), [(2, 1.0), (1, 0.5), (0, 0.0), (7, 0.0), (None, 0.0),
                                                     (True, 0.0), ("2", 0.0)])
def test_single_choice_scores_the_chosen_weight(response, fraction):
    q = rules.parse_gift("Jesus Christ was from {~Jerusalem ~%50%Galilee =Nazareth}.").questions[0]
    assert rules.score(q, response) == fraction


@pytest.mark.parametrize(("response", "fraction"), [({1, 2}, 1.0), ({1}, 0.5), ({0, 1, 2, 3}, 0.0),
                                                     ({0, 1, 2}, 0.5), ({0}, 0.0), (set(), 0.0), ({9}, 0.0)])
def test_multiple_answers_sum_weights_between_zero_and_one(response, fraction):
    q = rules.parse_gift("Who? {~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father}").questions[0]
    assert q.kind is Kind.MULTIPLE
    assert rules.score(q, response) == fraction


def test_true_false_and_short_answer():
    tf = rules.parse_gift("Trái đất quay quanh mặt trời.{T}").questions[0]
    assert (rules.score(tf, True), rules.score(tf, False), rules.score(tf, "true")) == (1.0, 0.0, 0.0)
    short = rules.parse_gift("Cơ quan quản lý thông tin cơ sở?{=Bộ Văn hóa, Thể thao và Du lịch =%50%Bộ VHTTDL}"
                             ).questions[0]
    assert rules.score(short, "  bộ văn hóa,  thể thao và du lịch ") == 1.0
    assert rules.score(short, "Bộ VHTTDL") == 0.5
    assert rules.score(short, "Bo Van hoa, The thao va Du lich") == 0.0  # tone marks count
    # NFD input (as some phone keyboards send it) equals the NFC answer
    import unicodedata
    assert rules.score(short, unicodedata.normalize("NFD", "Bộ VHTTDL")) == 0.5


def test_grade_and_percent():
    qs = rules.parse_gift("A?{=x ~y}\n\nB?{T}\n\nC?{=z}").questions
    points = rules.grade(qs, [0, False, "z"], marks=[2, 1, 1])
    assert points == 3.0
    assert rules.percent(points, 4) == 75.0


def test_score_requirement_names_the_rule():
    assert rules.score_requirement(None, None) is None
    assert rules.score_requirement(70, 70.0) is None
    missing = rules.score_requirement(70, None)
    below = rules.score_requirement(70, 65.5)
    assert missing.code == "post_test_missing" and "70%" in missing.vi
    assert below.code == "post_test_below" and "65.5%" in below.vi


def test_small_groups_are_hidden():
    assert rules.shown_groups({"course-1": 5, "course-2": 4, "lecturer-9": 12}) == {"course-1", "lecturer-9"}


def test_a_question_written_in_the_form():
    single = rules.build_question("single", " Thủ đô? ", [("Hà Nội", True), ("", False), ("Huế", False)])
    assert single.text == "Thủ đô?" and [(o.text, o.weight) for o in single.options] == [("Hà Nội", 1), ("Huế", 0)]
    multiple = rules.build_question("multiple", "Chọn hai", [("a", True), ("b", True), ("c", False)])
    assert [o.weight for o in multiple.options] == [0.5, 0.5, -0.5]
    assert rules.score(multiple, {0, 1}) == 1.0 and rules.score(multiple, {0, 1, 2}) == 0.5
    assert rules.build_question("true_false", "Đúng?", true_false=False).answer is False
    assert [o.text for o in rules.build_question("short", "Viết tắt?", accepted=["TTCS", " ", "T.T.C.S"]).options] \
        == ["TTCS", "T.T.C.S"]
    refusals = [rules.build_question("single", "", [("a", True), ("b", False)]),
                rules.build_question("single", "Q", [("a", True)]),
                rules.build_question("single", "Q", [("a", False), ("b", False)]),
                rules.build_question("single", "Q", [("a", True), ("b", True)]),
                rules.build_question("true_false", "Q"),
                rules.build_question("short", "Q", accepted=[" "]),
                rules.build_question("essay", "Q")]
    assert [r.code for r in refusals] == ["question_text", "options_few", "right_missing", "right_many",
                                          "answer_missing", "answer_missing", "kind_unknown"]


def test_questions_from_the_spreadsheet_template():
    import io

    from openpyxl import load_workbook

    from app.assessment import sheet

    wb = load_workbook(io.BytesIO(sheet.template_xlsx()))
    ws = wb.active
    ws.append(["Nhiều đáp án", "Nhiệm vụ của đài truyền thanh xã?", "Phát tin của xã", "Tiếp âm đài tỉnh",
               "Quảng cáo", None, None, None, "A, B"])
    ws.append(["Đúng sai", "Đài phát bằng tiếng dân tộc khi cần.", None, None, None, None, None, None, "Đúng"])
    ws.append(["Trả lời ngắn", "Viết tắt của thông tin cơ sở?", None, None, None, None, None, None, "TTCS; TT cơ sở"])
    out = io.BytesIO()
    wb.save(out)
    questions, errors = sheet.read_questions(out.getvalue(), 5_000_000)
    assert errors == []  # the example row is not a question
    assert [q.kind for q in questions] == [Kind.MULTIPLE, Kind.TRUE_FALSE, Kind.SHORT]
    assert [o.text for o in questions[2].options] == ["TTCS", "TT cơ sở"]
    ws.append(["Một đáp án", "Câu lỗi", "X", "", None, None, None, None, "B"])
    ws.append(["Tự luận", "Câu lỗi 2", None, None, None, None, None, None, "x"])
    ws.append(["Một đáp án", "Câu lỗi 3", "X", "Y", None, None, None, None, "G"])
    out = io.BytesIO()
    wb.save(out)
    questions, errors = sheet.read_questions(out.getvalue(), 5_000_000)
    assert questions == []  # all or nothing
    assert [(e.row, e.column) for e in errors] == [(6, "Đáp án"), (7, "Loại"), (8, "Đáp án")]
    assert "Phương án B đang để trống" in errors[0].message
