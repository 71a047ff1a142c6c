"""spec.ignoreDifferences: rule matching, stripping ignored fields before comparison,
and preserving their live values at sync time (Rudder's improvement over Argo CD)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rudder.diff import path as paths
from rudder.diff.compare import equivalent
from rudder.diff.ignore import matches, preserve_ignored, strip_ignored, validate
from rudder.diff.pointer import format_pointer
from rudder.model.application import IgnoreDifference
from rudder.model.errors import ConfigError
from rudder.model.resource import Manifest, ResourceKey

WEB = ResourceKey("apps", "Deployment", "prod", "web")


def _deployment(**spec: Any) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod"},
        "spec": spec,
    }


def _rule(**fields: Any) -> IgnoreDifference:
    for name in ("json_pointers", "jq_path_expressions", "managed_fields_managers"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return IgnoreDifference(**fields)


# -- matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "hit"),
    [
        (_rule(), True),
        (_rule(group="apps", kind="Deployment"), True),
        (_rule(kind="Deployment"), True),  # empty group = any group
        (_rule(group="*", kind="*"), True),
        (_rule(group="apps", kind="Deploy*"), True),
        (_rule(group="", kind="Service"), False),
        (_rule(group="extensions", kind="Deployment"), False),
        (_rule(kind="deployment"), False),  # kinds are case-sensitive
        (_rule(name="web", namespace="prod"), True),
        (_rule(name="api"), False),
        (_rule(namespace="staging"), False),
        (_rule(name="w*"), False),  # names are exact, not globs
    ],
)
def test_matches(rule: IgnoreDifference, hit: bool) -> None:
    assert matches(rule, WEB) is hit


# -- strip: JSON pointers --------------------------------------------------------------


def test_pointer_removes_a_field_and_nothing_else() -> None:
    obj = _deployment(replicas=3, paused=False)
    assert strip_ignored(obj, [_rule(json_pointers=["/spec/replicas"])]) == _deployment(paused=False)
    assert obj["spec"]["replicas"] == 3  # input untouched


def test_pointer_escapes_select_keys_with_slashes_and_tildes() -> None:
    obj = _deployment()
    obj["metadata"]["annotations"] = {"example.com/owner": "a", "x~y": "b", "keep": "c"}
    rule = _rule(json_pointers=["/metadata/annotations/example.com~1owner", "/metadata/annotations/x~0y"])
    assert strip_ignored(obj, [rule])["metadata"]["annotations"] == {"keep": "c"}


def test_pointer_into_a_list_by_index() -> None:
    obj = _deployment(
        template={"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}]}}
    )
    stripped = strip_ignored(obj, [_rule(json_pointers=["/spec/template/spec/containers/1/image"])])
    assert stripped["spec"]["template"]["spec"]["containers"] == [{"name": "a", "image": "1"}, {"name": "b"}]


def test_pointer_that_selects_nothing_is_skipped() -> None:
    obj = _deployment(replicas=3)
    rules = [_rule(json_pointers=["/spec/missing/deeper", "/spec/replicas/0", ""])]
    assert strip_ignored(obj, rules) == obj


def test_malformed_pointer_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="spec/replicas"):
        strip_ignored(_deployment(), [_rule(json_pointers=["spec/replicas"])])


def test_rules_for_other_objects_do_not_apply() -> None:
    obj = _deployment(replicas=3)
    rules = [_rule(kind="StatefulSet", json_pointers=["/spec/replicas"])]
    result = strip_ignored(obj, rules)
    assert result == obj
    assert result is not obj


def test_explicit_key_decides_which_rules_apply() -> None:
    obj = _deployment(replicas=3)
    del obj["metadata"]["namespace"]  # a rendered manifest may omit it
    rules = [_rule(namespace="prod", json_pointers=["/spec/replicas"])]
    assert "replicas" in strip_ignored(obj, rules)["spec"]
    assert "replicas" not in strip_ignored(obj, rules, key=WEB)["spec"]


# -- strip: jq -------------------------------------------------------------------------


def test_jq_select_removes_a_list_item_by_content() -> None:
    containers = [{"name": "web"}, {"name": "istio-proxy"}, {"name": "log"}]
    obj = _deployment(template={"spec": {"containers": containers}})
    rule = _rule(jq_path_expressions=['.spec.template.spec.containers[] | select(.name == "istio-proxy")'])
    assert strip_ignored(obj, [rule])["spec"]["template"]["spec"]["containers"] == [
        {"name": "web"},
        {"name": "log"},
    ]


def test_jq_optional_iteration_over_every_item() -> None:
    obj = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "inject"},
        "webhooks": [
            {"name": "a", "clientConfig": {"caBundle": "X", "url": "u"}},
            {"name": "b", "clientConfig": {}},
        ],
    }
    stripped = strip_ignored(obj, [_rule(jq_path_expressions=[".webhooks[]?.clientConfig.caBundle"])])
    assert stripped["webhooks"] == [
        {"name": "a", "clientConfig": {"url": "u"}},
        {"name": "b", "clientConfig": {}},
    ]


def test_jq_expression_that_fails_on_this_object_is_skipped() -> None:
    obj = _deployment(replicas=3)
    assert strip_ignored(obj, [_rule(jq_path_expressions=[".spec.template.spec.containers[].image"])]) == obj


def test_jq_syntax_error_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"'\.spec\.\[' is not a jq path expression"):
        strip_ignored(_deployment(), [_rule(jq_path_expressions=[".spec.["])])


def test_jq_sees_yaml_dates_as_text() -> None:
    import datetime

    obj = _deployment(replicas=3)
    obj["metadata"]["annotations"] = {"at": datetime.date(2025, 3, 1)}
    stripped = strip_ignored(obj, [_rule(jq_path_expressions=[".spec.replicas"])])
    assert stripped["spec"] == {}
    assert stripped["metadata"]["annotations"] == {"at": "2025-03-01"}


def test_validate_names_the_rule() -> None:
    validate([_rule(json_pointers=["/ok"], jq_path_expressions=[".ok"])])
    with pytest.raises(ConfigError, match=r"spec\.ignoreDifferences\[1\]\.jqPathExpressions"):
        validate([_rule(), _rule(jq_path_expressions=["del("])])
    with pytest.raises(ConfigError, match=r"spec\.ignoreDifferences\[0\]\.jsonPointers"):
        validate([_rule(json_pointers=["~"])])


# -- strip: managedFieldsManagers ------------------------------------------------------


def _managed(manager: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"manager": manager, "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": fields}


SIDECAR_OWNED = _managed(
    "istio-webhook",
    {
        "f:spec": {
            "f:template": {
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"istio-proxy"}': {".": {}, "f:image": {}, "f:name": {}},
                        'k:{"name":"web"}': {"f:env": {}},
                    }
                }
            }
        }
    },
)


def test_manager_fields_are_removed_and_wholly_owned_items_go() -> None:
    obj = _deployment(
        template={
            "spec": {
                "containers": [
                    {"name": "web", "image": "nginx", "env": [{"name": "PROXY", "value": "on"}]},
                    {"name": "istio-proxy", "image": "proxyv2"},
                ]
            }
        }
    )
    obj["metadata"]["managedFields"] = [SIDECAR_OWNED]
    stripped = strip_ignored(obj, [_rule(managed_fields_managers=["istio-webhook"])])
    assert stripped["spec"]["template"]["spec"]["containers"] == [{"name": "web", "image": "nginx"}]


def test_owned_item_is_found_even_when_its_key_field_is_listed_first() -> None:
    # fieldsV1 keys come sorted, so f:name precedes f:ports of the same item.
    owned = _managed(
        "injector",
        {
            "f:spec": {
                "f:containers": {
                    'k:{"name":"agent"}': {
                        ".": {},
                        "f:name": {},
                        "f:ports": {'k:{"containerPort":9000}': {".": {}, "f:containerPort": {}}},
                    }
                }
            }
        },
    )
    obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "managedFields": [owned]},
        "spec": {"containers": [{"name": "app"}, {"name": "agent", "ports": [{"containerPort": 9000}]}]},
    }
    stripped = strip_ignored(obj, [_rule(managed_fields_managers=["injector"])])
    assert stripped["spec"]["containers"] == [{"name": "app"}]


def test_list_items_emptied_by_a_rule_are_dropped() -> None:
    obj = _deployment(tolerations=[{"key": "a", "effect": "NoSchedule"}, {"key": "injected"}])
    rule = _rule(jq_path_expressions=['.spec.tolerations[] | select(.key == "injected") | .key'])
    assert strip_ignored(obj, [rule])["spec"]["tolerations"] == [{"key": "a", "effect": "NoSchedule"}]


def test_managed_fields_record_can_come_from_the_live_object() -> None:
    target = _deployment(replicas=2)  # e.g. a dry-run result, whose record differs
    record = [_managed("kube-controller-manager", {"f:spec": {"f:replicas": {}}})]
    rules = [_rule(managed_fields_managers=["kube-controller-manager"])]
    assert strip_ignored(target, rules)["spec"] == {"replicas": 2}
    assert strip_ignored(target, rules, managed_fields=record)["spec"] == {}


def test_other_managers_fields_stay() -> None:
    obj = _deployment(replicas=2)
    obj["metadata"]["managedFields"] = [_managed("rudder", {"f:spec": {"f:replicas": {}}})]
    assert strip_ignored(obj, [_rule(managed_fields_managers=["kube-controller-manager"])]) == obj


# -- preserve --------------------------------------------------------------------------


def test_preserve_copies_the_live_value_of_an_ignored_field() -> None:
    desired, live = _deployment(replicas=2, paused=False), _deployment(replicas=7, paused=True)
    result = preserve_ignored(desired, live, [_rule(json_pointers=["/spec/replicas"])])
    assert result["spec"] == {"replicas": 7, "paused": False}
    assert desired["spec"]["replicas"] == 2  # input untouched


def test_preserve_removes_an_ignored_field_live_does_not_have() -> None:
    desired, live = _deployment(replicas=2), _deployment()
    assert preserve_ignored(desired, live, [_rule(json_pointers=["/spec/replicas"])])["spec"] == {}


def test_preserve_creates_missing_maps_for_a_live_value() -> None:
    desired, live = _deployment(), _deployment()
    live["metadata"]["annotations"] = {"example.com/scaled-by": "keda"}
    rule = _rule(json_pointers=["/metadata/annotations/example.com~1scaled-by"])
    result = preserve_ignored(desired, live, [rule])
    assert result["metadata"]["annotations"] == {"example.com/scaled-by": "keda"}


def test_preserve_keeps_an_injected_item_by_name_whatever_its_position() -> None:
    desired = _deployment(
        template={"spec": {"containers": [{"name": "log"}, {"name": "web", "image": "v2"}]}}
    )
    live = _deployment(
        template={
            "spec": {
                "containers": [
                    {"name": "web", "image": "v1"},
                    {"name": "istio-proxy", "image": "proxyv2"},
                    {"name": "log"},
                ]
            }
        }
    )
    rule = _rule(jq_path_expressions=['.spec.template.spec.containers[] | select(.name != "log") | .image'])
    result = preserve_ignored(desired, live, [rule])
    assert result["spec"]["template"]["spec"]["containers"] == [
        {"name": "log"},
        {"name": "web", "image": "v1"},
    ]
    rule = _rule(jq_path_expressions=['.spec.template.spec.containers[] | select(.name == "istio-proxy")'])
    result = preserve_ignored(desired, live, [rule])
    assert result["spec"]["template"]["spec"]["containers"] == [
        {"name": "log"},
        {"name": "web", "image": "v2"},
        {"name": "istio-proxy", "image": "proxyv2"},
    ]


def test_preserve_drops_what_jq_selects_in_desired_but_live_lacks() -> None:
    desired = _deployment(template={"spec": {"containers": [{"name": "web"}, {"name": "debug"}]}})
    live = _deployment(template={"spec": {"containers": [{"name": "web"}]}})
    rule = _rule(jq_path_expressions=['.spec.template.spec.containers[] | select(.name == "debug")'])
    assert preserve_ignored(desired, live, [rule])["spec"]["template"]["spec"]["containers"] == [
        {"name": "web"}
    ]


def test_preserve_keeps_fields_owned_by_a_manager() -> None:
    desired, live = _deployment(replicas=2), _deployment(replicas=9)
    live["metadata"]["managedFields"] = [_managed("kube-controller-manager", {"f:spec": {"f:replicas": {}}})]
    result = preserve_ignored(desired, live, [_rule(managed_fields_managers=["kube-controller-manager"])])
    assert result["spec"] == {"replicas": 9}
    assert "managedFields" not in result["metadata"]


def test_preserve_never_writes_status_or_server_metadata() -> None:
    desired, live = _deployment(replicas=2), _deployment(replicas=2)
    live["status"] = {"replicas": 2}
    live["metadata"]["resourceVersion"] = "42"
    live["metadata"]["managedFields"] = [
        _managed("kube-controller-manager", {"f:status": {"f:replicas": {}}})
    ]
    rules = [
        _rule(
            json_pointers=["/metadata/resourceVersion", "/status"],
            managed_fields_managers=["kube-controller-manager"],
        )
    ]
    assert preserve_ignored(desired, live, rules) == desired


def test_preserve_without_live_object_or_matching_rule_is_a_copy() -> None:
    desired = _deployment(replicas=2)
    rules = [_rule(json_pointers=["/spec/replicas"])]
    assert preserve_ignored(desired, None, rules) == desired
    other = [_rule(kind="StatefulSet", json_pointers=["/spec/replicas"])]
    assert preserve_ignored(desired, _deployment(replicas=5), other) == desired


# -- properties ------------------------------------------------------------------------

KEYS = st.sampled_from(["a", "b", "c/d", "e~f", "0", "spec"])
TREES = st.recursive(
    st.integers(0, 3) | st.text("xyz", max_size=2),
    lambda inner: st.dictionaries(KEYS, inner, min_size=1, max_size=4),
    max_leaves=15,
).filter(lambda t: isinstance(t, dict))


def _all_paths(tree: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            out.append((*prefix, key))
            out.extend(_all_paths(value, (*prefix, key)))
    return out


def _without(tree: Any, chosen: set[tuple[str, ...]], prefix: tuple[str, ...] = ()) -> Any:
    if not isinstance(tree, dict):
        return tree
    return {k: _without(v, chosen, (*prefix, k)) for k, v in tree.items() if (*prefix, k) not in chosen}


@given(TREES, st.data())
def test_pointers_strip_exactly_the_selected_paths(tree: dict[str, Any], data: st.DataObject) -> None:
    chosen = data.draw(st.sets(st.sampled_from(_all_paths(tree)), max_size=4))
    rule = _rule(json_pointers=[format_pointer(path) for path in sorted(chosen)])
    stripped = strip_ignored(tree, [rule])
    assert stripped == _without(tree, chosen)
    for path in chosen:
        assert paths.get(stripped, path) is paths.MISSING


@given(TREES, TREES, st.data())
def test_preserved_fields_take_live_values_and_nothing_else_changes(
    desired: dict[str, Any], live: dict[str, Any], data: st.DataObject
) -> None:
    candidates = sorted(set(_all_paths(desired)) | set(_all_paths(live)))
    chosen = data.draw(st.sets(st.sampled_from(candidates), max_size=3))
    # Independent rules: no chosen path inside another one.
    chosen = {p for p in chosen if not any(q != p and p[: len(q)] == q for q in chosen)}
    rule = _rule(json_pointers=[format_pointer(path) for path in sorted(chosen)])
    before = copy.deepcopy(desired)
    result = preserve_ignored(desired, live, [rule])
    assert desired == before
    # Maps created to hold a live value may be left empty: the same as absent.
    assert equivalent(strip_ignored(result, [rule]), strip_ignored(desired, [rule]))
    for path in chosen:
        value = paths.get(live, path)
        parent = paths.get(result, path[:-1])
        if value is paths.MISSING:
            assert paths.get(result, path) is paths.MISSING
        elif isinstance(parent, dict):
            assert paths.get(result, path) == value
