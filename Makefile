# Usage: make run | make test | make test-fast | make bench
SHELL := /bin/bash

PYTHON       ?= python3
VENV         := .venv
VPY          := $(VENV)/bin/python
STAMP        := $(VENV)/.requirements.stamp
CHROMIUM_BIN ?= /usr/bin/chromium
CJK_FONT_PKG ?= fonts-wqy-zenhei
PORT         ?= 8501
PYTEST_ARGS  ?=
SUDO         := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: venv chromium postgres java nginx run test test-fast test-browser bench

## venv: create .venv and install requirements.txt (only when it changed)
venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -r requirements.txt
	@touch $@

## chromium: install Debian chromium (used headless by the browser tests) and a font with
## Chinese characters (screens and exports in Chinese) if missing
# The CJK font: WenQuanYi Zen Hei (fonts-wqy-zenhei, 10 MB) by default; Debian's
# fonts-noto-cjk (Noto Sans CJK, larger, more weights) works as well:
#   make chromium CJK_FONT_PKG=fonts-noto-cjk
# Map exports find either through matplotlib (layers/render_static.py, CJK_FAMILIES).
chromium:
	@if [ -x "$(CHROMIUM_BIN)" ]; then \
		echo "chromium present: $(CHROMIUM_BIN)"; \
	else \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium fonts-dejavu-core; \
	fi
	@if fc-list 2>/dev/null | grep -qiE "wqy|noto sans cjk|source han"; then \
		echo "a CJK font is present"; \
	else \
		($(SUDO) apt-get install -y $(CJK_FONT_PKG) || \
		 ($(SUDO) apt-get update && $(SUDO) apt-get install -y $(CJK_FONT_PKG))) || \
		echo "no CJK font installed: Chinese text in screenshots and map exports shows as boxes"; \
	fi

## postgres: install Debian's PostgreSQL server if missing (the engine tests start a throwaway
## cluster from its binaries in a temporary folder; no system service is used)
postgres:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		echo "postgresql present: $$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)"; \
	else \
		($(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql) || \
		echo "postgresql could not be installed: the PostgreSQL engine tests are skipped"; \
	fi

## java: install Debian's Java 17 runtime if no java is found (pyspark starts it for the Spark
## ledger engine and its tests; without it those tests are skipped)
java:
	@if [ -n "$$JAVA_HOME" ] && [ -x "$$JAVA_HOME/bin/java" ]; then \
		echo "java present: $$JAVA_HOME/bin/java"; \
	elif command -v java >/dev/null 2>&1; then \
		echo "java present: $$(command -v java)"; \
	else \
		($(SUDO) apt-get update && \
		 $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless) || \
		echo "java could not be installed: the Spark engine tests are skipped"; \
	fi

## nginx: install Debian's nginx if missing (deploy/serve.py starts it unprivileged, from a
## folder of its own, in front of several app processes; the load tests in tests/load/ use it
## and, without it, run against one app process and skip the proxy tests)
# nginx-light is enough (upstream hash, map, websocket proxying); releases without that
# package get "nginx". Where a service manager runs, the package also starts the system
# service on port 80, which this project does not use: `systemctl disable --now nginx`.
nginx:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then \
		echo "nginx present: $$(command -v nginx || echo /usr/sbin/nginx)"; \
	else \
		($(SUDO) apt-get update && \
		 ($(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light || \
		  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx)) || \
		echo "nginx could not be installed: the load tests run against one app process and skip the proxy tests"; \
	fi

## run: start the dashboard on http://127.0.0.1:$(PORT) (refuses to start when sign-in is
## configured but its [auth] secrets cannot be used)
run: venv
	$(VPY) -m geodata.access
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

## test: every test (unit, app and real-browser)
test: venv chromium postgres java nginx
	$(VPY) -m pytest tests $(PYTEST_ARGS)

## test-fast: unit and app tests only (no browser, no database server, no Spark, no load test)
test-fast: venv
	$(VPY) -m pytest tests --ignore=tests/browser -m "not browser and not postgres and not spark and not load" $(PYTEST_ARGS)

## test-browser: real-browser tests only
test-browser: venv chromium
	$(VPY) -m pytest tests/browser $(PYTEST_ARGS)

## bench: performance benchmark
bench: venv
	$(VPY) bench/run_bench.py
