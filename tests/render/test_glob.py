"""Argo CD (gobwas) glob semantics for directory include/exclude."""

from __future__ import annotations

import pytest

from rudder.model.errors import RenderError
from rudder.render.glob import glob_match


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "sub/dir/a.yaml", True),  # no separators: * crosses directories
        ("*.yaml", "a.yml", False),
        ("**/*.yaml", "sub/a.yaml", True),
        ("?.json", "a.json", True),
        ("?.json", "ab.json", False),
        ("{config.json,env-usw2/*}", "config.json", True),
        ("{config.json,env-usw2/*}", "env-usw2/a.yaml", True),
        ("{config.json,env-usw2/*}", "env-use1/a.yaml", False),
        ("{a,{b,c}}.yaml", "c.yaml", True),
        ("[ab].yaml", "b.yaml", True),
        ("[!ab].yaml", "b.yaml", False),
        ("[a-c].yaml", "c.yaml", True),
        ("file\\*.yaml", "file*.yaml", True),
        ("file\\*.yaml", "fileX.yaml", False),
        ("config.json", "sub/config.json", False),  # anchored at both ends
        ("a.b", "axb", False),  # dots are literal
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


@pytest.mark.parametrize("pattern", ["{a,b", "[ab", "x[]"])
def test_malformed_glob_is_an_error(pattern: str) -> None:
    with pytest.raises(RenderError, match="glob"):
        glob_match(pattern, "a")
