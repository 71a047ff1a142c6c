"""Keeps rendering inside the checkout: the app path, value files, jsonnet imports and
every symlink must resolve inside the repository root; anything that escapes is refused
with a RenderError naming the file. Used by every renderer and the facade."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from rudder.model.errors import RenderError


def is_inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (already resolved) lies within the resolved ``root``."""
    return path == root or root in path.parents


def confine(root: Path, candidate: Path, *, what: str) -> Path:
    """``candidate`` with every symlink resolved, if that stays inside ``root``;
    otherwise RenderError ``<what> <relative path>: resolves outside the repository``."""
    real_root = root.resolve()
    resolved = candidate.resolve()
    if not is_inside(real_root, resolved):
        raise RenderError(f"{what} {relative_name(root, candidate)}: resolves outside the repository")
    return resolved


def relative_name(root: Path, path: Path) -> str:
    """``path`` as the user wrote it relative to the repository (for messages)."""
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def join_inside(root: Path, base: Path, relative: str, *, what: str) -> Path:
    """Resolve the user-supplied ``relative`` against ``base`` (or ``root`` if it starts
    with ``/``, as Argo CD does for value files) and confine it to ``root``."""
    candidate = root / relative.lstrip("/") if relative.startswith("/") else base / relative
    real_root = root.resolve()
    resolved = candidate.resolve()
    if not is_inside(real_root, resolved):
        raise RenderError(f"{what} {relative}: resolves outside the repository")
    return resolved


@functools.lru_cache(maxsize=1024)
def _escaping_symlink(root: str) -> tuple[str, str] | None:
    real_root = Path(root).resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            if not path.is_symlink():
                continue
            if not is_inside(real_root, path.resolve()):
                return path.relative_to(root).as_posix(), os.readlink(path)
    return None


def check_symlinks(root: Path) -> None:
    """Refuse a repository holding any symlink that points outside it (as Argo CD does).
    The result is remembered per root: exports are immutable per commit."""
    found = _escaping_symlink(str(root))
    if found is not None:
        link, target = found
        raise RenderError(f"symlink {link} -> {target}: points outside the repository; refusing to render")
