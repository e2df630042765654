# sitegen: `make build` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: build test check serve bench clean setup help

help:
	@echo "make build   set up (venv, npm) and build the site into build/"
	@echo "make test    set up and run the whole test suite (Python + Node)"
	@echo "make check   validate content/ and config.yaml without writing"
	@echo "make serve   build, serve on http://127.0.0.1:8000/, rebuild on change"
	@echo "make bench   time builds of synthetic archives (1k, 10k articles)"
	@echo "make clean   remove build output, venv and node_modules"

setup: $(PY_STAMP) $(NODE_STAMP)

# Re-runs only when the dependency pins change.
$(PY_STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: setup
	$(BIN)/sitegen build

check: setup
	$(BIN)/sitegen check

serve: setup
	$(BIN)/sitegen serve

test: setup
	$(BIN)/python -m pytest
	node --test tests/node/

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf build build.* .sitegen-cache $(VENV) node_modules
