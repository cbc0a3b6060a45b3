# The two set-up commands (README): `make demo` and `make test`. Both build .venv first.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo sandbox dev chaos bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .

# Four workers on two cores: most tests wait on servers and subprocesses, not on the CPU. Tests are
# handed out one at a time, the long ones first (qbsps_tests/conftest.py), so none ends the run alone.
test: install lint
	$(BIN)/pytest -q -n 4 --maxschedchunk 1

# SIGKILLs at 10 random points of a 1,000-order inbound and a 500-invoice outbound sync against the
# sandbox, then completion: 0 duplicates, 0 lost, audit complete (seeds printed; CHAOS_ARGS="--seed N").
chaos: install
	$(BIN)/python -m qbsps_tests.chaos $(CHAOS_ARGS)

# N orders of 5 lines through `qbsps sync inbound` and through a naive client, against the sandbox with
# QBO's throttles on and 100 ms latency per call: documents/min, calls per document, peak RSS, the
# ratio to QBO's limit and to the naive client (JSON in .qbsps/bench/latest.json; BENCH_ARGS="--orders 200").
# BENCH_ARGS="--outbound 1000": N invoices changed in QBO -> 810 + 856 in SPS by `qbsps sync outbound` and a
# naive client, then 20 changes one at a time through the webhook and a real dagster-daemon, p50/p95.
bench: install
	$(BIN)/python -m qbsps_tests.bench $(BENCH_ARGS)

demo: install
	$(BIN)/qbsps demo

sandbox: install
	$(BIN)/qbsps sandbox --info-file .qbsps/sandbox.json --write-config .qbsps/config.yaml

# The live local stack (sandbox, webhook receiver, dagster dev) until Ctrl+C; e.g. DEV_ARGS="--dagster-port 3001".
dev: install
	$(BIN)/qbsps dev up $(DEV_ARGS)

clean:
	rm -rf $(VENV) .qbsps .pytest_cache .ruff_cache
