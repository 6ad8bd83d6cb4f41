# Sanctuary: `make run` serves the product with demo data; `make test` installs and runs the suite.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
export SANCTUARY_HOME ?= $(CURDIR)/var

.PHONY: run test install bench catalog clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m sanctuary.whatif  # compile the what-if kernels into numba's cache once
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sanctuary init --demo
	$(BIN)/sanctuary serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's chromium (no browser download at run time).
browser:
	@command -v chromium >/dev/null 2>&1 || { (apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-noto-cjk >/dev/null 2>&1)) || \
	  echo "chromium could not be installed: the browser tests will be skipped"; }

test: $(STAMP) browser
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/offenses.py
	$(BIN)/python benchmarks/decide.py
	$(BIN)/python benchmarks/ledger.py --entries 100000
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/whatif.py --rows 2000000
	$(BIN)/python benchmarks/firewall.py
	$(BIN)/python benchmarks/reports.py --entries 200000

# Regenerate the offense catalog from the DOJ tables in ../shared/data (checksummed).
catalog: $(STAMP)
	$(BIN)/python tools/build_catalog.py --source ../shared/data/ca_doj_offense_codes

clean:
	rm -rf $(VENV) var build *.egg-info
