# Two commands do all set-up: `make demo` (install + run on the bundled mailbox) and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-deps check bench clean

$(BIN)/onward: pyproject.toml
	bash scripts/ensure-venv.sh $(PY)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

demo: $(BIN)/onward
	$(BIN)/onward demo

$(VENV)/.test-deps: $(BIN)/onward pyproject.toml
	bash scripts/system-deps.sh
	$(BIN)/pip install -q -e '.[test]'
	touch $@

test-deps: $(VENV)/.test-deps

test: test-deps
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/pytest

bench: test-deps
	$(BIN)/python benchmarks/scan.py

clean:
	rm -rf $(VENV) build *.egg-info
