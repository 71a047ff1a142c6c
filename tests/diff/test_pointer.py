"""RFC 6901 JSON Pointers as written in ignoreDifferences.jsonPointers."""

from __future__ import annotations

import pytest

from rudder.diff.path import ItemKey
from rudder.diff.pointer import format_pointer, parse_pointer
from rudder.model.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("", ()),
        ("/", ("",)),
        ("/spec/replicas", ("spec", "replicas")),
        ("/metadata/annotations/example.com~1owner", ("metadata", "annotations", "example.com/owner")),
        ("/a~0b", ("a~b",)),
        ("/a~01", ("a~1",)),  # ~0 is decoded after ~1, so this is "~1" literally
        ("/spec/containers/0/image", ("spec", "containers", "0", "image")),
        ("/a//b", ("a", "", "b")),
    ],
)
def test_parse(text: str, path: tuple[str, ...]) -> None:
    assert parse_pointer(text) == path


@pytest.mark.parametrize("text", ["spec/replicas", "/a~2b", "/a~", "#/spec"])
def test_malformed_pointer_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match="jsonPointers"):
        parse_pointer(text)


@pytest.mark.parametrize("path", [("a", "b/c", "d~e", 0), ("",), ()])
def test_format_round_trips(path: tuple[str | int, ...]) -> None:
    assert parse_pointer(format_pointer(path)) == tuple(str(step) for step in path)


def test_format_refuses_selectors() -> None:
    with pytest.raises(ValueError, match="no JSON Pointer form"):
        format_pointer(("spec", ItemKey.of({"name": "web"})))
