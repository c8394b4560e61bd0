# azl-installer: the first two targets are the README's two commands.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup demo test lint typecheck unit

setup:
	bash scripts/setup.sh

# The main job: show the plan for the core+LUKS example on a recorded machine, then build what is
# missing (fixture repository, ISO; cached) and run smoke scenario (a) in QEMU: boot the ISO,
# install unattended, boot the installed disk and print the verification summary.
demo: setup
	$(PY) -m installer plan examples/core-luks-uefi.yaml --machine tests/fixtures/machines/two-disks.json
	$(MAKE) --no-print-directory smoke-a

lint: setup
	$(VENV)/bin/ruff check installer tests bench

typecheck: setup
	$(VENV)/bin/mypy installer

unit: setup
	$(VENV)/bin/pytest -q -n 2 tests -m "not root and not vm"

# Everything but the slow QEMU scenarios, then smoke scenario (a) (the issue's CI scenario).
test: setup lint typecheck
	$(VENV)/bin/pytest -q -n 2 tests
	$(MAKE) --no-print-directory smoke-a

# --- installer medium and QEMU harness (iso/, tests/vm/, docs/iso.md) -----------------------
ANSWERS ?= examples/core-luks-uefi.yaml
DISKS ?= 1
DISK_SIZE ?= 10G
FIRMWARE ?= uefi
MEM ?= 2048
# make vm-install (docs/vm-install.md): OUT is the host output directory; RESULT (optional) is a
# file INSIDE the installed system whose content is printed; VM_* are the login credentials
# (defaults from the answer file; the secrets reach the tool through its environment, not argv).
OUT ?= build/vm-install
RESULT ?=
VM_USER ?=
VM_PASSWORD ?=
VM_PASSPHRASE ?=

.PHONY: iso iso-setup smoke vm-install demo-tui bench-iso

iso-setup:
	AZL_SETUP_ISO=1 bash scripts/setup.sh

iso: iso-setup fixture-repo
	$(PY) iso/build.py

# Smoke scenario (a): UEFI, GPT, LUKS2 root + /boot, core set, a wheel user with an ssh key.
.PHONY: smoke-a
smoke-a: iso
	AZL_VM=1 $(VENV)/bin/pytest -q -p no:xdist -p no:cacheprovider -rP tests/vm/test_medium.py -k core_luks_install

# Every QEMU scenario, two guests side by side (one vCPU each; a file's tests stay on one worker).
smoke: iso
	AZL_VM=1 $(VENV)/bin/pytest -q -n 2 --dist loadfile -rP -m vm tests/vm tests/blivet

vm-install: export AZL_VM_PASSWORD = $(VM_PASSWORD)
vm-install: export AZL_VM_PASSPHRASE = $(VM_PASSPHRASE)
vm-install: iso
	$(PY) -m tests.vm.vm_install --answers $(ANSWERS) --disks $(DISKS) --disk-size $(DISK_SIZE) \
	  --firmware $(FIRMWARE) --memory $(MEM) --out $(OUT) $(if $(RESULT),--result $(RESULT)) \
	  $(if $(VM_USER),--user $(VM_USER))

demo-tui: iso
	$(PY) -m tests.vm.demo_tui --firmware $(FIRMWARE)

bench-iso: iso
	$(PY) bench/iso_bench.py

bench-storage: setup
	$(PY) bench/storage_bench.py

.PHONY: bench-payload test-payload
bench-payload: setup
	$(PY) bench/payload_bench.py $(BENCH_ARGS)

test-payload: setup
	$(VENV)/bin/pytest -q -p no:xdist tests/payload tests/unit/test_payload_*.py tests/unit/test_sysconfig_*.py

# --- graphical installer (installer/gui, tests/gui) ---------------------------------------------
.PHONY: screenshots bench-gui test-gui

screenshots: setup
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py docs/screenshots/gui

bench-gui: setup
	$(PY) bench/gui_bench.py

test-gui: setup
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q tests/gui

# Text installer: start-up vs a bare Textual app, serial-mode bytes per screen and per key.
.PHONY: bench-tui
bench-tui: setup
	$(PY) bench/tui_bench.py

.PHONY: test-tui screenshots-tui
test-tui: setup
	$(VENV)/bin/pytest -q tests/tui

screenshots-tui: setup
	$(PY) scripts/tui_screenshots.py docs/screenshots/tui

# --- blivet storage engine (installer/backend/storage/blivet_engine.py, tests/blivet, docs/blivet.md) --
.PHONY: smoke-blivet bench-blivet
smoke-blivet: iso
	AZL_VM=1 $(VENV)/bin/pytest -q -p no:xdist -m vm tests/blivet


bench-blivet: iso
	$(PY) bench/blivet_bench.py $(BENCH_ARGS)

# --- graphical medium (installer/medium/graphical.py + vnc.py, iso/gui, docs/graphical-medium.md) ----
# `make iso` builds the GUI layer too; tests/vm/test_graphical.py runs with `make smoke`.
.PHONY: screenshots-iso bench-gui-iso
screenshots-iso: iso
	$(PY) -m tests.vm.test_graphical --shots docs/screenshots/gui-iso

bench-gui-iso: iso
	$(PY) bench/gui_iso_bench.py --alternatives --memory 768 512 $(BENCH_ARGS)

# --- fixture distribution (scripts/fixture-repo, docs/fixture-repo.md) ---------------------------
# A signed RPM repository built from Debian packages that installs like Azure Linux 3.0; cached in
# $(AZL_CACHE)/fixture-repo/<hash>/, linked as build/fixture-repo. Cold: minutes; warm: < 1 s.
.PHONY: fixture-repo test-fixture-repo fixture-boot-check
fixture-repo:
	$(if $(wildcard $(PY)),$(PY),python3) scripts/fixture-repo/build.py

test-fixture-repo: setup
	$(VENV)/bin/pytest -q -p no:xdist tests/fixture_repo

# Installs core, makes an encrypted-root image and boots it in QEMU (TCG): a few minutes.
fixture-boot-check: fixture-repo
	$(if $(wildcard $(PY)),$(PY),python3) scripts/fixture-repo/boot-check.py
