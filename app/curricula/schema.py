"""The shape of the curriculum data files in ``curricula/`` (Decision 1288/QĐ-BTTTT curricula).

Three kinds of file are validated here:

* ``curricula/<code>.yaml``: one curriculum (:class:`CurriculumFile`). It names the shared modules it uses
  (``shared_modules: [CHUNG]``) and defines its own ``modules``.
* ``curricula/shared/*.yaml``: modules defined once and used by several curricula (:class:`SharedModulesFile`),
  e.g. the general module on managing the programme, which the source letter puts in every course.
* ``curricula/target-groups.yaml``: the known target groups (:class:`TargetGroupsFile`).

The loader turns a valid :class:`CurriculumFile` into a :class:`Curriculum`, the same fields with the shared modules
expanded into ``modules`` (shared first, in ``shared_modules`` order). :class:`Curriculum` is what the rest of the
application uses and what the database sync stores; it can be validated again from its own ``model_dump()``.

Checks that need other files (is this target group known? is this shared module defined?) read the validation
context: ``{"target_groups": set_of_codes, "shared_modules": set_of_codes}``. A key that is absent (or ``None``)
skips that check, so a stored :class:`Curriculum` can be re-read without the files.

Error messages are plain English, written to follow a file name and a field path, e.g.
``ct2.yaml: modules[3].hours.theory: must be greater than 0``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, cast, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, core_schema

__all__ = [
    "CODE_PATTERN",
    "CURRICULUM_CODE_PATTERN",
    "TARGET_GROUP_CODE_PATTERN",
    "Certificate",
    "Completion",
    "Curriculum",
    "CurriculumFile",
    "Hours",
    "Module",
    "SharedModulesFile",
    "TargetGroup",
    "TargetGroupsFile",
    "Text",
    "Topic",
    "expand",
]

CURRICULUM_CODE_PATTERN = r"^[A-Z][A-Z0-9]*$"
CODE_PATTERN = r"^[A-Z][A-Z0-9_-]*$"
TARGET_GROUP_CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


def _nfc(value: str) -> str:
    # Vietnamese text typed on some systems arrives decomposed (NFD); compare and store one form only.
    return unicodedata.normalize("NFC", value)


NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_nfc)]
CurriculumCode = Annotated[str, StringConstraints(pattern=CURRICULUM_CODE_PATTERN, max_length=16)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=32)]
TargetGroupCode = Annotated[str, StringConstraints(pattern=TARGET_GROUP_CODE_PATTERN, max_length=64)]


def _context_set(info: ValidationInfo, key: str) -> set[str] | None:
    context = info.context
    if not isinstance(context, dict) or context.get(key) is None:
        return None
    return set(context[key])


def _known_target_group(value: str, info: ValidationInfo) -> str:
    known = _context_set(info, "target_groups")
    if known is not None and value not in known:
        raise ValueError(f"unknown target group '{value}' (known: {', '.join(sorted(known)) or 'none'})")
    return value


def _known_shared_module(value: str, info: ValidationInfo) -> str:
    known = _context_set(info, "shared_modules")
    if known is not None and value not in known:
        raise ValueError(f"unknown shared module '{value}' (defined in shared/: {', '.join(sorted(known)) or 'none'})")
    return value


TargetGroupRef = Annotated[TargetGroupCode, AfterValidator(_known_target_group)]
SharedModuleRef = Annotated[Code, AfterValidator(_known_shared_module)]


def _unique(
    value: Any,
    handler: ValidatorFunctionWrapHandler,
    *,
    what: str,
    field: str,
    key: str | None = "code",
    taken: Iterable[str] = (),
    taken_by: str = "",
) -> Any:
    """Validate a list and report every duplicate code at the item that repeats it.

    Works on the raw items, so duplicates are reported together with any other error inside the list.
    """
    problems: list[InitErrorDetails] = []
    taken = set(taken)
    if isinstance(value, list):
        first_index: dict[str, int] = {}
        for index, item in enumerate(value):
            code = item if key is None else item.get(key) if isinstance(item, dict) else getattr(item, key, None)
            if not isinstance(code, str):
                continue
            loc: tuple[int | str, ...] = (index,) if key is None else (index, key)
            if code in first_index:
                problems.append(
                    _error(
                        loc,
                        code,
                        f"duplicate {what} '{{code}}' (already used by {field}[{{first}}])",
                        first=first_index[code],
                    )
                )
            elif code in taken:
                problems.append(_error(loc, code, f"{what} '{{code}}' is already used by {taken_by}"))
            first_index.setdefault(code, index)
    try:
        result = handler(value)
    except ValidationError as exc:
        if not problems:
            raise
        raise ValidationError.from_exception_data(exc.title, [*map(_reraisable, exc.errors()), *problems]) from None
    if problems:
        raise ValidationError.from_exception_data(field, problems)
    return result


_BUILTIN_ERROR_TYPES = frozenset(get_args(core_schema.ErrorType))


def _reraisable(error: ErrorDetails) -> InitErrorDetails:
    """An error of a caught ValidationError in the form ``from_exception_data`` takes (custom types need rebuilding)."""
    if error["type"] in _BUILTIN_ERROR_TYPES:
        return cast(InitErrorDetails, error)
    return InitErrorDetails(
        type=PydanticCustomError(error["type"], "{message}", {"message": error["msg"]}),
        loc=error["loc"],
        input=error["input"],
    )


def _error(loc: tuple[int | str, ...], code: str, template: str, **ctx: Any) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("duplicate_code", template, {"code": code, **ctx}), loc=loc, input=code
    )


def _require_note(provisional: bool, note: str | None) -> None:
    if provisional and note is None:
        raise ValueError("provisional: true needs a note saying where the content comes from and what to check")


class StrictModel(BaseModel):
    """Base of every model here: unknown keys are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(StrictModel):
    """A text in Vietnamese (authoritative) and English (for the interface and reports)."""

    vi: NonEmptyStr = Field(description="Vietnamese text (authoritative).")
    en: NonEmptyStr = Field(description="English text.")


class Topic(StrictModel):
    """One topic taught inside a module."""

    code: Code = Field(description="Unique within the module, e.g. T1.")
    title: Text
    provisional: bool = Field(
        default=False, description="True when the topic is not taken from an authoritative text; needs a note."
    )
    note: NonEmptyStr | None = Field(default=None, description="Where the topic comes from, what to check.")

    @model_validator(mode="after")
    def _provisional_needs_note(self) -> Topic:
        _require_note(self.provisional, self.note)
        return self


class Hours(StrictModel):
    """Teaching hours of a module."""

    theory: float = Field(gt=0, allow_inf_nan=False, description="Theory hours; greater than 0.")
    practice: float = Field(ge=0, allow_inf_nan=False, description="Practice hours; 0 or more.")
    provisional: bool = Field(
        default=False, description="True when the hours are not taken from an authoritative text; needs a note."
    )
    note: NonEmptyStr | None = Field(default=None, description="Where the hours come from, what to check.")

    @model_validator(mode="after")
    def _provisional_needs_note(self) -> Hours:
        _require_note(self.provisional, self.note)
        return self

    @property
    def total(self) -> float:
        return self.theory + self.practice


class Module(StrictModel):
    """A module (chuyên đề) of a curriculum."""

    code: Code = Field(description="Unique within the curriculum (shared modules included), e.g. M1 or CHUNG.")
    title: Text
    topics: list[Topic] = Field(min_length=1, description="Topics taught, in teaching order.")
    outcomes: list[NonEmptyStr] = Field(default_factory=list, description="Learning outcomes, in Vietnamese.")
    hours: Hours
    required: bool = Field(description="True when every course of the curriculum must teach this module.")
    provisional: bool = Field(
        default=False, description="True when the module is not taken from an authoritative text; needs a note."
    )
    note: NonEmptyStr | None = Field(default=None, description="Where the module comes from, what to check.")

    @field_validator("topics", mode="wrap")
    @classmethod
    def _unique_topic_codes(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[Topic]:
        return _unique(value, handler, what="topic code", field="topics")

    @model_validator(mode="after")
    def _provisional_needs_note(self) -> Module:
        _require_note(self.provisional, self.note)
        return self


class Completion(StrictModel):
    """The default completion rule of a curriculum; a course may set its own."""

    min_attendance_share: float = Field(
        gt=0, le=1, allow_inf_nan=False, description="Minimum share of sessions attended, in (0, 1], e.g. 0.8."
    )
    assessment_required: bool = Field(description="True when a final assessment must be passed to complete.")
    note: NonEmptyStr | None = Field(default=None, description="Where the rule comes from.")


class Certificate(StrictModel):
    """The wording the certificate of completion uses for this curriculum."""

    title_vi: NonEmptyStr = Field(description='Heading of the certificate, e.g. "GIẤY CHỨNG NHẬN".')
    title_en: NonEmptyStr = Field(description='English heading, e.g. "CERTIFICATE".')
    wording_vi: NonEmptyStr = Field(description='e.g. "Đã hoàn thành chương trình bồi dưỡng ...".')
    wording_en: NonEmptyStr = Field(description='e.g. "Has completed the training programme ...".')


class _CurriculumBase(StrictModel):
    code: CurriculumCode = Field(description="CT1, CT2, ...; must match the file name (ct2.yaml holds CT2).")
    title: Text
    summary: Text | None = Field(default=None, description="One or two sentences for the catalogue.")
    legal_basis: list[NonEmptyStr] = Field(min_length=1, description="Texts the curriculum rests on.")
    version: NonEmptyStr = Field(
        description='Editor-facing label, e.g. "2023.1" (quote it). The system numbers versions itself on sync.'
    )
    provisional_note: NonEmptyStr | None = Field(
        default=None,
        description="Set when the whole curriculum is provisional (not taken from an authoritative text): why.",
    )
    target_groups: list[TargetGroupRef] = Field(
        min_length=1, description="Codes from target-groups.yaml in priority order: the first has the highest."
    )
    shared_modules: list[SharedModuleRef] = Field(
        default_factory=list, description="Codes of modules defined in shared/*.yaml that this curriculum uses."
    )
    modules: list[Module]
    completion: Completion
    certificate: Certificate

    @field_validator("target_groups", mode="wrap")
    @classmethod
    def _unique_target_groups(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[str]:
        return _unique(value, handler, what="target group", field="target_groups", key=None)

    @field_validator("shared_modules", mode="wrap")
    @classmethod
    def _unique_shared_modules(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[str]:
        return _unique(value, handler, what="shared module", field="shared_modules", key=None)

    @property
    def provisional(self) -> bool:
        """True when the whole curriculum is provisional."""
        return self.provisional_note is not None

    def priority(self, target_group: str) -> int | None:
        """1 for the first (highest-priority) target group, 2 for the next...; None when not a target group."""
        try:
            return self.target_groups.index(target_group) + 1
        except ValueError:
            return None


class CurriculumFile(_CurriculumBase):
    """A curriculum as written in its YAML file: ``modules`` holds only its own modules."""

    model_config = ConfigDict(title="Curriculum file (curricula/<code>.yaml)")

    modules: list[Module] = Field(
        default_factory=list, description="The curriculum's own modules; shared modules are listed in shared_modules."
    )

    @field_validator("modules", mode="wrap")
    @classmethod
    def _unique_module_codes(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> list[Module]:
        shared = info.data.get("shared_modules") or []
        return _unique(value, handler, what="module code", field="modules", taken=shared, taken_by="a shared module")

    @model_validator(mode="after")
    def _has_modules(self) -> CurriculumFile:
        if not self.modules and not self.shared_modules:
            raise ValueError("a curriculum needs at least one module (modules or shared_modules)")
        return self


class Curriculum(_CurriculumBase):
    """A curriculum with its shared modules expanded: ``modules`` holds every module, shared ones first."""

    modules: list[Module] = Field(min_length=1)

    @field_validator("modules", mode="wrap")
    @classmethod
    def _unique_module_codes(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[Module]:
        return _unique(value, handler, what="module code", field="modules")

    @model_validator(mode="after")
    def _shared_modules_present(self) -> Curriculum:
        codes = {module.code for module in self.modules}
        missing = [code for code in self.shared_modules if code not in codes]
        if missing:
            raise ValueError(f"shared modules missing from modules: {', '.join(missing)}")
        return self

    def module(self, code: str) -> Module | None:
        return next((module for module in self.modules if module.code == code), None)

    def is_shared(self, module: Module | str) -> bool:
        """True when the module comes from shared/ rather than this curriculum's own file."""
        return (module if isinstance(module, str) else module.code) in self.shared_modules

    @property
    def theory_hours(self) -> float:
        return sum(module.hours.theory for module in self.modules)

    @property
    def practice_hours(self) -> float:
        return sum(module.hours.practice for module in self.modules)


class TargetGroup(StrictModel):
    """A group of officials a curriculum is meant for (đối tượng bồi dưỡng)."""

    code: TargetGroupCode = Field(description="Lower-case code used by the curriculum files, e.g. cvh_radio.")
    name: Text
    description: Text
    legal_basis: list[NonEmptyStr] = Field(default_factory=list, description="Texts that name this group.")


class TargetGroupsFile(StrictModel):
    """``curricula/target-groups.yaml``."""

    model_config = ConfigDict(title="Target groups (curricula/target-groups.yaml)")

    target_groups: list[TargetGroup] = Field(min_length=1)

    @field_validator("target_groups", mode="wrap")
    @classmethod
    def _unique_codes(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[TargetGroup]:
        return _unique(value, handler, what="target group code", field="target_groups")


class SharedModulesFile(StrictModel):
    """``curricula/shared/*.yaml``: modules defined once and used by several curricula."""

    model_config = ConfigDict(title="Shared modules (curricula/shared/*.yaml)")

    modules: list[Module] = Field(min_length=1)

    @field_validator("modules", mode="wrap")
    @classmethod
    def _unique_module_codes(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> list[Module]:
        return _unique(value, handler, what="module code", field="modules")


def expand(file: CurriculumFile, shared: dict[str, Module]) -> Curriculum:
    """Build the :class:`Curriculum` of a validated file, shared modules first, in ``shared_modules`` order."""
    data: dict[str, Any] = {name: getattr(file, name) for name in CurriculumFile.model_fields}
    data["modules"] = [shared[code] for code in file.shared_modules] + list(file.modules)
    return Curriculum.model_validate(data)
