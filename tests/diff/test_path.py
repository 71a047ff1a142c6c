"""Reading and writing raw objects by path: keys, indexes, pointer tokens, selectors."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rudder.diff import path as paths
from rudder.diff.path import ItemKey, ItemValue

OBJ: dict[str, Any] = {
    "spec": {
        "containers": [{"name": "web", "image": "a"}, {"name": "proxy", "image": "b"}],
        "finalizers": ["x", "y"],
        "flags": [True, 1],
    }
}
WEB = ItemKey.of({"name": "web"})
PROXY = ItemKey.of({"name": "proxy"})


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("spec", "containers", 1, "image"), "b"),
        (("spec", "containers", "1", "image"), "b"),
        (("spec", "containers", PROXY, "image"), "b"),
        (("spec", "finalizers", ItemValue.of("y")), "y"),
        (("spec", "flags", ItemValue.of(1)), 1),
        (("spec", "flags", ItemValue.of(True)), True),
        (("spec", "containers", 2), paths.MISSING),
        (("spec", "containers", "01"), paths.MISSING),
        (("spec", "containers", "-"), paths.MISSING),
        (("spec", "containers", "name"), paths.MISSING),
        (("spec", "missing", "deeper"), paths.MISSING),
        (("spec", "containers", 0, "image", "x"), paths.MISSING),
        ((), OBJ),
    ],
)
def test_get(path: paths.Path, value: Any) -> None:
    assert paths.get(OBJ, path) is value or paths.get(OBJ, path) == value


def test_bool_and_number_selectors_differ() -> None:
    assert paths.locate([1, True], ItemValue.of(True)) == 1
    assert paths.locate([True, 1], ItemValue.of(1)) == 1


@pytest.mark.parametrize(
    ("path", "after", "done"),
    [
        (("spec", "containers", PROXY), [{"name": "web", "image": "a"}], True),
        (("spec", "containers", "0"), [{"name": "proxy", "image": "b"}], True),
        (("spec", "containers", WEB, "image"), [{"name": "web"}, {"name": "proxy", "image": "b"}], True),
        (("spec", "containers", ItemKey.of({"name": "db"})), OBJ["spec"]["containers"], False),
        ((), OBJ["spec"]["containers"], False),
    ],
)
def test_delete(path: paths.Path, after: Any, done: bool) -> None:
    obj = copy.deepcopy(OBJ)
    assert paths.delete(obj, path) is done
    assert obj["spec"]["containers"] == after


@pytest.mark.parametrize(
    ("path", "value", "result", "done"),
    [
        (("spec", "containers", WEB, "image"), "c", {"name": "web", "image": "c"}, True),
        (("spec", "containers", 1, "image"), "c", {"name": "proxy", "image": "c"}, True),
        (("spec", "containers", ItemKey.of({"name": "db"})), {"name": "db"}, {"name": "db"}, True),
        (("spec", "containers", "-"), {"name": "db"}, {"name": "db"}, True),
        (("spec", "containers", "name"), "x", None, False),
        (("spec", "volumes", 0), {"name": "v"}, None, False),  # no list is invented
        (("spec", "containers", 7, "image"), "c", None, False),  # nor a partial item
    ],
)
def test_put(path: paths.Path, value: Any, result: Any, done: bool) -> None:
    obj = copy.deepcopy(OBJ)
    assert paths.put(obj, path, value) is done
    if done:
        assert result in obj["spec"]["containers"]
        if path[-1] != "-":  # "-" only ever means "append"
            assert paths.get(obj, path) == value
    else:
        assert obj == OBJ


def test_put_creates_missing_maps() -> None:
    obj: dict[str, Any] = {"metadata": {"name": "x"}}
    assert paths.put(obj, ("metadata", "annotations", "a/b"), "1")
    assert obj == {"metadata": {"name": "x", "annotations": {"a/b": "1"}}}


def test_render() -> None:
    assert paths.render(("spec", "containers", WEB, "ports", 0)) == 'spec.containers[{"name":"web"}].ports[0]'
