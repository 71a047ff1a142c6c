"""The web UI: hand-written HTML, CSS and JavaScript modules in ``static/`` (no build
step, no CDN), served by ``rudder server`` at ``/`` with ``index.html`` as the fallback.
The UI talks only to the REST API under ``/api/v1``; this package only locates the assets."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def static_dir() -> Path:
    """The folder that holds ``index.html`` and the assets, for the server to mount."""
    return Path(str(resources.files(__name__) / "static"))
