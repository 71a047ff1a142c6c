#!/usr/bin/env bash
# Interim `make demo` (until the engine runs it): start the local cluster, apply examples/
# with kubectl (server-side, kustomize built in) and show it Ready. Leaves the cluster up.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
NAME=${DEMO_CLUSTER:-demo}

if ! "$BIN/rudder" cluster status --name "$NAME" >/dev/null; then
  "$BIN/rudder" cluster down --name "$NAME" >/dev/null 2>&1  # a stale directory, if any
  "$BIN/rudder" cluster up --name "$NAME" --nodes 2
fi
KUBECONFIG=$("$BIN/rudder" cluster kubeconfig --name "$NAME")
export KUBECONFIG

"$BIN/kubectl" apply --server-side --field-manager=rudder-demo -k examples/guestbook
"$BIN/kubectl" -n guestbook rollout status deployment/guestbook --timeout=120s
"$BIN/kubectl" get nodes
"$BIN/kubectl" -n guestbook get deployment,pods,service

cat <<MSG

The guestbook example is Ready on the local cluster '$NAME'.
  kubectl --kubeconfig "\$(.venv/bin/rudder cluster kubeconfig --name $NAME)" get all -n guestbook
  .venv/bin/rudder cluster down --name $NAME      # stop it
MSG
