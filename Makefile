# The two set-up commands (README): `make demo` and `make test`. Both build .venv first.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo sandbox dev clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest -q

demo: install
	$(BIN)/qbsps demo

sandbox: install
	$(BIN)/qbsps sandbox --info-file .qbsps/sandbox.json --write-config .qbsps/config.yaml

dev: install
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.qbsps/dagster} ; mkdir -p $$DAGSTER_HOME ; \
	  cp -n dagster.yaml $$DAGSTER_HOME/dagster.yaml ; \
	  DAGSTER_HOME=$$DAGSTER_HOME $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) .qbsps .pytest_cache .ruff_cache
