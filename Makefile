# The two commands: `make run` and `make test`. Everything else is for developers.
PY := .venv/bin/python
UV := .tools/bin/uv
UV_VERSION := 0.13.8
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: messages run serve test lint typecheck format worker env native clean bench-screening bench-review bench-search bench-pages bench-e2e bench-photos bench-sync bench-inbox eval-screening

# The translations: each app's locale/<language>/LC_MESSAGES/django.po, kept in git and
# compiled here. `make messages` gathers new strings into them (it needs GNU gettext).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard homeward/locale/*/LC_MESSAGES/django.po \
	homeward/*/locale/*/LC_MESSAGES/django.po))

env: .venv/.installed $(CATALOGUES) native

# Screening's inner loops in C (homeward/screening/native), built with the compiler this
# Python was built with; without one the Python loops are used and this says so.
native: .venv/.installed
	@$(PY) -m homeward.screening.native

%.mo: %.po | .venv/.installed
	$(PY) -m homeward.core.catalogues $<

messages: .venv/.installed
	cd homeward && ../$(PY) ../manage.py makemessages --locale es --no-obsolete \
	  --add-location file --ignore tests --ignore migrations --ignore static --ignore demo
	$(MAKE) --no-print-directory env

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

# The Python the environment is made with. The distribution's own (/usr/bin/python3), where
# it is 3.11 or later and has its headers (screening's C loops are built against them), is
# usually built with profile-guided and link-time optimisation, which a version manager's
# default build is not: screening runs 7% fewer instructions on it (README, Benchmarks).
# Otherwise the first python3 on the path; `make env PYTHON=...` chooses another.
ifndef PYTHON
PYTHON := $(shell /usr/bin/python3 -c 'import pathlib, sys, sysconfig, venv; \
	sys.exit(sys.version_info < (3, 11) or \
	not pathlib.Path(sysconfig.get_paths()["include"], "Python.h").exists())' \
	2>/dev/null && echo /usr/bin/python3 || echo python3)
endif

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

run: env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py load_rule_library
	@echo
	@echo "Homeward is at http://127.0.0.1:$(PORT)/  (kiosk: /kiosk/, staff console: /console/)"
	@echo "A background worker runs beside the web server. Stop both with Ctrl-C."
	@echo "Django's debug pages are off; DEBUG=1 make run turns them on."
	@export SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; $(LAUNCH) -c worker=1

# The production launcher: migrations, static files, then the web server (gunicorn) and
# WORKERS background workers, as the Procfile says, with metrics summed over them all.
# Settings come from the environment (and from a .env file, if there is one): see README's
# configuration and docs/deploy.md.
WORKERS ?= 2
serve: env
	.venv/bin/honcho run $(PY) manage.py migrate --noinput
	.venv/bin/honcho run $(PY) manage.py collectstatic --noinput --verbosity 0
	$(LAUNCH) -c worker=$(WORKERS)

# honcho starts the Procfile's processes with the environment's python first on PATH; every
# process counts its metrics in files of one directory, removed at each start.
LAUNCH = export BIND=$${BIND:-127.0.0.1:$(PORT)} \
	  PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/var/metrics} \
	  PATH=$(CURDIR)/.venv/bin:$$PATH; \
	mkdir -p "$$PROMETHEUS_MULTIPROC_DIR" && rm -f "$$PROMETHEUS_MULTIPROC_DIR"/*.db && \
	exec .venv/bin/honcho start --no-colour -f Procfile

worker: env
	$(PY) manage.py worker

bench-screening: env
	$(PY) bench/screening.py

# Message search at a million messages, on the PostgreSQL database of DATABASE_URL (default
# homeward_bench_search, dropped and filled again).
bench-search: env
	$(PY) bench/search.py

# The pages people open most (inboxes, a 5,000-message conversation and its older pages, the
# review queue, staff histories, the API's lists), at 10,000 and then 1,000,000 messages
# stored, on the PostgreSQL database of DATABASE_URL (default homeward_bench_pages, dropped
# and filled again).
bench-pages: env
	$(PY) bench/pages.py

# A contact's inbox as their conversations grow: an attorney with 300 clients, at 20 and
# then 400 messages a conversation, on the PostgreSQL database of DATABASE_URL (default
# homeward_bench_inbox, dropped and filled again), beside the GROUP BY it used to be.
bench-inbox: env
	$(PY) bench/inbox.py

# Messages end to end on PostgreSQL (service path and HTTP API, 1 and 2 workers, 50 msg/s
# offered, pgbench beside), ending with one "e2e:" line; the database of DATABASE_URL
# (default homeward_bench_e2e) is dropped and made again. 4 to 5 minutes.
bench-e2e: env
	$(PY) bench/e2e.py

# The review desk's server time per request with 100,000 messages queued, on the PostgreSQL
# database of DATABASE_URL (default homeward_bench_review on 127.0.0.1; dropped and filled
# again each run, so its name must contain "bench").
bench-review: env
	$(PY) bench/review.py

# What checking a photo costs on one core, stage by stage, and the hash bank's search at a
# million hashes (PostgreSQL: the database of DATABASE_URL, default homeward_bench_photos,
# dropped and filled again).
bench-photos: env
	$(PY) bench/photos.py

# A 5,000-message conversation read a page at a time through the API, gzipped and plain,
# against the page's rows read raw (PostgreSQL: the database of DATABASE_URL, default
# homeward_bench_sync, dropped and filled again).
bench-sync: env
	$(PY) bench/sync.py

# Precision and recall of the baseline rule library on the labelled corpus (issue 3).
# EVAL_ARGS=--strict exits non-zero when a target is missed.
eval-screening: env
	$(PY) -m homeward.screening.evaluation $(EVAL_ARGS)

# --reuse-db keeps a PostgreSQL test database between local runs (migrated again when
# needed); CI passes --create-db, and SQLite's test database lives in memory anyway.
test: env
	$(PY) -m pytest --reuse-db $(PYTEST_ARGS)

lint: env
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	.venv/bin/lint-imports --no-cache
	$(MAKE) --no-print-directory typecheck

# mypy with django-stubs over homeward/ (configured in pyproject.toml: strict for the domain
# apps). Its cache in .mypy_cache makes a run after a small change take seconds.
typecheck: env
	$(PY) -m mypy

format: env
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf .venv .tools var
	rm -f homeward/screening/native/*.so
