"""Evaluates ``*.jsonnet`` files with the official jsonnet bindings: extVars / tlas
(string or code), ``libs`` as import search paths relative to the repository, imports
confined to the checkout, and the render timeout. Used by render.directory."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import _jsonnet

from rudder.model.application import JsonnetSource, NameValue
from rudder.model.errors import RenderError
from rudder.render.confine import confine, is_inside, join_inside
from rudder.render.request import Checkout


class _Importer:
    """Resolves imports like jsonnet's file importer (importing dir, then libs) but
    refuses any file that resolves outside the repository."""

    def __init__(self, root: Path, libs: list[Path]) -> None:
        self.root = root.resolve()
        self.libs = libs

    def __call__(self, base: str, rel: str) -> tuple[str, bytes]:
        if rel.startswith("/"):
            candidates = [Path(rel)]
        else:
            candidates = [Path(base) / rel, *(lib / rel for lib in self.libs)]
        for candidate in candidates:
            resolved = candidate.resolve()
            if not is_inside(self.root, resolved):
                raise RuntimeError(f"import {rel!r} resolves outside the repository")
            if resolved.is_file():
                return str(candidate), resolved.read_bytes()
        raise RuntimeError(f"import {rel!r} not found")


def _split(items: tuple[NameValue, ...], checkout: Checkout) -> tuple[dict[str, str], dict[str, str]]:
    plain: dict[str, str] = {}
    code: dict[str, str] = {}
    for item in items:
        (code if item.code else plain)[item.name] = checkout.env.expand(item.value)
    return plain, code


async def evaluate_jsonnet(path: Path, spec: JsonnetSource, checkout: Checkout) -> Any:
    """The JSON value of the jsonnet file ``path``; RenderError with jsonnet's message."""
    name = path.relative_to(checkout.root).as_posix() if path.is_relative_to(checkout.root) else path.name
    libs = [join_inside(checkout.root, checkout.root, lib, what="jsonnet lib") for lib in spec.libs]
    ext_vars, ext_codes = _split(spec.ext_vars, checkout)
    tla_vars, tla_codes = _split(spec.tlas, checkout)
    real = confine(checkout.root, path, what="jsonnet file")

    def run() -> str:
        text: str = _jsonnet.evaluate_file(
            str(real),
            ext_vars=ext_vars,
            ext_codes=ext_codes,
            tla_vars=tla_vars,
            tla_codes=tla_codes,
            import_callback=_Importer(checkout.root, libs),
        )
        return text

    try:
        # The evaluation cannot be interrupted; on timeout its result is discarded.
        output = await asyncio.wait_for(asyncio.to_thread(run), checkout.options.timeout)
    except TimeoutError as exc:
        raise RenderError(
            f"jsonnet {name}: timed out after {checkout.options.timeout:g}s", temporary=True
        ) from exc
    except RuntimeError as exc:
        detail = (
            str(exc).replace(str(checkout.root.resolve()) + "/", "").replace(str(checkout.root) + "/", "")
        )
        raise RenderError(f"jsonnet {name}: {detail.strip()}") from exc
    return json.loads(output)
