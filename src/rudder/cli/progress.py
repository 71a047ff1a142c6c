"""The live view of a running sync for ``rudder app sync --wait``: operation phase and
message, then every resource of the sync result grouped by phase and wave with its
result and health, redrawn as the controller reports progress (a line per change
when output is not a terminal). Used by rudder.cli.app."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from rudder.cli.output import badge, table
from rudder.model.resource import Manifest

_PHASE_ORDER = {"PreSync": 0, "Sync": 1, "PostSync": 2, "SyncFail": 3}


def _health_by_key(app: Manifest) -> dict[tuple[str, str, str, str], str]:
    out = {}
    for res in (app.get("status") or {}).get("resources") or []:
        key = (
            str(res.get("group", "")),
            str(res.get("kind", "")),
            str(res.get("namespace", "")),
            str(res.get("name", "")),
        )
        out[key] = str((res.get("health") or {}).get("status") or "")
    return out


def rows(app: Manifest) -> list[list[str]]:
    """PHASE, WAVE, KIND, NAME, RESULT, HOOK, HEALTH, MESSAGE per resource of the sync."""
    state = (app.get("status") or {}).get("operationState") or {}
    results = ((state.get("syncResult") or {}).get("resources")) or []
    health = _health_by_key(app)

    def order(r: dict[str, Any]) -> tuple[int, int, str, str]:
        return (
            _PHASE_ORDER.get(str(r.get("syncPhase") or "Sync"), 1),
            int(r.get("syncWave") or 0),
            str(r.get("kind", "")),
            str(r.get("name", "")),
        )

    out = []
    for r in sorted(results, key=order):
        key = (
            str(r.get("group", "")),
            str(r.get("kind", "")),
            str(r.get("namespace", "")),
            str(r.get("name", "")),
        )
        out.append(
            [
                str(r.get("syncPhase") or "Sync"),
                str(r.get("syncWave") if r.get("syncWave") is not None else "-"),
                str(r.get("kind", "")),
                f"{r.get('namespace')}/{r.get('name')}" if r.get("namespace") else str(r.get("name", "")),
                str(r.get("status", "")),
                str(r.get("hookPhase") or ""),
                health.get(key, ""),
                str(r.get("message") or "")[:80],
            ]
        )
    return out


def header(app: Manifest) -> str:
    status = app.get("status") or {}
    state = status.get("operationState") or {}
    phase = str(state.get("phase") or ("Pending" if app.get("operation") else "-"))
    return (
        f"operation {phase}: {state.get('message', '')}  |  sync {(status.get('sync') or {}).get('status', 'Unknown')}"
        f", health {(status.get('health') or {}).get('status', 'Unknown')}"
    )


def view(app: Manifest) -> RenderableType:
    """The rich renderable of the current state (for rich.live.Live)."""
    status = app.get("status") or {}
    state = status.get("operationState") or {}
    phase = str(state.get("phase") or ("Pending" if app.get("operation") else "-"))
    title = Text.from_markup(
        f"[bold]{(app.get('metadata') or {}).get('name')}[/]  operation {badge(phase)}: {state.get('message', '')}\n"
        f"sync {badge(str((status.get('sync') or {}).get('status', 'Unknown')))}  "
        f"health {badge(str((status.get('health') or {}).get('status', 'Unknown')))}"
    )
    body = [[c[0], c[1], c[2], c[3], badge(c[4]), c[5], badge(c[6]), c[7]] for c in rows(app)]
    return Group(title, table(["PHASE", "WAVE", "KIND", "NAME", "RESULT", "HOOK", "HEALTH", "MESSAGE"], body))


def lines(app: Manifest) -> list[str]:
    """Plain lines for logs (non-terminal output)."""
    return [header(app)] + ["  " + "  ".join(c for c in row if c) for row in rows(app)]
