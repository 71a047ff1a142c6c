"""Go-style duration strings ("5s", "3m", "1h30m") as Argo CD writes them in
``syncPolicy.retry.backoff`` and annotations. Pure; used by model and controller."""

from __future__ import annotations

import re

from rudder.model.errors import ConfigError

_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str | int | float, *, field: str = "duration") -> float:
    """Seconds in ``text``. A bare number means seconds, as Argo CD accepts."""
    if isinstance(text, int | float):
        return float(text)
    value = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    pos = 0
    total = 0.0
    for match in _PART.finditer(value):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(value) or not value:
        raise ConfigError(f"{field}: {text!r} is not a duration (use e.g. 5s, 3m, 1h)")
    return total
