"""Read and validate the curriculum files in ``curricula/``; hash and export their schema.

``load_curricula(directory)`` validates every file and collects every error instead of stopping at the first, so an
editor fixing a corrected text sees all problems at once. Each error prints as ``file: path: reason``, e.g.
``ct2.yaml: modules[3].hours.theory: must be greater than 0``, or ``ct2.yaml: line 14: ...`` for broken YAML.

No database and no web framework here: the ``nangluc curricula check`` and ``sync`` commands and the catalogue build
on these functions.
"""

from __future__ import annotations

import hashlib
import json
import re
import types
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from app.curricula.schema import (
    CODE_PATTERN,
    CURRICULUM_CODE_PATTERN,
    TARGET_GROUP_CODE_PATTERN,
    Curriculum,
    CurriculumFile,
    Module,
    SharedModulesFile,
    TargetGroup,
    TargetGroupsFile,
    expand,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "SCHEMA_FILES",
    "CurriculumError",
    "LoadResult",
    "canonical_json",
    "check",
    "content_hash",
    "export_json_schema",
    "json_schemas",
    "load_curricula",
]

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "curricula"
"""``curricula/`` at the root of the source tree (the package is installed in editable mode)."""

TARGET_GROUPS_FILE = "target-groups.yaml"
SHARED_DIRECTORY = "shared"

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "curriculum.schema.json": CurriculumFile,
    "shared-modules.schema.json": SharedModulesFile,
    "target-groups.schema.json": TargetGroupsFile,
}
"""JSON Schema files written next to the data for editors (file name -> model)."""

_PATTERN_HINTS = {
    CURRICULUM_CODE_PATTERN: "must be upper-case letters and digits starting with a letter, e.g. CT2",
    CODE_PATTERN: "must be upper-case letters, digits, '-' or '_' starting with a letter, e.g. M1",
    TARGET_GROUP_CODE_PATTERN: "must be lower-case letters, digits or '_' starting with a letter, e.g. cvh_radio",
}


@dataclass(frozen=True)
class CurriculumError:
    """One problem in one file: ``file`` relative to the curricula directory, ``path`` to the field (or a line)."""

    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.path, self.reason) if part)


@dataclass(frozen=True)
class LoadResult:
    """Valid curricula (shared modules expanded, sorted by code), the target groups, and every error found."""

    curricula: list[Curriculum] = field(default_factory=list)
    target_groups: list[TargetGroup] = field(default_factory=list)
    errors: list[CurriculumError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def curriculum(self, code: str) -> Curriculum | None:
        return next((c for c in self.curricula if c.code == code), None)

    def target_group(self, code: str) -> TargetGroup | None:
        return next((g for g in self.target_groups if g.code == code), None)


# --- YAML -----------------------------------------------------------------------------------------------------------


class _YamlError(Exception):
    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:  # unhashable key: let the constructor report it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _YamlError(None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise _YamlError(None, f"cannot be read ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = ": ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        if mark is None:
            raise _YamlError(None, reason) from exc
        raise _YamlError(mark.line + 1, f"{reason} (column {mark.column + 1})") from exc
    except yaml.YAMLError as exc:
        raise _YamlError(None, str(exc)) from exc


# --- turning pydantic errors into file: path: reason ------------------------------------------------------------------


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    annotation: Any = root
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = get_args(annotation)
            if get_origin(annotation) is not list or not args:
                return None
            annotation = args[0]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and part in annotation.model_fields:
            annotation = annotation.model_fields[part].annotation
        else:
            return None
    annotation = _unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _reason(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(model, tuple(error["loc"][:-1]))
        if parent is None:
            return "unknown key"
        return f"unknown key (allowed: {', '.join(parent.model_fields)})"
    if kind == "missing":
        return "required key is missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a mapping of keys to values"
    if kind == "string_type":
        return "must be text (put it in quotes if it looks like a number or a date)"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_HINTS:
        return _PATTERN_HINTS[ctx["pattern"]]
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return _lower_first(str(ctx["error"]))
    message = re.sub(r"^(Value error|Assertion failed), ", "", error["msg"])
    message = re.sub(r"^(Input|String|List|Value|Dictionary|Object|Tuple|Decimal) should ", "must ", message)
    return _lower_first(message)


def _validate(
    path: Path, directory: Path, model: type[BaseModel], context: dict[str, Any], errors: list[CurriculumError]
) -> BaseModel | None:
    name = path.relative_to(directory).as_posix()
    try:
        data = _read_yaml(path)
    except _YamlError as exc:
        errors.append(CurriculumError(name, f"line {exc.line}" if exc.line else "", exc.reason))
        return None
    if data is None:
        errors.append(CurriculumError(name, "", "the file is empty"))
        return None
    if not isinstance(data, dict):
        errors.append(CurriculumError(name, "", "the file must hold a mapping of keys to values at the top level"))
        return None
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            errors.append(CurriculumError(name, _format_loc(tuple(error["loc"])), _reason(error, model)))
        return None


def _raw_module_codes(path: Path) -> set[str]:
    """Module codes of a shared file that failed validation, so curricula using them are not blamed too."""
    try:
        data = _read_yaml(path)
    except _YamlError:
        return set()
    modules = data.get("modules") if isinstance(data, dict) else None
    if not isinstance(modules, list):
        return set()
    return {m["code"] for m in modules if isinstance(m, dict) and isinstance(m.get("code"), str)}


# --- loading --------------------------------------------------------------------------------------------------------


def load_curricula(directory: Path = DEFAULT_DIRECTORY) -> LoadResult:
    """Validate every curriculum file under ``directory`` and collect every error.

    Only curricula that are valid, and whose shared modules are valid, appear in ``curricula``; anything else is
    in ``errors``. A caller that writes to the database should refuse to when ``errors`` is not empty.
    """
    directory = Path(directory)
    errors: list[CurriculumError] = []
    if not directory.is_dir():
        return LoadResult(errors=[CurriculumError(str(directory), "", "directory not found")])

    # Target groups: unknown codes in curricula are only checked against a valid target-groups file.
    target_groups: list[TargetGroup] = []
    known_groups: set[str] | None = None
    groups_path = directory / TARGET_GROUPS_FILE
    if groups_path.is_file():
        groups_file = _validate(groups_path, directory, TargetGroupsFile, {}, errors)
        if isinstance(groups_file, TargetGroupsFile):
            target_groups = list(groups_file.target_groups)
            known_groups = {group.code for group in target_groups}
    else:
        errors.append(CurriculumError(TARGET_GROUPS_FILE, "", "file not found"))

    # Shared modules, each code defined once across shared/*.yaml.
    shared: dict[str, Module] = {}
    shared_origin: dict[str, str] = {}
    broken_shared: set[str] = set()
    for path in _yaml_files(directory / SHARED_DIRECTORY):
        if _misnamed(path, directory, errors):
            continue
        shared_file = _validate(path, directory, SharedModulesFile, {}, errors)
        name = path.relative_to(directory).as_posix()
        if not isinstance(shared_file, SharedModulesFile):
            broken_shared |= _raw_module_codes(path)
            continue
        for index, module in enumerate(shared_file.modules):
            if module.code in shared:
                errors.append(
                    CurriculumError(
                        name,
                        f"modules[{index}].code",
                        f"module '{module.code}' is already defined in {shared_origin[module.code]}",
                    )
                )
                continue
            shared[module.code] = module
            shared_origin[module.code] = name

    context = {"target_groups": known_groups, "shared_modules": set(shared) | broken_shared}
    curricula: dict[str, Curriculum] = {}
    origin: dict[str, str] = {}
    for path in _yaml_files(directory):
        if path.name == TARGET_GROUPS_FILE or _misnamed(path, directory, errors):
            continue
        name = path.relative_to(directory).as_posix()
        file = _validate(path, directory, CurriculumFile, context, errors)
        if not isinstance(file, CurriculumFile):
            continue
        if file.code != path.stem.upper():
            expected = path.stem.upper()
            errors.append(
                CurriculumError(name, "code", f"'{file.code}' does not match the file name ({expected} expected)")
            )
            continue
        if file.code in curricula:
            errors.append(CurriculumError(name, "code", f"'{file.code}' is already defined in {origin[file.code]}"))
            continue
        if any(code in broken_shared for code in file.shared_modules):
            continue  # the shared file's own errors are reported; nothing to expand
        curricula[file.code] = expand(file, shared)
        origin[file.code] = name

    return LoadResult(
        curricula=[curricula[code] for code in sorted(curricula, key=_code_sort_key)],
        target_groups=target_groups,
        errors=errors,
    )


def _code_sort_key(code: str) -> tuple[str, int, str]:
    # CT2 before CT10.
    match = re.fullmatch(r"([A-Z]+)([0-9]+)(.*)", code)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (code, 0, "")


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix in (".yaml", ".yml"))


def _misnamed(path: Path, directory: Path, errors: list[CurriculumError]) -> bool:
    if path.suffix == ".yaml":
        return False
    errors.append(CurriculumError(path.relative_to(directory).as_posix(), "", "rename the file to end in .yaml"))
    return True


def check(directory: Path = DEFAULT_DIRECTORY) -> list[str]:
    """The lines ``nangluc curricula check`` prints: one per error, none when every file is valid."""
    return [str(error) for error in load_curricula(directory).errors]


# --- hashing and JSON Schema ------------------------------------------------------------------------------------------


def canonical_json(curriculum: BaseModel) -> str:
    """The curriculum as JSON with sorted keys, no spaces and NFC text: the same content gives the same string."""
    text = json.dumps(curriculum.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return unicodedata.normalize("NFC", text)


def content_hash(curriculum: BaseModel) -> str:
    """sha256 (hex) of :func:`canonical_json`; the sync makes a new version when it differs from the stored one."""
    return hashlib.sha256(canonical_json(curriculum).encode("utf-8")).hexdigest()


def json_schemas() -> dict[str, str]:
    """The text of each JSON Schema file in :data:`SCHEMA_FILES`, as :func:`export_json_schema` writes it."""
    out = {}
    for name, model in SCHEMA_FILES.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def export_json_schema(directory: Path = DEFAULT_DIRECTORY) -> list[Path]:
    """Write the JSON Schema files next to the curriculum files (for editors); returns the paths written."""
    directory = Path(directory)
    written = []
    for name, text in json_schemas().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
