# azl-installer: the first two targets are the README's two commands.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup demo test lint typecheck unit

setup:
	bash scripts/setup.sh

demo: setup
	$(PY) -m installer plan examples/core-luks-uefi.yaml --machine tests/fixtures/machines/two-disks.json

lint: setup
	$(VENV)/bin/ruff check installer tests bench
	$(VENV)/bin/ruff format --check installer || true

typecheck: setup
	$(VENV)/bin/mypy installer

unit: setup
	$(VENV)/bin/pytest -q -n 2 tests -m "not root and not vm"

test: setup lint typecheck
	$(VENV)/bin/pytest -q -n 2 tests
