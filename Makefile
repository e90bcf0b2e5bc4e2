# oceanbase.ops: every quality gate, from a fresh clone.
#   make test    - the whole suite (sanity, lint, units, integration against the simulators,
#                  docs/changelog lint, build + galaxy-importer + install, benchmark quick mode)
#   make demo    - start the simulators, run the restore-then-validate example, stop them
#   make bench   - the full benchmark (writes docs/performance.md)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV ?= .venv
VPY := $(abspath $(VENV))/bin/python
VBIN := $(abspath $(VENV))/bin
BUILD := $(abspath build)
COLL_ROOT := $(BUILD)/collections
COLL_SRC := $(COLL_ROOT)/ansible_collections/oceanbase/ops
INSTALLED := $(BUILD)/installed
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
ARTIFACT := $(BUILD)/oceanbase-ops-$(VERSION).tar.gz
export PATH := $(VBIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(INSTALLED)
export ANSIBLE_PYTHON_INTERPRETER := $(VPY)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: test venv sanity lint units integration build importer docs-lint changelog-lint ee-check bench-quick bench bench-listing-change demo clean pip-bootstrap

test: venv sanity units build lint importer docs-lint changelog-lint ee-check integration bench-quick
	@echo "make test: every gate passed"

# The virtual environment, rebuilt when a requirements file changes.
venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements.txt tests/requirements.txt tests/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --disable-pip-version-check -q -r tests/requirements.txt -c tests/constraints.txt
	touch $@

# ansible-test builds its own venvs and first downloads a pip bootstrap script from a host that
# may be unreachable; tools/get_pip_substitute.py does the same job with ensurepip + the configured index.
pip-bootstrap: venv
	@$(VPY) tools/install_pip_bootstrap.py

# A copy of the collection at ansible_collections/oceanbase/ops, as ansible-test wants it.
$(BUILD)/.tree: venv FORCE
	@rm -rf $(COLL_ROOT) && mkdir -p $(COLL_SRC)
	@git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} $(COLL_SRC)/ 2>/dev/null || true
	@cd $(COLL_SRC) && git init -q && git add -A >/dev/null && git -c user.name=ci -c user.email=ci@localhost commit -qm tree
	@touch $@
FORCE:

sanity: pip-bootstrap $(BUILD)/.tree
	cd $(COLL_SRC) && ansible-test sanity --venv --python 3.11 --color no

lint: build
	ansible-lint --profile production --offline

units: venv
	$(VPY) -m pytest -q tests/unit

build: venv
	@mkdir -p $(BUILD)
	ansible-galaxy collection build --force --output-path $(BUILD) .
	rm -rf $(INSTALLED) && ansible-galaxy collection install --offline -p $(INSTALLED) $(ARTIFACT)

importer: build
	$(VPY) tools/run_galaxy_importer.py $(ARTIFACT)

docs-lint: build $(BUILD)/.tree
	cd $(COLL_SRC) && antsibull-docs lint-collection-docs --plugin-docs --check-extra-docs-refs --validate-collection-refs all --disallow-unknown-collection-refs .
	$(VPY) tools/check_ansible_doc.py --collections-path $(INSTALLED)

changelog-lint: build
	antsibull-changelog lint

ee-check: build
	$(VPY) tools/check_ee.py --artifact $(ARTIFACT)

integration: build
	$(VPY) -m pytest -q -n 2 tests/integration

bench-quick: build
	$(VPY) tests/benchmark/bench.py --quick

bench: build
	$(VPY) tests/benchmark/bench.py --write docs/performance.md

# Listing before/after: BEFORE_REF (a commit) built and installed beside the working tree's build,
# both run in one benchmark; writes docs/performance-listing-change.md.
BEFORE_REF ?= 297b991
bench-listing-change: build
	rm -rf $(BUILD)/before && mkdir -p $(BUILD)/before/src
	git archive --format=tar $(BEFORE_REF) | tar -x -C $(BUILD)/before/src
	cd $(BUILD)/before/src && $(abspath $(VENV))/bin/ansible-galaxy collection build --force --output-path $(BUILD)/before
	$(VENV)/bin/ansible-galaxy collection install --offline --force -p $(BUILD)/before/installed $(BUILD)/before/oceanbase-ops-*.tar.gz
	$(VPY) tests/benchmark/bench.py --only listing --baseline-collections-path $(BUILD)/before/installed \
		--baseline-label "commit $(BEFORE_REF)" --write docs/performance-listing-change.md

demo: build
	$(VPY) tests/demo/run_demo.py

clean:
	rm -rf $(BUILD) $(VENV)
