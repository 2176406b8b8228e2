# Two commands: `make run` (set up and serve the demo) and `make test` (every check CI runs).
# Both work on a fresh Debian 12 machine, as root or through sudo, and are quick when nothing is missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
# Root installs directly; anyone else goes through sudo where it exists.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || command -v sudo)

# Pango/HarfBuzz for WeasyPrint, CJK fonts for the PDFs (Hanazono for the rare ideographs of CJK
# extensions B–F that names may hold), gettext for compilemessages, poppler to read PDFs back.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	fonts-noto-cjk fonts-wqy-zenhei fonts-hanazono gettext poppler-utils
# redis-server: the fault tests start Redis servers of their own, to restart them. nginx-light runs
# the proxy's configuration (deploy/proxy.conf.template) in its tests and in the HTTP benchmark.
TEST_PACKAGES := $(RUN_PACKAGES) chromium redis-server nginx-light
# wrk sends the HTTP benchmark's load from a second process.
BENCH_PACKAGES := $(RUN_PACKAGES) wrk nginx-light

# compilemessages walks the whole tree for locale folders: keep it out of the virtualenv and the data folder.
COMPILEMESSAGES := $(PY) manage.py compilemessages --ignore=$(VENV) --ignore=var --verbosity=0

.PHONY: run test bench system-run system-test system-bench messages

run: system-run $(VENV)/.installed messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: system-test $(VENV)/.installed-dev messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

# Every benchmark in bench/, on the local PostgreSQL; one table, saved in bench/results/.
bench: system-bench $(VENV)/.installed-dev messages
	$(PY) bench/run.py

# Installs only the Debian packages not yet installed, with one `apt-get update` before.
define apt_install_missing
	missing=""; \
	for package in $(1); do \
		case "$$(dpkg -s "$$package" 2>/dev/null)" in \
			*"Status: install ok installed"*) ;; \
			*) missing="$$missing $$package" ;; \
		esac; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi
endef

system-run:
	@$(call apt_install_missing,$(RUN_PACKAGES))

system-test:
	@$(call apt_install_missing,$(TEST_PACKAGES))

system-bench:
	@$(call apt_install_missing,$(BENCH_PACKAGES))

# A fresh Debian may lack Python, and its Python makes virtualenvs only with python3-venv installed.
$(PY):
	@command -v python3.11 >/dev/null || command -v python3 >/dev/null || { $(call apt_install_missing,python3 python3-venv); }
	@python="$$(command -v python3.11 || command -v python3)"; \
	"$$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "$$python is not Python 3.11."; exit 1; }; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV) || { rm -rf $(VENV); $(call apt_install_missing,python3-venv); "$$python" -m venv $(VENV); }

# The project is re-installed only when pyproject.toml changed since the last install.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

messages: | $(PY)
	$(COMPILEMESSAGES)
