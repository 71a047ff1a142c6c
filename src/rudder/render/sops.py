"""Decrypts sops-encrypted objects (a top-level ``sops`` metadata key) with
``sops --decrypt`` and the age keys from RenderOptions, passed as SOPS_AGE_KEY to that
subprocess only. Plaintext is never logged or written outside a 0700 temp dir.
render.directory decrypts whole files (a multi-document file shares one MAC);
render.manifests decrypts any encrypted object left in kustomize or helm output."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

from rudder.model.errors import RenderError
from rudder.model.resource import Manifest, key_of
from rudder.model.toolchain import find_tool
from rudder.observability.logging import get_logger
from rudder.render.documents import to_manifests
from rudder.render.process import run_tool
from rudder.render.request import RenderOptions

log = get_logger(__name__)

_SOPS_ENV = ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_FILE")
_CONCURRENCY = 8


def is_encrypted(obj: Manifest) -> bool:
    """Whether ``obj`` carries sops metadata and needs decrypting."""
    meta = obj.get("sops")
    return isinstance(meta, dict) and ("mac" in meta or "version" in meta)


def _sops_env(options: RenderOptions) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SOPS_ENV}
    if options.age_keys:
        env["SOPS_AGE_KEY"] = "\n".join(key.strip() for key in options.age_keys)
    else:
        env.update({k: v for k, v in os.environ.items() if k in _SOPS_ENV})
    return env


async def decrypt_file(path: Path, *, origin: str, options: RenderOptions) -> str:
    """The plaintext of the sops-encrypted YAML or JSON file ``path`` (``origin`` names
    it in errors)."""
    kind = "json" if path.suffix == ".json" else "yaml"
    out = await run_tool(
        [find_tool("sops"), "--decrypt", "--input-type", kind, "--output-type", kind, str(path)],
        tool="sops --decrypt",
        path=origin,
        timeout=options.timeout,
        env=_sops_env(options),
        hide=(path.parent,),
    )
    log.info("sops_file_decrypted", file=origin)
    return out.decode("utf-8", "replace")


async def _decrypt_one(obj: Manifest, options: RenderOptions, env: dict[str, str], work: Path) -> Manifest:
    key = key_of(obj)
    name = str(key)
    fd, raw_path = tempfile.mkstemp(suffix=".json", dir=work)
    path = Path(raw_path)
    try:
        with os.fdopen(fd, "w") as handle:
            # JSON keeps key order and value types, so the sops MAC still verifies.
            json.dump(obj, handle)
        out = await run_tool(
            [find_tool("sops"), "--decrypt", "--input-type", "json", "--output-type", "json", str(path)],
            tool="sops --decrypt",
            path=name,
            timeout=options.timeout,
            env=env,
            hide=(work,),
        )
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)
    try:
        decrypted = json.loads(out)
    except json.JSONDecodeError as exc:
        raise RenderError(f"sops --decrypt {name}: output is not JSON") from exc
    objects = to_manifests([decrypted], origin=f"sops --decrypt {name}")
    if len(objects) != 1:
        raise RenderError(f"sops --decrypt {name}: expected one object, got {len(objects)}")
    return objects[0]


async def decrypt_manifests(manifests: list[Manifest], options: RenderOptions) -> list[Manifest]:
    """``manifests`` with every sops-encrypted object decrypted, order preserved."""
    indices = [i for i, obj in enumerate(manifests) if is_encrypted(obj)]
    if not indices:
        return manifests
    env = _sops_env(options)
    limit = asyncio.Semaphore(_CONCURRENCY)
    out = list(manifests)
    with tempfile.TemporaryDirectory(prefix="rudder-sops-", dir=options.work_dir) as tmp:
        work = Path(tmp)

        async def one(index: int) -> None:
            async with limit:
                out[index] = await _decrypt_one(manifests[index], options, env, work)

        await asyncio.gather(*(one(i) for i in indices))
    log.info("sops_decrypted", objects=len(indices))
    return out
