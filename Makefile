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

# The live local stack (sandbox, webhook receiver, dagster dev) until Ctrl+C; e.g. DEV_ARGS="--dagster-port 3001".
dev: install
	$(BIN)/qbsps dev up $(DEV_ARGS)

clean:
	rm -rf $(VENV) .qbsps .pytest_cache .ruff_cache
