# Rudder: two commands on a fresh machine: `make demo` and `make test`.
# Both install what is missing (Debian packages, venv, pinned toolchain) and reuse it after.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2
PYTEST_TIMEOUT ?= 300
BENCH_ARGS ?= --apps 100 --peer flux --workers 8
LINT_PATHS := src tests benchmarks tools

.PHONY: bootstrap venv tools lint unit test demo demo-down bench

bootstrap:
	@PY=$(PY) scripts/bootstrap.sh

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

tools: bootstrap venv
	$(BIN)/rudder tools install

lint: venv
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: venv
	$(BIN)/pytest -q -m "not cluster"

test: tools lint
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --timeout $(PYTEST_TIMEOUT)

demo: tools
	scripts/demo.sh

demo-down: venv
	-state=$${XDG_STATE_HOME:-$$HOME/.local/state}/rudder/demo; \
	  test -f $$state/controller.pid && kill $$(cat $$state/controller.pid) 2>/dev/null; \
	  rm -f $$state/controller.pid
	$(BIN)/rudder cluster down --name demo

# Rudder and Flux side by side on a fresh local cluster (benchmarks/scale.py; docs/performance.md).
bench: tools
	$(BIN)/python benchmarks/scale.py $(BENCH_ARGS)
