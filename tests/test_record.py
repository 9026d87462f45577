"""``Record``: the immutable value classes that replace ``typing.NamedTuple`` (same behaviour)."""

from __future__ import annotations

import copy
import pickle
from typing import ClassVar, NamedTuple

import pytest

from dockerfix.record import Record


class Point(Record):
    """A test record."""

    x: int
    y: int = 0
    label: str | None = None
    scale: ClassVar[int] = 10


class Point3(Point):
    """A record extending another."""

    z: int = 0


def test_fields_are_the_annotations_in_order_without_classvars() -> None:
    assert Point._fields == ("x", "y", "label")
    assert Point3._fields == ("x", "y", "label", "z")


def test_positional_keyword_and_default_values() -> None:
    assert Point(1, 2, "a") == Point(x=1, y=2, label="a") == Point(1, label="a", y=2)
    p = Point(1)
    assert (p.x, p.y, p.label) == (1, 0, None)
    assert Point3(1, z=3).z == 3
    assert Point3(1, z=3).y == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, "missing 'x'"),
        ((1, 2, "a", 4), {}, "takes 3 arguments"),
        ((1,), {"x": 2}, "got 'x' twice"),
        ((1,), {"w": 2}, "no field 'w'"),
    ],
)
def test_wrong_arguments_are_type_errors(
    args: tuple[object, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)  # type: ignore[arg-type]


def test_immutable() -> None:
    p = Point(1)
    with pytest.raises(AttributeError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x  # type: ignore[misc]
    assert p.x == 1


def test_a_tuple_of_its_values_as_a_named_tuple_is() -> None:
    assert Point(1, 2) == Point(1, 2) == (1, 2, None)
    assert hash(Point(1, 2)) == hash(Point(y=2, x=1))
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != Point3(1, 2)  # (1, 2, None) and (1, 2, None, 0)
    assert len({Point(1), Point(1), Point(2)}) == 2
    x, y, label = Point(1, 2)
    assert (x, y, label) == (1, 2, None)
    assert not hasattr(Point(1), "__dict__")  # as small as a tuple


def test_behaves_like_the_named_tuple_it_replaces() -> None:
    class Named(NamedTuple):
        x: int
        y: int = 0
        label: str | None = None

    for args, kwargs in [((1,), {}), ((1, 2), {"label": "a"}), ((), {"x": 3, "y": 4})]:
        record, named = Point(*args, **kwargs), Named(*args, **kwargs)  # type: ignore[arg-type]
        assert tuple(record) == tuple(named)
        assert repr(record) == repr(named).replace("Named", "Point")
        assert record._replace(y=9) == named._replace(y=9)


def test_repr_names_the_fields() -> None:
    assert repr(Point(1, label="a")) == "Point(x=1, y=0, label='a')"


def test_replace_copies_with_changes() -> None:
    p = Point(1, 2)
    q = p._replace(y=5)
    assert (p.y, q.y, q.x) == (2, 5, 1)
    assert type(q) is Point
    with pytest.raises(TypeError, match="no field 'w'"):
        p._replace(w=1)


def test_pickle_and_copy_round_trip() -> None:
    p = Point3(1, 2, "a", 4)
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.copy(p) == p
    assert copy.deepcopy(p) == p
