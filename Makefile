# zoho-crm-backup — build, test and demo on a Debian/Ubuntu machine with Swift.
#
# `make test` and `make demo` install what is missing (one package list, below),
# build, and run. `apt-get update` runs only when something is missing.

SHELL := /bin/bash
# Debian packages the build, the tests and the demo need. Later parts grow this list.
APT_PACKAGES := libsystemd-dev pkg-config zlib1g-dev libsqlite3-dev libxlsxwriter-dev unzip procps tzdata util-linux systemd python3 python3-venv curl restic rclone
SWIFT ?= swift
SWIFT_FLAGS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Python tools the tests use to check our output with parsers we did not write.
VENV := .build/venv
PY_PACKAGES := prometheus-client==0.26.0 openapi-schema-validator==0.9.0 \
	requests==2.34.2 urllib3==2.8.0 python-dateutil==4.0.0 certifi==2026.10.18 charset-normalizer==3.5.2 idna==3.20 \
	aiosmtpd==1.4.6 openpyxl==3.1.5 et-xmlfile==2.0.0 \
	jsonschema==4.26.0 jsonschema-specifications==2025.9.1 referencing==0.37.0 rpds-py==2026.9.1 attrs==26.1.0
# moto's S3 and IAM server (with boto3) stands in for S3 in the off-site tests; a venv of its
# own (botocore needs a python-dateutil older than the one above).
MOTO_VENV := .build/venv-moto
MOTO_PACKAGES := moto[server]==5.2.5 boto3==1.44.8 botocore==1.44.8
# promtool (Debian's prometheus package) tests the packaged Prometheus alert rules.
PROMTOOL_DIR := .build/promtool
PROMTOOL := $(PROMTOOL_DIR)/usr/bin/promtool
# Zoho's official Python SDK (v7 API), to check the simulator with a client we did not write;
# installed without its unpinned dependencies (a database driver it needs only for a DB token store).
PY_NODEPS := zohocrmsdk7-0==6.0.0
# What `make deb` and `make system-test` need besides APT_PACKAGES (SYSTEMD-TESTING.md):
# dpkg-shlibdeps and lintian for the package, debootstrap and systemd-nspawn to boot
# Debian with systemd as PID 1.
DEB_APT_PACKAGES := dpkg-dev binutils lintian debootstrap systemd-container

.PHONY: all deps apt-deps venv build release test demo bench bench-scale bench-check bench-index bench-diff bench-offsite fuzz clean help

all: build

help:
	@echo "make test    install missing packages, build, run every test"
	@echo "make demo    install missing packages, build, run the whole cycle against the simulator"
	@echo "make build   debug build;  make release: release build"
	@echo "make bench   benchmarks (not tests): downloads and zip verification vs curl and unzip"
	@echo "make deb     build zoho-crm-backup_<version>_<arch>.deb (release, static Swift stdlib) and lintian it"
	@echo "make system-test  make deb, then install and run it under a real systemd in systemd-nspawn (root)"
	@echo "make deps    install every package the build and tests need (apt, and moto in .build/venv-moto)"
	@echo "make bench-offsite  measurement (not a test): twelve weekly backups copied off-site, and a 1 GiB copy vs restic by hand"
	@echo "make bench-scale  benchmark (not a test): one poll cycle and idle cost with 1, 50, 200 orgs"
	@echo "make soak    the long kill soak: 100 SIGKILLs at seeded random moments (ZCB_SOAK_SEED)"
	@echo "make clean   remove build output"

# $(call apt_install_missing,PACKAGES): installs those not installed yet; `apt-get update`
# runs only when one is missing.
define apt_install_missing
missing=""; \
for p in $(1); do \
  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
done; \
if [ -n "$$missing" ]; then \
  echo "installing:$$missing"; \
  $(SUDO) apt-get update -qq && \
  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
fi
endef

## Install what the build, the tests and the benchmarks need that is missing (quiet when all
## is there): the Debian packages (restic and rclone among them) and moto's virtualenv.
deps: apt-deps $(MOTO_VENV)/.installed $(PROMTOOL)

## The Debian packages only (what `make build` and `make demo` need).
apt-deps:
	@$(call apt_install_missing,$(APT_PACKAGES))
	@command -v $(SWIFT) >/dev/null || { echo "Swift is not on PATH: install a Swift 6 toolchain (https://swift.org/install)"; exit 1; }

## A virtualenv with PY_PACKAGES, made again when this Makefile changes.
venv: $(VENV)/.installed
$(VENV)/.installed: Makefile | apt-deps
	@rm -rf $(VENV)
	@python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check $(PY_PACKAGES)
	@$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps $(PY_NODEPS)
	@touch $@

## promtool from Debian's prometheus package, unpacked into .build (not installed: the package
## would also install and start a Prometheus server). `apt-get update` only when the download fails.
$(PROMTOOL): | apt-deps
	@rm -rf $(PROMTOOL_DIR) && mkdir -p $(PROMTOOL_DIR)
	@cd $(PROMTOOL_DIR) && { apt-get download prometheus >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && apt-get download prometheus >/dev/null; }; } \
	  && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x ./usr/bin/promtool && rm -f prometheus_*.deb
	@$(PROMTOOL) --version >/dev/null

## The virtualenv with moto's server, made again when this Makefile changes.
$(MOTO_VENV)/.installed: Makefile | apt-deps
	@rm -rf $(MOTO_VENV)
	@python3 -m venv $(MOTO_VENV)
	@$(MOTO_VENV)/bin/pip install -q --disable-pip-version-check $(MOTO_PACKAGES)
	@touch $@

build: apt-deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: apt-deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

# Every test: the Swift suites (with Python cross-checks), then the journal suite again
# under a private journald (root only: it needs its own mount namespace).
# The in-process suites first, then the ones that run the built binary as processes
# (zoho-crm-backupTests): those wait for their children synchronously, and on a 2-core
# machine two of them hold every thread of Swift's cooperative pool, which the in-process
# simulators need to answer within their deadlines.
test: deps venv
	.ci/check-imports
	.ci/check-docs
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	ZCB_PYTHON=$(abspath $(VENV))/bin/python ZCB_MOTO=$(abspath $(MOTO_VENV))/bin ZCB_PROMTOOL=$(abspath $(PROMTOOL)) $(SWIFT) test --skip-build $(SWIFT_FLAGS) --skip 'zoho_crm_backupTests\.'
	ZCB_PYTHON=$(abspath $(VENV))/bin/python $(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter 'zoho_crm_backupTests\.'
	$(VENV)/bin/python Tests/contract/oas_check.py "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/zoho-crm-backup"
	$(VENV)/bin/python Tests/contract/sdk_check.py "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/zoho-crm-backup"
	@if [ "$$(id -u)" = 0 ]; then \
	  rm -rf .build/journal; \
	  echo ".ci/with-journald: journal tests against a private journald"; \
	  .ci/with-journald .build/journal env ZCB_PRIVATE_JOURNAL=1 $(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter JournalIT; \
	else \
	  echo "journal tests skipped: they start a private journald and need root (sudo make test)"; \
	fi

# The whole cycle against the built-in simulator, in a temporary folder (under a minute once built).
demo: build
	$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/zoho-crm-backup demo

## Benchmark (not a test): our download and zip verification vs curl and unzip; see bench/download.sh.
bench: apt-deps
	bash bench/download.sh
	bash bench/check.sh
	bash bench/index.sh
	bash bench/diff.sh
	bash bench/restore.sh
	bash bench/restore-formats.sh

## Benchmark (not a test): the record index's cost, memory and `inspect` on a part in Zoho's layout; see bench/index.sh.
bench-index: apt-deps
	bash bench/index.sh

## Measurement (not a test): a quarter of weekly backups copied off-site, their worst case, and a 1 GiB copy against restic by hand; see bench/offsite.sh.
bench-offsite: apt-deps
	bash bench/offsite.sh

## Benchmark (not a test): `diff` of two 1,000,000-record backups vs sort | comm; see bench/diff.sh.
bench-diff: apt-deps
	bash bench/diff.sh

## libFuzzer on every parser (not a test: minutes per target), FUZZ_SECONDS each (default 600); see fuzz/run.sh.
fuzz: apt-deps
	bash fuzz/run.sh

## Benchmark (not a test): `check` on 1,000 to 10,000 orgs; see bench/check.sh.
bench-check: apt-deps
	bash bench/check.sh

## Benchmark (not a test): the daemon with 1, 50 and 200 orgs against the simulator; see bench/scale.sh.
bench-scale: apt-deps
	bash bench/scale.sh

.PHONY: deb-deps deb system-test

## Install the packages that deb and system-test need (quiet when all are there).
deb-deps: apt-deps
	@$(call apt_install_missing,$(DEB_APT_PACKAGES))

## The Debian package, built in .build-deb (its own scratch path: .build stays the debug build's).
deb: deb-deps
	SWIFT=$(SWIFT) packaging/build-deb.sh

## The package under a real systemd: systemd-nspawn boots a cached debootstrap tree (root only).
system-test: deb venv
	$(SUDO) env ZCB_PYTHON=$(abspath $(VENV))/bin/python .ci/system-test

## The long kill soak (not in CI): 100 SIGKILLs over 5 multi-part jobs; ZCB_SOAK_SEED replays a run.
soak: build
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	ZCB_SOAK_KILLS=$${ZCB_SOAK_KILLS:-100} ZCB_SOAK_JOBS=$${ZCB_SOAK_JOBS:-5} $(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter KillSoakTests

clean:
	rm -rf .build
