"""``Record``: small immutable value classes, cheaper to define than ``typing.NamedTuple``.

``typing.NamedTuple`` builds each class with ``eval`` (~0.1 ms apiece) and needs ``typing``
at run time (~3 ms of imports); the editor's stdin run defines about 45 records, and that
was a tenth of its time. A ``Record`` subclass is a plain class, defined in ~10 µs:

    class Flag(Record):
        name: str
        value: str | None = None

Its fields are its annotations (``ClassVar`` ones excluded), in order, after those of a
``Record`` base; a field's default is its class attribute. Instances are built from
positional or keyword arguments, compare equal when type and values are equal, hash by
their values, print like a named tuple, cannot be changed, and copy with ``_replace``.
They are not tuples: no unpacking, indexing or ordering (mypy says so where it matters).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Self, dataclass_transform
else:

    def dataclass_transform(**_options: object) -> object:
        """Tells the type checker that subclasses are dataclass-like (nothing at run time)."""
        return lambda cls: cls


_MISSING = object()


@dataclass_transform(eq_default=True, frozen_default=True)
class Record:
    """Base of the immutable value records (see the module's docstring)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        own = [
            name
            for name, kind in cls.__dict__.get("__annotations__", {}).items()  # noqa: RUF063 (no inspect)
            if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        ]
        cls._fields = cls._fields + tuple(name for name in own if name not in cls._fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if kwargs or len(args) != len(cls._fields):
            args = cls._complete(args, kwargs)
        self.__dict__.update(zip(cls._fields, args, strict=True))

    @classmethod
    def _complete(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """Every field's value, in order, from arguments, keywords and defaults."""
        fields = cls._fields
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__} takes {len(fields)} arguments, {len(args)} given")
        for name in kwargs:
            if name not in fields:
                raise TypeError(f"{cls.__name__} has no field {name!r}")
            if fields.index(name) < len(args):
                raise TypeError(f"{cls.__name__} got {name!r} twice")
        values = list(args)
        for name in fields[len(args) :]:
            value = kwargs.get(name, getattr(cls, name, _MISSING))
            if value is _MISSING:
                raise TypeError(f"{cls.__name__} is missing {name!r}")
            values.append(value)
        return tuple(values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: use _replace")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({inner})"

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed."""
        cls = type(self)
        values = dict(self.__dict__)
        for name in changes:
            if name not in values:
                raise TypeError(f"{cls.__name__} has no field {name!r}")
        values.update(changes)
        new = object.__new__(cls)
        new.__dict__.update(values)
        return new
