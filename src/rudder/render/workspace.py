"""Writable temporary copies of a read-only checkout: for tools that must change files
(``helm dependency build``) or read decrypted ones (Kustomize and Helm over
sops-encrypted files, decrypted in the copy before the tool runs, since tools reorder
keys and break the sops MAC). Used by render.manifests and render.helm."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import yaml

from rudder.render.request import Checkout
from rudder.render.sops import decrypt_file

_SUFFIXES = (".yaml", ".yml", ".json")
_MAX_SCAN_BYTES = 4 * 1024 * 1024


def writable_copy(root: Path, dest: Path) -> None:
    """Copy ``root`` to ``dest`` keeping symlinks, with owner write permission."""
    shutil.copytree(root, dest, symlinks=True)
    for dirpath, dirnames, filenames in os.walk(dest):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
    dest.chmod(0o755)


def _is_encrypted_file(path: Path) -> bool:
    if path.is_symlink() or path.stat().st_size > _MAX_SCAN_BYTES:
        return False
    data = path.read_bytes()
    if b"sops" not in data or b"mac" not in data or b"ENC[" not in data:
        return False
    try:
        documents = list(yaml.safe_load_all(data))
    except yaml.YAMLError:
        return False
    return any(isinstance(doc, dict) and isinstance(doc.get("sops"), dict) for doc in documents)


@functools.lru_cache(maxsize=1024)
def encrypted_files(root: str) -> tuple[str, ...]:
    """Repository-relative paths of sops-encrypted YAML/JSON files under ``root``
    (remembered per root: exports are immutable per commit)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(_SUFFIXES) and _is_encrypted_file(Path(dirpath, name)):
                found.append(Path(dirpath, name).relative_to(root).as_posix())
    return tuple(found)


@asynccontextmanager
async def decrypted_workspace(checkout: Checkout) -> AsyncIterator[Checkout]:
    """``checkout`` itself when nothing is encrypted; otherwise a writable copy (0700
    temp dir, removed on exit) in which every sops file is decrypted in place."""
    files = await asyncio.to_thread(encrypted_files, str(checkout.root))
    if not files:
        yield checkout
        return
    with tempfile.TemporaryDirectory(prefix="rudder-workspace-", dir=checkout.options.work_dir) as tmp:
        copy = Path(tmp) / "repo"
        await asyncio.to_thread(writable_copy, checkout.root, copy)
        for rel in files:
            plaintext = await decrypt_file(copy / rel, origin=rel, options=checkout.options)
            await asyncio.to_thread((copy / rel).write_text, plaintext)
        app_dir = copy / checkout.app_dir.relative_to(checkout.root)
        yield replace(checkout, root=copy, app_dir=app_dir, writable=True)
