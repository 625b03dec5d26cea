# clippings: every task a user or CI runs. `make install && make replicate` is the main job; `make test` the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
JP_FONTS := fonts-ipafont fonts-ipaexfont fonts-takao fonts-vlgothic fonts-noto-cjk fonts-kouzan-mouhitsu fonts-motoya-l-cedar fonts-komatuna
HELDOUT_FONTS := fonts-dejima-mincho fonts-hanazono fonts-oradano-mincho-gsrr fonts-sawarabi-gothic fonts-sawarabi-mincho fonts-horai-umefont

.PHONY: install fonts ocr-engine browser lexicon test test-slow export readme docs docs-check lab replicate pretrained rescore clean distclean

## install: .venv with the package (editable, dev and scale extras: Ray), the `clippings` Jupyter kernel, and Japanese fonts (held-out faces too)
install:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,scale]'
	$(BIN)/python -m ipykernel install --sys-prefix --name clippings --display-name 'Python (clippings)'
	@$(MAKE) --no-print-directory fonts ocr-engine browser

# $(call apt_install,WHAT,PACKAGES,WHAT HAPPENS WITHOUT THEM): Debian packages, installed as root with apt-get; otherwise says how
define apt_install
	@if dpkg -s $(2) >/dev/null 2>&1; then echo "$(1): installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2) >/dev/null \
	   && echo "$(1): installed $(2)") || echo "$(1): apt-get failed; $(3)"; \
	else echo "$(1): not installed (needs root and apt-get). Install them with:"; \
	  echo "  sudo apt-get install $(2)"; echo "Carrying on: $(3)."; fi
endef

## fonts: the Debian Japanese fonts used by the synthetic data, and the faces held out of training for shifted test sets
fonts:
	$(call apt_install,Japanese fonts,$(JP_FONTS),the synthetic data then uses IPAexGothic from japanize-matplotlib alone)
	$(call apt_install,Held-out Japanese fonts,$(HELDOUT_FONTS),the shipped model's held-out test set cannot be rebuilt)

## ocr-engine: Tesseract 5 with Japanese (horizontal and vertical) and the IPAdic lexicon
OCR_PACKAGES := tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert mecab-ipadic
ocr-engine:
	$(call apt_install,Tesseract and IPAdic,$(OCR_PACKAGES),the tests and make replicate do not need them but clippings ocr and rebuilding sample_data/ do)

## browser: Debian's Chromium, which the browser tests of `clippings serve` drive through Playwright (never
## Playwright's own browser download: it fetches browsers from the network)
browser:
	$(call apt_install,Chromium,chromium,the browser tests of clippings serve skip and its client tests still run)

## lexicon: rebuild the IPAdic extract shipped in clippings/data from the installed mecab-ipadic
lexicon: ocr-engine
	$(BIN)/python -c "from clippings.lexicon import write_lexicon; print({k: len(v) for k, v in write_lexicon().items()})"

## test: the library is what the notebooks export, notebooks are clean, README matches index, every notebook passes
# Two notebooks run at once on two cores, so each gets one BLAS/PyTorch thread (24% faster than two each, which
# oversubscribe the cores); OMP_NUM_THREADS=2 make test runs them with two. The tests pass either way.
test:
	tools/check_sync.sh
	$(BIN)/python tools/nbdocs.py readme --check
	$(BIN)/python tools/shape.py --check >/dev/null
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/nbdev_test --n_workers 2 --timing

## test-slow: also the cells flagged slow (minutes of CPU) and gpu (needs a GPU)
test-slow:
	$(BIN)/nbdev_test --n_workers 2 --timing --flags 'slow gpu'

export:
	$(BIN)/nbdev_export

readme:
	$(BIN)/python tools/nbdocs.py readme

## docs: the HTML site in _build/html from the notebooks (Sphinx + myst-nb); fails on a broken notebook
docs:
	rm -rf _build/docs_src _build/html
	$(BIN)/python tools/nbdocs.py site _build/docs_src
	$(BIN)/sphinx-build -W --keep-going -q -b html -c docs _build/docs_src _build/html
	@echo "docs: open _build/html/index.html"

## docs-check: open the built site in headless Chromium (installed as root if missing) and check what it shows
docs-check: browser
	$(BIN)/python tools/docs_check.py _build/html

lab:
	$(BIN)/jupyter lab nbs

PROFILE ?= sample
replicate:  # rebuild the paper's tables into replication/results/$(PROFILE)/ (PROFILE=scratch: every model from scratch; PROFILE=paper: real data, GPU; SEEDS=N)
	$(BIN)/clippings replicate --profile $(PROFILE)$(if $(SEEDS), --seeds $(SEEDS))

pretrained:  # train the shipped model clippings-ja-small from scratch (title stages, then several fields) with its card
	$(BIN)/python -c "from clippings.pretrained import build_shipped; print(build_shipped())"

rescore:  # score the shipped model zero-shot again and rewrite its card's scores (after a change to the rules or tests)
	$(BIN)/python -c "from clippings.pretrained import rescore; print(rescore())"

clean:
	rm -rf _build build dist *.egg-info .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
