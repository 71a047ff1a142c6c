"""Request and response bodies of the HTTP API (pydantic), so the OpenAPI document
describes exactly what the server accepts and returns. Used by the routes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(min_length=1, max_length=253)
    password: str = Field(min_length=1, max_length=1024)


class SessionToken(BaseModel):
    token: str


class UserInfo(BaseModel):
    username: str
    roles: list[str]


class Destination(BaseModel):
    server: str
    name: str
    namespace: str


class ConditionSummary(BaseModel):
    type: str
    message: str


class AppSummary(BaseModel):
    namespace: str
    name: str
    project: str
    repoURL: str
    path: str
    targetRevision: str
    destination: Destination
    syncStatus: str
    healthStatus: str
    healthMessage: str
    revision: str
    reconciledAt: str
    operationPhase: str
    conditions: list[ConditionSummary]
    labels: dict[str, str]


class AppList(BaseModel):
    items: list[AppSummary]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: str
    message: str = ""


class ParentRef(BaseModel):
    group: str
    kind: str
    namespace: str
    name: str
    uid: str


class InfoItem(BaseModel):
    name: str
    value: str


class TreeNode(BaseModel):
    group: str
    version: str
    kind: str
    namespace: str
    name: str
    uid: str
    health: Health | None
    syncStatus: str
    parentRefs: list[ParentRef]
    createdAt: str
    images: list[str]
    info: list[InfoItem]


class ResourceTree(BaseModel):
    nodes: list[TreeNode]


class ManagedResource(BaseModel):
    group: str
    version: str
    kind: str
    namespace: str
    name: str
    status: str
    diff: str
    requiresPruning: bool = False
    message: str = ""
    health: Health | None = None


class ManagedResources(BaseModel):
    items: list[ManagedResource]


class ObjectList(BaseModel):
    items: list[dict[str, Any]]


class SyncResource(Strict):
    group: str = ""
    kind: str = Field(min_length=1)
    name: str = Field(min_length=1)
    namespace: str = ""


class SyncBody(Strict):
    revision: str = ""
    prune: bool = False
    dryRun: bool = False
    syncOptions: list[str] = Field(default_factory=list)
    resources: list[SyncResource] = Field(default_factory=list)


class RollbackBody(Strict):
    id: int = Field(ge=0)
    prune: bool = False
    disableAutoSync: bool = False


class RevertBody(Strict):
    revision: str = ""
    branch: str = Field(min_length=1)


class RevertResult(BaseModel):
    commit: str


class Deleted(BaseModel):
    namespace: str
    name: str
    cascade: bool


class TokenItem(BaseModel):
    id: str
    name: str
    issuedAt: str
    expiresAt: str | None


class TokenList(BaseModel):
    items: list[TokenItem]


class CreateTokenBody(Strict):
    name: str = Field(default="", max_length=100)
    expiresIn: int = Field(default=0, ge=0, le=10 * 365 * 24 * 3600, description="seconds; 0: never")


class CreatedToken(TokenItem):
    token: str = Field(description="shown only once")


class Message(BaseModel):
    message: str


class WebhookResult(BaseModel):
    message: str
    refreshed: int = 0
    skipped: int = 0


class Healthz(BaseModel):
    status: str
    applications: int
