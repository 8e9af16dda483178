# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## The main job: the Telegram bot with TELEGRAM_BOT_TOKEN set, else the console chat (demo roster).
run: $(STAMP)
	@scripts/system-deps.sh --quiet || true
	$(BIN)/cunjing run

## Lint, type-check and test (installs espeak-ng when root and missing).
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot intents voice tests benchmarks scripts
	$(BIN)/mypy

system-deps:
	@scripts/system-deps.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/matcher.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
