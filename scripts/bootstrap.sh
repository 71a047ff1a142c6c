#!/usr/bin/env bash
# Fresh-machine set-up for `make demo` and `make test`: the Debian packages Rudder needs
# (installed only when missing), a clear stop when Go or Python is missing. The venv and
# the toolchain are made by the Makefile targets that call this script.
set -euo pipefail

# age: sops decryption; git: sources; iproute2: `ss` in the cluster tests;
# chromium: the browser the UI tests drive through Playwright (never `playwright install`).
DEBIAN_PACKAGES=(age git iproute2 chromium)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v "${PY:-python3.11}" >/dev/null || {
  echo "error: ${PY:-python3.11}: not found; install Python 3.11 (apt-get install -y python3.11 python3.11-venv)" >&2
  exit 1
}
command -v go >/dev/null || {
  echo "error: go: not found on PATH; install Go >= $(awk '/^go /{print $2}' tools/kubebins/go.mod) to build the toolchain" >&2
  exit 1
}
