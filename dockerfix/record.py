"""``Record``: small immutable value classes, cheaper to define than ``typing.NamedTuple``.

``typing.NamedTuple`` builds each class with ``eval`` (~0.1 ms apiece) and needs ``typing``
at run time (~3 ms of imports); the editor's stdin run defines about 45 records, and that
was a tenth of its time. A ``Record`` subclass is a tuple subclass like a named tuple,
built without ``eval`` in ~15 µs:

    class Flag(Record):
        name: str
        value: str | None = None

Its fields are its annotations (``ClassVar`` ones excluded), in order, after those of a
``Record`` base; a field's default is the value assigned in the class body. Instances are
built from positional or keyword arguments and behave as named tuples do: immutable,
compared and hashed as tuples, printed with their field names, copied with ``_replace``.
"""

from __future__ import annotations

import operator
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

    if sys.version_info >= (3, 11):
        from typing import Self, dataclass_transform
    else:
        from typing_extensions import Self, dataclass_transform
else:

    def dataclass_transform(**_options: object) -> object:
        """Tells the type checker that subclasses are dataclass-like (nothing at run time)."""
        return lambda cls: cls


try:  # the C field accessor ``collections.namedtuple`` uses
    from _collections import _tuplegetter  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other Pythons

    def _tuplegetter(index: int, doc: str) -> Any:
        return property(operator.itemgetter(index), doc=doc)


class _RecordMeta(type):
    """Turns the annotations of a ``Record`` class into fields and defaults."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> _RecordMeta:
        inherited: tuple[str, ...] = ()
        defaults: dict[str, Any] = {}
        for base in bases:
            inherited += getattr(base, "_fields", ())
            defaults.update(getattr(base, "_defaults", {}))
        if "__annotations__" not in namespace and "__annotate__" in namespace:
            # Python 3.14 evaluates annotations lazily unless they are strings
            raise TypeError(f"{name}: a Record's module needs `from __future__ import annotations`")
        own = tuple(
            field
            for field, kind in namespace.get("__annotations__", {}).items()
            if not str(kind).startswith(("ClassVar", "typing.ClassVar")) and field not in inherited
        )
        for index, field in enumerate(own, start=len(inherited)):
            if field in namespace:  # a default: kept aside, the accessor takes the name
                defaults[field] = namespace[field]
            namespace[field] = _tuplegetter(index, f"Field {index}: {field}")
        fields = inherited + own
        tail = len(fields)
        while tail and fields[tail - 1] in defaults:
            tail -= 1
        namespace["__slots__"] = ()
        namespace["_fields"] = fields
        namespace["_defaults"] = defaults
        namespace["_tail"] = tuple(defaults[field] for field in fields[tail:])
        return super().__new__(mcs, name, bases, namespace, **kwargs)


@dataclass_transform(eq_default=True, frozen_default=True)
class Record(tuple, metaclass=_RecordMeta):  # type: ignore[type-arg]
    """Base of the immutable value records (see the module's docstring)."""

    _fields: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]
    _tail: ClassVar[tuple[Any, ...]]  # the defaults of the last fields, which all have one

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        if not kwargs:
            missing = len(cls._fields) - len(args)
            if not missing:
                return tuple.__new__(cls, args)
            if 0 < missing <= len(cls._tail):
                return tuple.__new__(cls, args + cls._tail[-missing:])
        return tuple.__new__(cls, cls._complete(args, kwargs))

    @classmethod
    def _complete(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """Every field's value, in order, from arguments, keywords and defaults."""
        fields, defaults = cls._fields, cls._defaults
        if len(args) > len(fields):
            raise TypeError(f"{cls.__name__} takes {len(fields)} arguments, {len(args)} given")
        values = list(args)
        for name in fields[len(args) :]:
            if name in kwargs:
                values.append(kwargs.pop(name))  # kwargs is this call's own dict
            elif name in defaults:
                values.append(defaults[name])
            else:
                raise TypeError(f"{cls.__name__} is missing {name!r}")
        for name in kwargs:
            problem = "got {!r} twice" if name in fields else "has no field {!r}"
            raise TypeError(f"{cls.__name__} {problem.format(name)}")
        return tuple(values)

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)  # pickle and copy rebuild it from its values

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(self._fields, self, strict=True))
        return f"{type(self).__name__}({inner})"

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed."""
        values = dict(zip(self._fields, self, strict=True))
        for name in changes:
            if name not in values:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
        values.update(changes)
        return tuple.__new__(type(self), values.values())
