"""The CLI's saved login: server URL, token and user name in
``~/.config/rudder/config.yaml`` (``$RUDDER_CONFIG`` or ``$XDG_CONFIG_HOME`` move it),
written with mode 0600. Used by ``rudder login/logout`` and by every command that
talks to the server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class Login:
    server: str = ""
    token: str = ""
    username: str = ""


def config_path() -> Path:
    explicit = os.environ.get("RUDDER_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rudder" / "config.yaml"


def load() -> Login:
    path = config_path()
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return Login()
    if not isinstance(data, dict):
        return Login()
    return Login(
        server=str(data.get("server") or ""),
        token=str(data.get("token") or ""),
        username=str(data.get("username") or ""),
    )


def save(login: Login) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = yaml.safe_dump(
        {"server": login.server, "token": login.token, "username": login.username}, sort_keys=False
    )
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path.with_suffix(".tmp"), 0o600)
    os.replace(path.with_suffix(".tmp"), path)
    return path


def clear() -> bool:
    path = config_path()
    if path.exists():
        path.unlink()
        return True
    return False
