"""Readable diffs and Secret masking: a changed Secret shows as changed, equal values
share a mask, and no plaintext value ever reaches the text."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rudder.diff.normalize import LAST_APPLIED_ANNOTATION, normalize
from rudder.diff.text import MASK, mask_secret, mask_secrets, to_yaml, unified_diff
from rudder.model.resource import Manifest, ResourceKey

KEY = ResourceKey("", "Secret", "prod", "db")


def _secret(data: dict[str, str] | None = None, **extra: Any) -> Manifest:
    obj: Manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "prod"}}
    if data is not None:
        obj["data"] = data
    obj.update(extra)
    return obj


def test_mask_secret_hides_every_value() -> None:
    secret = _secret({"a": "eA==", "b": "eQ=="}, stringData={"c": "plain"})
    secret["metadata"]["annotations"] = {LAST_APPLIED_ANNOTATION: '{"stringData":{"c":"plain"}}', "team": "x"}
    masked = mask_secret(secret)
    assert masked["data"] == {"a": MASK, "b": MASK}  # one object: each key's first value
    assert masked["stringData"] == {"c": MASK}
    assert masked["metadata"]["annotations"] == {LAST_APPLIED_ANNOTATION: MASK, "team": "x"}
    assert secret["data"]["a"] == "eA=="  # input untouched


def test_mask_secret_leaves_other_kinds_alone() -> None:
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "visible"}}
    assert mask_secret(configmap) == configmap
    assert mask_secret(None) is None


def test_equal_values_share_a_mask_and_different_values_do_not() -> None:
    target = _secret({"same": "c2FtZQ==", "changed": "bmV3", "added": "YWRk"})
    live = _secret({"same": "c2FtZQ==", "changed": "b2xk", "removed": "cm0="})
    masked_target, masked_live = mask_secrets([target, live])
    assert masked_target is not None and masked_live is not None
    assert masked_target["data"]["same"] == masked_live["data"]["same"] == MASK
    assert masked_target["data"]["changed"] == MASK
    assert masked_live["data"]["changed"] == MASK + "++++"
    assert masked_target["data"]["added"] == MASK
    assert masked_live["data"]["removed"] == MASK


def test_changed_secret_diff_shows_the_change_but_no_value() -> None:
    live = _secret({"password": base64.b64encode(b"old-secret").decode()})
    target = _secret({"password": base64.b64encode(b"new-secret").decode()})
    text = unified_diff(KEY, live, target)
    assert f"-  password: {MASK}++++" in text.splitlines()
    assert f"+  password: {MASK}" in text.splitlines()
    for plain in ("old-secret", "new-secret", live["data"]["password"], target["data"]["password"]):
        assert plain not in text


def test_unchanged_secret_has_no_diff() -> None:
    secret = _secret({"password": "cHc="})
    assert unified_diff(KEY, secret, dict(secret)) == ""


def test_diff_of_missing_and_extraneous_objects() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    key = ResourceKey("", "ConfigMap", "", "c")
    created = unified_diff(key, None, cm).splitlines()
    assert created[:2] == ["--- ConfigMap/c (live)", "+++ ConfigMap/c (target)"]
    assert "+  k: v" in created and not any(
        line.startswith("-") and line != "--- ConfigMap/c (live)" for line in created
    )
    pruned = unified_diff(key, cm, None).splitlines()
    assert "-  k: v" in pruned


def test_diff_ignores_one_sided_empty_values_but_shows_real_ones() -> None:
    key = ResourceKey("", "Pod", "", "p")
    live = {"spec": {"volumes": [{"name": "v", "emptyDir": {}}], "securityContext": {}, "x": 1}}
    target = {"spec": {"volumes": [{"name": "v", "emptyDir": {}}], "x": 2}}
    text = unified_diff(key, live, target)
    assert "securityContext" not in text
    assert "   - emptyDir: {}" in text.splitlines()
    assert "-  x: 1" in text.splitlines() and "+  x: 2" in text.splitlines()


def test_to_yaml_is_sorted_and_does_not_fold_long_lines() -> None:
    long = "x" * 300
    assert to_yaml({"b": 1, "a": long}) == f"a: {long}\nb: 1\n"
    assert to_yaml(None) == ""


# Distinctive secret values: never a substring of YAML keys or masks by accident.
SECRET_VALUES = st.text(alphabet="abcdefghjkmnpqrstuvwxyz23456789", min_size=6, max_size=20).map(
    lambda s: f"Q{s}Z"
)


@given(
    st.dictionaries(st.sampled_from(["password", "token", "user", "ca.crt"]), SECRET_VALUES, min_size=1),
    st.dictionaries(st.sampled_from(["password", "token", "user", "ca.crt"]), SECRET_VALUES, min_size=1),
    st.booleans(),
)
def test_masked_diffs_never_contain_plaintext(
    old: dict[str, str], new: dict[str, str], new_as_string_data: bool
) -> None:
    live = _secret({k: base64.b64encode(v.encode()).decode() for k, v in old.items()})
    live["metadata"]["annotations"] = {LAST_APPLIED_ANNOTATION: str(old)}
    if new_as_string_data:
        target = normalize(_secret(stringData=new))
    else:
        target = _secret({k: base64.b64encode(v.encode()).decode() for k, v in new.items()})
    text = unified_diff(KEY, live, target)
    for plain in [*old.values(), *new.values()]:
        assert plain not in text
        assert base64.b64encode(plain.encode()).decode() not in text
    changed = {k for k in old.keys() & new.keys() if old[k] != new[k]}
    for name in changed:
        assert any(line.startswith(f"+  {name}: +") for line in text.splitlines())
