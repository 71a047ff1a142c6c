"""Repository credentials: Argo CD repository / repo-creds Secrets decoded into
``RepoCredentials``, the best match for a repo URL, and masking of secrets in text.
The controller reads the Secrets and passes them in; mirrors and revert use the result."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from rudder.model.errors import ConfigError, RudderError
from rudder.model.resource import Manifest, key_of
from rudder.observability.logging import MASK, get_logger, mask_url

log = get_logger(__name__)

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"
SECRET_TYPE_REPOSITORY = "repository"
SECRET_TYPE_REPO_CREDS = "repo-creds"
_MIN_MASKED_LENGTH = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoCredentials:
    """Credentials for one repository URL (``template`` = a repo-creds prefix match).
    ``repr`` never shows the password or the private key."""

    url: str
    username: str = ""
    password: str = ""
    ssh_private_key: str = ""
    insecure: bool = False
    template: bool = False

    def __repr__(self) -> str:
        return (
            f"RepoCredentials(url={mask_url(self.url)!r}, username={self.username!r}, "
            f"password={MASK if self.password else ''!r}, "
            f"ssh_private_key={MASK if self.ssh_private_key else ''!r}, "
            f"insecure={self.insecure!r}, template={self.template!r})"
        )

    __str__ = __repr__

    def mask(self, text: str) -> str:
        """``text`` with the password, the key and any ``user:pass@`` in URLs replaced."""
        masked = mask_url(text)
        for secret in (self.password, self.ssh_private_key.strip()):
            # Very short values would blank out ordinary words; git never echoes them.
            if len(secret) >= _MIN_MASKED_LENGTH:
                masked = masked.replace(secret, MASK)
        return masked


def mask_text(text: str, credentials: RepoCredentials | None) -> str:
    """Mask ``text`` for logs and errors, with or without credentials at hand."""
    return credentials.mask(text) if credentials is not None else mask_url(text)


def normalize_url(url: str) -> str:
    """Argo CD's repo-URL normal form for comparison: lower case, no trailing ``/`` or ``.git``."""
    text = url.strip().lower().rstrip("/")
    return text.removesuffix(".git")


def _secret_value(secret: Manifest, name: str, where: str) -> str:
    string_data = secret.get("stringData") or {}
    if name in string_data and string_data[name] is not None:
        return str(string_data[name])
    data = secret.get("data") or {}
    raw = data.get(name)
    if raw in (None, ""):
        return ""
    try:
        return base64.b64decode(str(raw), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: data.{name} is not valid base64-encoded UTF-8") from exc


def credentials_from_secret(secret: Manifest) -> RepoCredentials | None:
    """Decode an Argo CD repository or repo-creds Secret (``data`` base64, ``stringData``
    plain, stringData wins); ``None`` when the Secret carries neither label value."""
    labels = (secret.get("metadata") or {}).get("labels") or {}
    secret_type = labels.get(SECRET_TYPE_LABEL)
    if secret_type not in (SECRET_TYPE_REPOSITORY, SECRET_TYPE_REPO_CREDS):
        return None
    key = key_of(secret)
    where = f"Secret/{key.namespace}/{key.name}" if key.namespace else f"Secret/{key.name}"
    url = _secret_value(secret, "url", where)
    if not url:
        raise ConfigError(f"{where}: repository Secret has no url")
    return RepoCredentials(
        url=url,
        username=_secret_value(secret, "username", where),
        password=_secret_value(secret, "password", where),
        ssh_private_key=_secret_value(secret, "sshPrivateKey", where),
        insecure=_secret_value(secret, "insecure", where).strip().lower() == "true",
        template=secret_type == SECRET_TYPE_REPO_CREDS,
    )


def match_credentials(repo_url: str, creds_list: Iterable[RepoCredentials]) -> RepoCredentials | None:
    """The credentials for ``repo_url``: a repository Secret with the same (normalised)
    URL first, else the repo-creds template with the longest URL prefix, else ``None``."""
    target = normalize_url(repo_url)
    best: RepoCredentials | None = None
    best_rank = (-1, -1)
    for creds in creds_list:
        candidate = normalize_url(creds.url)
        if creds.template:
            if not target.startswith(candidate):
                continue
            rank = (0, len(candidate))
        else:
            if candidate != target:
                continue
            rank = (1, len(candidate))
        if rank > best_rank:
            best, best_rank = creds, rank
    return best


def credentials_for(secrets: Iterable[Manifest], repo_url: str) -> RepoCredentials | None:
    """The repository or repo-creds Secret among ``secrets`` that matches ``repo_url``;
    a malformed Secret is logged (without its values) and skipped."""
    found: list[RepoCredentials] = []
    for secret in secrets:
        try:
            creds = credentials_from_secret(secret)
        except RudderError as exc:
            name = (secret.get("metadata") or {}).get("name")
            log.warning("repository_secret_invalid", secret=name, error=str(exc))
            continue
        if creds is not None:
            found.append(creds)
    return match_credentials(repo_url, found)
