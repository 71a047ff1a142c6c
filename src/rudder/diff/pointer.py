"""RFC 6901 JSON Pointers (``/spec/template/metadata/annotations/a~1b``) parsed into
paths, as written in ``spec.ignoreDifferences[].jsonPointers``. Used by ignore."""

from __future__ import annotations

import re

from rudder.diff.path import Path
from rudder.model.errors import ConfigError

_BAD_ESCAPE = re.compile(r"~(?![01])")


def parse_pointer(text: str) -> Path:
    """``/a/b~1c/0`` → (``a``, ``b/c``, ``0``). The empty pointer is the whole
    document (an empty path). Tokens stay strings; on a list a decimal token is an
    index. Raises ConfigError for text that is not a JSON Pointer."""
    if text == "":
        return ()
    if not text.startswith("/"):
        raise ConfigError(f"jsonPointers: {text!r} is not a JSON Pointer (it must start with '/')")
    tokens = text[1:].split("/")
    for token in tokens:
        if _BAD_ESCAPE.search(token):
            raise ConfigError(f"jsonPointers: {text!r}: '~' must be followed by 0 or 1 (RFC 6901)")
    return tuple(token.replace("~1", "/").replace("~0", "~") for token in tokens)


def format_pointer(path: Path) -> str:
    """The JSON Pointer for a path of plain keys and indexes."""
    parts = []
    for step in path:
        if not isinstance(step, str | int):
            raise ValueError(f"{step} has no JSON Pointer form")
        parts.append(str(step).replace("~", "~0").replace("/", "~1"))
    return "".join(f"/{part}" for part in parts)
