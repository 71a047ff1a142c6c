#!/usr/bin/env bash
# `make demo`: Rudder's main job on the local cluster. Starts the cluster, installs the
# CRDs, serves examples/ from a local Git repository, starts `rudder controller`, applies
# the Argo CD Application manifests in examples/apps/ and waits until they are Synced and
# Healthy. Leaves everything running; `make demo-down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
NAME=${DEMO_CLUSTER:-demo}
STATE=${XDG_STATE_HOME:-$HOME/.local/state}/rudder/demo
REPO=$STATE/examples.git
WORK=$STATE/examples
mkdir -p "$STATE"

step() { printf '\n== %s\n' "$*"; }

step "local cluster '$NAME'"
if ! "$BIN/rudder" cluster status --name "$NAME" >/dev/null 2>&1; then
  "$BIN/rudder" cluster down --name "$NAME" >/dev/null 2>&1 || true  # a stale directory, if any
  "$BIN/rudder" cluster up --name "$NAME" --nodes 2
fi
KUBECONFIG=$("$BIN/rudder" cluster kubeconfig --name "$NAME")
export KUBECONFIG

step "CRDs, control namespace, default project"
"$BIN/rudder" install --kubeconfig "$KUBECONFIG"

step "examples/ as a Git repository ($REPO)"
if [ ! -d "$REPO" ]; then
  git init -q --bare -b main "$REPO"
fi
rm -rf "$WORK"
git clone -q "$REPO" "$WORK" 2>/dev/null
git -C "$WORK" checkout -q -B main
find "$WORK" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -a examples/. "$WORK/"
git -C "$WORK" add -A
if ! git -C "$WORK" diff --cached --quiet; then
  git -C "$WORK" -c user.name="Rudder demo" -c user.email=demo@rudder.local commit -q -m "examples from $(git rev-parse --short HEAD 2>/dev/null || echo workspace)"
  git -C "$WORK" push -q origin main
fi
echo "commit $(git -C "$WORK" rev-parse --short HEAD)"

step "rudder controller (log: $STATE/controller.log)"
if [ -f "$STATE/controller.pid" ] && kill -0 "$(cat "$STATE/controller.pid")" 2>/dev/null; then
  echo "already running (pid $(cat "$STATE/controller.pid"))"
else
  nohup "$BIN/rudder" controller --kubeconfig "$KUBECONFIG" --cache-dir "$STATE/cache" \
    >"$STATE/controller.log" 2>&1 &
  echo $! >"$STATE/controller.pid"
  echo "started (pid $!)"
fi

step "Applications from examples/apps/ (repoURL pointed at the local repository)"
for manifest in examples/apps/*.yaml; do
  sed "s#repoURL: https://github.com/example/rudder-examples.git#repoURL: file://$REPO#" "$manifest" |
    "$BIN/kubectl" apply -f -
done

step "waiting for Synced and Healthy"
for manifest in examples/apps/*.yaml; do
  app=$(awk '/^  name:/ {print $2; exit}' "$manifest")
  "$BIN/rudder" app wait "$app" --core --kubeconfig "$KUBECONFIG" --timeout 180
done
COLUMNS=${COLUMNS:-160} "$BIN/rudder" app list --core --kubeconfig "$KUBECONFIG" -o wide

cat <<MSG

The examples are deployed by Rudder on the local cluster '$NAME'. Try:
  export KUBECONFIG=$KUBECONFIG
  .venv/bin/rudder app get guestbook --core
  .venv/bin/kubectl -n guestbook scale deployment guestbook --replicas=5   # self-heal puts it back
  make demo-down                                                             # stop everything
MSG
