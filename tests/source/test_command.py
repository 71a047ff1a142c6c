"""Classification of git failures: network and server trouble is temporary, anything
a retry cannot fix (auth, missing repo or revision) is permanent."""

from __future__ import annotations

import pytest

from rudder.source.command import is_temporary


@pytest.mark.parametrize(
    ("stderr", "temporary"),
    [
        ("fatal: unable to access 'https://h/r.git/': Could not resolve host: h", True),
        ("fatal: unable to access 'http://127.0.0.1:1/r.git/': Failed to connect to 127.0.0.1 port 1", True),
        ("fatal: unable to access 'https://h/r.git/': The requested URL returned error: 503", True),
        ("fatal: unable to access 'https://h/r.git/': The requested URL returned error: 403", False),
        ("fatal: Authentication failed for 'https://h/r.git/'", False),
        ("fatal: could not read Username for 'https://h': terminal prompts disabled", False),
        ("fatal: repository 'https://h/r.git/' not found", False),
        ("fatal: '/tmp/x' does not appear to be a git repository", False),
        (
            "ssh: connect to host h port 22: Connection refused\nfatal: Could not read from remote repository.",
            True,
        ),
        ("git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.", False),
        ("error: RPC failed; curl 18 transfer closed\nfatal: early EOF", True),
        ("fatal: bad object deadbeef", False),
    ],
)
def test_is_temporary(stderr: str, temporary: bool) -> None:
    assert is_temporary(stderr) is temporary
