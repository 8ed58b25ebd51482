"""Content models as frozen dataclasses, which pydantic validates only when asked to.

A course is validated once and kept (tutor.course.kept); a learner's tutor then reads it back
and shows it, and never validates it again. As pydantic models, its classes would still need
pydantic and its core loaded to exist, which is most of what a start costs beyond Textual's own
(8 MiB of memory, 30 ms). As plain dataclasses they need neither: pydantic v2 validates a
dataclass as it does a model, from the rules in its annotations (`Rule`, `Before`, `After`),
which it reads only when a validator is first built (`validate`). A class's cross-field checks
are its `__post_init__`, which pydantic runs after its fields are valid.

Made by hand (`Spec(code=307)`), a model is validated as a pydantic model would be: a value
that did not pass the checks never exists.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast, dataclass_transform

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, TypeAdapter
    from pydantic_core import CoreSchema

__all__ = [
    "After",
    "Before",
    "Rule",
    "Strict",
    "dump",
    "model",
    "names",
    "required",
    "validate",
]

T = TypeVar("T")


@dataclass_transform(frozen_default=True, kw_only_default=True)
def model(cls: type[T]) -> type[T]:
    """The decorator of every content model (a `Strict`): immutable, compact, its fields
    named when made."""
    return dataclasses.dataclass(frozen=True, slots=True, kw_only=True, init=False)(cls)


class Strict:
    """Unknown keys are errors (a typo must not pass silently) and values are strict (`true`
    is no number, "10" no whole number); a mapping, as YAML and JSON give it, makes a model."""

    __slots__ = ()
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "strict": True}

    def __init__(self, **fields: Any) -> None:
        made = validate(type(self), fields)
        for name in names(type(self)):
            object.__setattr__(self, name, getattr(made, name))

    @classmethod
    def _prepare(cls, data: Any) -> Any:
        """The raw value as this model validates it (a class may fill in a default)."""
        return data

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        if schema["type"] == "dataclass":
            cast(dict[str, Any], schema)["strict"] = False  # a mapping makes it; fields stay strict
        if cls._prepare.__func__ is not Strict._prepare.__func__:  # type: ignore[attr-defined]
            from pydantic_core import core_schema

            return core_schema.no_info_before_validator_function(cls._prepare, schema)
        return schema


class Rule:
    """pydantic's `Field` constraints on a field's type (e.g. `max_length`, `pattern`,
    `discriminator`, `strict`), applied when a validator is built."""

    __slots__ = ("constraints",)

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic import Field

        return handler(Annotated[source, Field(**self.constraints)])


class _Function:
    """A function pydantic runs on a field's value, before its type is checked or after."""

    __slots__ = ("function",)
    before: ClassVar[bool]

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic_core import core_schema

        around = (
            core_schema.no_info_before_validator_function
            if self.before
            else core_schema.no_info_after_validator_function
        )
        return around(self.function, handler(source))


class Before(_Function):
    """A function that turns the raw value into what the field's type validates."""

    __slots__ = ()
    before = True


class After(_Function):
    """A check of the valid value, raising ValueError with the words for the author."""

    __slots__ = ()
    before = False


@cache
def _validator(kind: Any) -> TypeAdapter[Any]:
    """pydantic's validator of `kind` (a model, or a type made of them), built once."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def validate(kind: type[T], data: object) -> T:
    """`data` as a valid `kind`; raises pydantic.ValidationError with every problem found."""
    result: T = _validator(cast(Any, kind)).validate_python(data)
    return result


def names(kind: type[Any]) -> list[str]:
    """The fields of model `kind`, in order."""
    return [field.name for field in dataclasses.fields(kind)]


def required(kind: type[Any]) -> list[str]:
    """The fields of model `kind` that have no default, in order."""
    return [
        field.name
        for field in dataclasses.fields(kind)
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    ]


def dump(value: Any, include: set[str] | None = None) -> dict[str, Any]:
    """A model's fields as plain data (models within it as mappings), or only those in
    `include`: what `validate` makes the same model of again."""
    return {
        field.name: _plain(getattr(value, field.name))
        for field in dataclasses.fields(value)
        if include is None or field.name in include
    }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dump(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value
