"""Read routes for Applications: the paginated, filtered list (from the index, RBAC
filtered), one app, its resource tree, managed resources with diffs, events and
history. Apps the caller may not see answer 404."""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Query

from rudder.api.auth import CurrentCaller
from rudder.api.errors import ApiError, error_responses
from rudder.api.schemas import AppList, ManagedResources, ObjectList, ResourceTree
from rudder.api.selector import SelectorError, parse_selector
from rudder.api.summary import ListFilter
from rudder.model.resource import Manifest

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])


def shown(app: Manifest) -> Manifest:
    """The Application as returned by the API (managedFields dropped)."""
    out = copy.deepcopy(app)
    (out.get("metadata") or {}).pop("managedFields", None)
    return out


@router.get("", response_model=AppList, responses=error_responses(400, 401, 422))
async def list_applications(  # noqa: PLR0917 (one parameter per query filter)
    caller: CurrentCaller,
    project: Annotated[str, Query(description="project name; comma-separated for any of several")] = "",
    selector: Annotated[str, Query(description="label selector, e.g. team=web,env in (prod,stage)")] = "",
    health: Annotated[str, Query(description="health status(es), comma-separated")] = "",
    sync: Annotated[str, Query(description="sync status(es), comma-separated")] = "",
    search: Annotated[str, Query(description="case-insensitive substring of the name")] = "",
    namespace: Annotated[str, Query(description="application namespace(s), comma-separated")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Applications the caller may see, sorted by namespace and name; filters combine with AND."""
    try:
        requirements = parse_selector(selector)
    except SelectorError as exc:
        raise ApiError(400, str(exc)) from exc
    wanted = ListFilter.of(
        project=project, selector=requirements, health=health, sync=sync, search=search, namespace=namespace
    )
    state = caller.state
    policy = state.policy()
    user = caller.username
    control = state.options.control_namespace
    items: list[dict[str, Any]] = []
    total = 0
    for (ns, name), summary in state.index.ordered():
        if not wanted.accepts(summary):
            continue
        obj = f"{summary['project']}/{name}" if ns == control else f"{summary['project']}/{ns}/{name}"
        if not policy.allowed(user, "applications", "get", obj):
            continue
        if offset <= total < offset + limit:
            items.append(summary)
        total += 1
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.get("/{namespace}/{name}", response_model=dict[str, Any], responses=error_responses(401, 404))
async def get_application(namespace: str, name: str, caller: CurrentCaller) -> Manifest:
    """The Application object (spec and status)."""
    return shown(caller.app(namespace, name))


@router.get(
    "/{namespace}/{name}/resource-tree", response_model=ResourceTree, responses=error_responses(401, 404)
)
async def resource_tree(namespace: str, name: str, caller: CurrentCaller) -> dict[str, Any]:
    """Tracked resources and what was made from them (ReplicaSets, Pods, Jobs)."""
    app = caller.app(namespace, name)
    return {"nodes": await caller.state.trees.build(app)}


@router.get(
    "/{namespace}/{name}/managed-resources",
    response_model=ManagedResources,
    responses=error_responses(400, 401, 404, 502, 503),
)
async def managed_resources(namespace: str, name: str, caller: CurrentCaller) -> dict[str, Any]:
    """Each desired or tracked resource with its sync status and a masked diff (live → target)."""
    app = caller.app(namespace, name)
    return {"items": await caller.state.managed.compare(app, caller.state.settings.secrets())}


@router.get("/{namespace}/{name}/events", response_model=ObjectList, responses=error_responses(401, 404))
async def events(namespace: str, name: str, caller: CurrentCaller) -> dict[str, Any]:
    """Kubernetes Events about the Application, oldest first."""
    app = caller.app(namespace, name)
    return {"items": await caller.state.events.for_object(app)}


@router.get("/{namespace}/{name}/history", response_model=ObjectList, responses=error_responses(401, 404))
async def history(namespace: str, name: str, caller: CurrentCaller) -> dict[str, Any]:
    """Deployment history (``status.history``); ids are usable for rollback."""
    app = caller.app(namespace, name)
    return {"items": list((app.get("status") or {}).get("history") or [])}
