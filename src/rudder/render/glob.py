"""Argo CD's glob semantics for ``directory.include`` / ``exclude`` (gobwas/glob without
separators): ``*`` and ``**`` match any characters including ``/``, ``?`` one character,
``[a-z]`` / ``[!a-z]`` classes, ``{a,b}`` alternatives, ``\\`` escapes. Used by render.directory."""

from __future__ import annotations

import functools
import re

from rudder.model.errors import RenderError


def _translate(pattern: str, pos: int, *, in_braces: bool) -> tuple[str, int]:
    out: list[str] = []
    while pos < len(pattern):
        char = pattern[pos]
        if char == "\\":
            if pos + 1 < len(pattern):
                out.append(re.escape(pattern[pos + 1]))
                pos += 2
            else:
                out.append(re.escape(char))
                pos += 1
        elif char == "*":
            while pos < len(pattern) and pattern[pos] == "*":
                pos += 1
            out.append(".*")
        elif char == "?":
            out.append(".")
            pos += 1
        elif char == "[":
            end = pattern.find("]", pos + 1)
            if end == -1:
                raise ValueError(f"unclosed '[' at position {pos}")
            body = pattern[pos + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            if not body:
                raise ValueError(f"empty character class at position {pos}")
            escaped = "".join("-" if c == "-" else re.escape(c) for c in body)
            out.append(f"[{'^' if negate else ''}{escaped}]")
            pos = end + 1
        elif char == "{":
            alternatives: list[str] = []
            pos += 1
            while True:
                part, pos = _translate(pattern, pos, in_braces=True)
                alternatives.append(part)
                if pos >= len(pattern):
                    raise ValueError("unclosed '{'")
                if pattern[pos] == "}":
                    pos += 1
                    break
                pos += 1  # a ','
            out.append("(?:" + "|".join(alternatives) + ")")
        elif in_braces and char in ",}":
            return "".join(out), pos
        else:
            out.append(re.escape(char))
            pos += 1
    return "".join(out), pos


@functools.lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression for ``pattern``; RenderError when it is malformed."""
    try:
        regex, _ = _translate(pattern, 0, in_braces=False)
    except ValueError as exc:
        raise RenderError(f"glob {pattern!r}: {exc}") from exc
    return re.compile(rf"\A(?:{regex})\Z", re.S)


def glob_match(pattern: str, path: str) -> bool:
    """Whether the slash-separated relative ``path`` matches ``pattern``."""
    return compile_glob(pattern).match(path) is not None
