# Hamlet Line: `make run` starts the service, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WEB_CONCURRENCY ?= 2
export PORT WEB_CONCURRENCY
# System programs the tests drive; each is installed (as root) or asked for by bin/need.
CHROMIUM ?= chromium
# The report tests open the monthly XLSX with LibreOffice.
SOFFICE ?= soffice
WRK ?= wrk
NGINX ?= nginx
SYSTEMD_ANALYZE ?= systemd-analyze
# The worker converts prompt recordings; placeholders are spoken by espeak-ng.
FFMPEG ?= ffmpeg
SOX ?= sox
ESPEAK ?= espeak-ng
export CHROMIUM SOFFICE WRK NGINX SYSTEMD_ANALYZE FFMPEG SOX ESPEAK

.PHONY: audio-tools run test soak bench lint format setup clean translations docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when a requirements file changed.
$(VENV)/.installed-run: requirements.txt $(VENV)/.installed-train | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-train | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# The classifier's training packages, apart from the web's, so no web worker imports numpy
# (an older venv had them among its own packages: they are taken out of it first).
TRAIN_PACKAGES := scikit-learn numpy scipy joblib threadpoolctl cloudpickle narwhals
$(VENV)/.installed-train: requirements-train.txt | $(BIN)/python
	$(BIN)/pip uninstall --quiet --yes $(TRAIN_PACKAGES) 2>/dev/null || true
	rm -rf $(VENV)/nlu-train
	$(BIN)/pip install --quiet --no-deps --target $(VENV)/nlu-train -r requirements-train.txt
	touch $@

setup: $(VENV)/.installed-run
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi seed $(if $(filter console,$(or $(SMS_TRANSPORT),console)),--demo,)
	$(BIN)/flask --app wsgi nlu train --if-missing

# The audio programs the worker and `flask voice placeholders` call.
audio-tools:
	@bin/need "$(FFMPEG)" ffmpeg "voice prompt recordings (conversion)" FFMPEG
	@bin/need "$(SOX)" sox "voice prompt placeholders (trimming)" SOX
	@bin/need "$(ESPEAK)" espeak-ng "voice prompt placeholders (speech)" ESPEAK

# The service runs without the audio programs (only recorded prompts need them), so a
# machine where they cannot be installed still starts; bin/need says what is missing.
run: setup
	@$(MAKE) --no-print-directory audio-tools || echo "Recorded voice prompts stay unconverted until ffmpeg, sox and espeak-ng are installed."
	@bin/run-service

test: $(VENV)/.installed-dev docs audio-tools
	@bin/need "$(CHROMIUM)" chromium "make test (browser tests)" CHROMIUM
	@bin/need "$(SOFFICE)" libreoffice-calc-nogui "make test (monthly report XLSX)" SOFFICE
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

soak: $(VENV)/.installed-dev
	@bin/need "$(NGINX)" nginx "make soak (nginx in front of gunicorn)" NGINX
	@bin/need "$(SYSTEMD_ANALYZE)" systemd "make soak (systemd-analyze verify)" SYSTEMD_ANALYZE
	# Exit code 5 means no slow test is selected, which is not a failure.
	$(BIN)/pytest -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ]

bench: $(VENV)/.installed-dev
	@bin/need "$(WRK)" wrk "make bench (load generator)" WRK
	$(BIN)/python -m bench

# The documentation (docs/, mkdocs.yml) into site/; --strict fails on a broken link or anchor.
docs: $(VENV)/.installed-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Staff console UI strings: extract, merge into the Vietnamese catalogue, compile the .mo
# (the compiled .mo is committed so a fresh clone works with pip alone).
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F translations/babel.cfg -k _l -k N_ -k NC_:1c,2 -k lazy_pgettext:1c,2 --no-location --omit-header \
		--sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache site
