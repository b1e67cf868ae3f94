# Patenbot: `make run` and `make test` do all setup on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYENV_ROOT ?= $(HOME)/.pyenv
# A usable interpreter of version $(1): pythonX.Y on PATH if it really runs (a pyenv
# shim for a version that is not selected refuses), else pyenv's installed one.
find_python = $(firstword $(foreach candidate,python$(1) $(sort $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1))),$(if $(shell $(candidate) -c "import sys; print(sys.version_info[:2] == ($(subst .,$(comma),$(1))))" 2>/dev/null | grep True),$(candidate))))
comma := ,
PYTHON312 ?= $(call find_python,3.12)
PYTHON310 ?= $(call find_python,3.10)

VENV := .venv
VENV_RASA := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(VENV_RASA)/bin/rasa
MODEL_DIR := models
PYBABEL := $(VENV)/bin/pybabel
DOMAIN_NAME := patenbot
POT := locale/$(DOMAIN_NAME).pot
PO_FILES := $(wildcard locale/*/LC_MESSAGES/$(DOMAIN_NAME).po)
MO_FILES := $(PO_FILES:.po=.mo)
BABEL_KEYWORDS := --no-default-keywords -k N_ -k pgettext:2c,3 -k gettext:2 -k tr:1c,2 -k NC_:1c,2 \
  -k ngettext:2,3 -k npgettext:2c,3,4 -k ntr:1c,2,3 -k NPC_:1c,2,3

export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED := false

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: check-pythons
check-pythons:
	@test -n "$(PYTHON312)" || { echo "Python 3.12 is missing. Install it, e.g. 'pyenv install 3.12', or set PYTHON312=/path/to/python3.12." >&2; exit 1; }
	@test -n "$(PYTHON310)" || { echo "Python 3.10 (for the Rasa server only) is missing. Install it, e.g. 'pyenv install 3.10', or set PYTHON310=/path/to/python3.10." >&2; exit 1; }

$(VENV)/.installed: pyproject.toml | check-pythons
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV_RASA)/.installed: requirements-rasa.txt | check-pythons
	test -x $(VENV_RASA)/bin/python || $(PYTHON310) -m venv $(VENV_RASA)
	$(VENV_RASA)/bin/python -m pip install --quiet --upgrade pip==25.3
	$(VENV_RASA)/bin/python -m pip install --quiet -r requirements-rasa.txt
	touch $@

# The web chat's front end: KERN (served under /static/kern/) and axe-core (tests only),
# exactly as package-lock.json pins them. Nothing is fetched from a CDN at run time.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing (for the web chat's KERN styles): e.g. 'apt-get install npm'." >&2; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $@

.PHONY: setup
setup: $(VENV)/.installed $(VENV_RASA)/.installed node_modules/.installed catalogs ## Create both environments, install the web assets, compile the catalogs

.PHONY: extract
extract: $(VENV)/.installed ## Extract all texts into locale/patenbot.pot
	$(PYBABEL) extract -F babel.cfg $(BABEL_KEYWORDS) --sort-by-file --add-comments=Translators: \
	  --msgid-bugs-address=patenbot@example.org --project=Patenbot --copyright-holder="Patenbot contributors" \
	  -o $(POT) .

.PHONY: update-catalogs
update-catalogs: extract ## Merge new texts from the POT into every language's PO file
	$(PYBABEL) update -i $(POT) -d locale -D $(DOMAIN_NAME) --previous

.PHONY: add-language
add-language: extract ## Start a catalog for a new language: make add-language LANG=fr
	@test -n "$(LANG)" || { echo "Usage: make add-language LANG=<babel locale, e.g. fr>" >&2; exit 1; }
	$(PYBABEL) init -i $(POT) -d locale -D $(DOMAIN_NAME) -l $(LANG)

%.mo: %.po $(VENV)/.installed
	$(PYBABEL) compile --statistics -i $< -o $@

.PHONY: catalogs
catalogs: $(MO_FILES) ## Compile the catalogs (.po → .mo)

.PHONY: train
train: $(VENV)/.installed $(VENV_RASA)/.installed ## Train the model if data, domain or config changed (output on stderr)
	@# The fingerprint in $(MODEL_DIR)/fingerprint.json answers in a moment without starting
	@# Rasa; all of Rasa's output goes to stderr, as stdout carries the chat's replies.
	@$(PY) -m bot.model_stamp check $(MODEL_DIR) || { \
	  $(RASA) train --data nlu_data --config config.yml --domain domain.yml --out $(MODEL_DIR) --quiet 1>&2 && \
	  $(PY) -m bot.model_stamp write $(MODEL_DIR) && \
	  ls -1t $(MODEL_DIR)/*.tar.gz | tail -n +3 | xargs -r rm -f --; }
	@# Rasa 3 writes a new model file on every training; the two newest are kept. A running
	@# bot does not need either: it starts from its own link to its model in data/rasa-model/.

.PHONY: run
run: ## Start everything; without TELEGRAM_BOT_TOKEN, chat in the terminal
	@# Setup and training report on stderr: stdout carries only the chat's replies.
	@$(MAKE) setup train 1>&2
	@$(PY) -m bot run

.PHONY: lint
lint: $(VENV)/.installed ## ruff and mypy
	$(VENV)/bin/ruff check bot actions tests rasa_plugins
	$(VENV)/bin/ruff format --check bot actions tests rasa_plugins
	$(VENV)/bin/mypy

.PHONY: test
test: setup lint train ## Everything CI runs: lint, unit, catalogs, data validation, stories, NLU accuracy, end to end
	$(VENV)/bin/pytest -q

.PHONY: evaluate
evaluate: setup train ## NLU accuracy per language on the held-out sets (Markdown table)
	@$(PY) -m bot evaluate

.PHONY: benchmark-web
benchmark-web: setup train ## Web chat: page weight, time to interactive, 50 clients via the web vs. straight to Rasa
	$(PY) -m tests.benchmarks.web_load --clients 50 --questions 3

.PHONY: benchmark-export
benchmark-export: $(VENV)/.installed ## Time and peak memory of exporting 100,000 registrations
	$(PY) -m tests.benchmarks.export_benchmark --rows 100000

.PHONY: benchmark-inbox
benchmark-inbox: $(VENV)/.installed ## Coordinators' inbox and dashboard with 100,000 registrations: p95 and SQL per page
	$(PY) -m tests.benchmarks.inbox_benchmark --rows 100000

.PHONY: benchmark-console
benchmark-console: $(VENV)/.installed ## Console over HTTP with 100,000 registrations: inbox p95, SQL per page, streamed export's peak memory
	$(PY) -m tests.benchmarks.console_benchmark --rows 100000

.PHONY: benchmark-ngrams
benchmark-ngrams: $(VENV)/.installed ## Share of held-out character n-grams the featurizer knows, per language
	$(PY) -m tests.benchmarks.ngram_coverage

.PHONY: benchmark-nlu
benchmark-nlu: $(VENV)/.installed $(VENV_RASA)/.installed ## Linear NLU vs DIET: training time, size, parse latency, accuracy (~20 min)
	$(PY) -m tests.benchmarks.nlu_compare --configs config.yml config-diet.yml

.PHONY: benchmark-nlu-cv
benchmark-nlu-cv: $(VENV_RASA)/.installed ## 5-fold cross-validation of the linear NLU's settings on nlu_data/
	PYTHONPATH=. $(VENV_RASA)/bin/python -m tests.benchmarks.nlu_cv --thresholds

.PHONY: benchmark-telegram
benchmark-telegram: setup train ## 50 users chatting at once through the Bot API emulator (p50/p95, lost replies)
	$(PY) -m tests.benchmarks.telegram_load --users 50 --turns 3

.PHONY: benchmark-load
benchmark-load: setup train ## 200 users (half web chat, half Telegram) x 5 turns at once, with 1 and 2 Rasa replicas (turns/s, p50/p95, lost, memory)
	$(PY) -m tests.benchmarks.load --users 200 --turns 5 --replicas 1 2

.PHONY: soak
soak: setup train ## 30 minutes of steady traffic: `python -m bot run`, 2 replicas, Telegram and web users; memory per process, errors (not in CI)
	$(PY) -m tests.benchmarks.soak --minutes 30 --users 20 --pace 4 --replicas 2

.PHONY: clean
clean: ## Remove environments, models and local data
	rm -rf $(VENV) $(VENV_RASA) models data results
