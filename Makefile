# The Peer Support Handbook: `make` builds the website and the PDF, `make test` checks them.
# Run `make help` for every target.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
BUILDDIR ?= _build
DOCS     ?= docs
PDF_NAME := peer-support-handbook.pdf

# Warnings are errors (-W -n), and every build reads all sources afresh (-E),
# because an incremental build does not repeat the warnings of unchanged pages.
# SPHINXOPTS adds sphinx-build options (the tests use it, for -D settings).
# STRICT is what every build shares; the writers below, which only write
# from the read, take it without -E.
SPHINXOPTS ?=
STRICT   := -W -n --keep-going -q -c . $(SPHINXOPTS)
SPHINX   := $(BIN)/sphinx-build -E $(STRICT)
SOURCES  := conf.py requirements.lock $(shell find $(DOCS) handbook -type f -not -path '*/__pycache__/*')

INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
NODE_BENCH_INSTALLED := node_modules/.installed-bench
PDF       := $(BUILDDIR)/pdf/$(PDF_NAME)
LARGE_PDF := $(BUILDDIR)/pdf/$(PDF_NAME:.pdf=-large-print.pdf)
SITE      := $(BUILDDIR)/html/.built

.DEFAULT_GOAL := all
.PHONY: all html pdf test clean help lock
.PHONY: live

all: $(SITE) ## Set up (first time only), then build the website, the PDF and the EPUB
	@echo "Website: $(BUILDDIR)/html/index.html"
	@echo "PDF:     $(PDF)"
	@echo "         $(LARGE_PDF) (large print)"
	@echo "EPUB:    $(EPUB)"

html: $(SITE) ## Build the website into _build/html (with the PDF and EPUB in it)

pdf: $(PDF) ## Build the whole-book PDF and its large-print edition into _build/pdf

# The e-book, and one edition's release files, named with the edition (see README).
EPUB     := $(BUILDDIR)/epub/$(PDF_NAME:.pdf=.epub)
DISTDIR  ?= dist
.PHONY: epub dist
epub: $(EPUB) ## Build the e-book (EPUB 3) into _build/epub

# make dist writes only its own files, and refuses (before building) a folder
# that holds others, and a release from uncommitted changes. DRAFT=1 allows
# those changes: it builds afresh into $(BUILDDIR)/draft, marked as a draft of
# the current commit (HANDBOOK_DRAFT, conf.py's handbook_draft). DIST_OPTS adds
# options of handbook/tools/dist.py (the tests use it).
DRAFT    ?=
DIST_OPTS ?=
DIST     := $(BIN)/python -m handbook.tools.dist $(DIST_OPTS)
.PHONY: dist-check
dist-check: $(INSTALLED)
	@$(DIST) --check $(if $(DRAFT),--draft) $(BUILDDIR) $(DISTDIR)
ifeq ($(DRAFT),)
# The check runs before any build starts: with make's parallel jobs, builds
# named as prerequisites would start beside it and write before a refusal.
dist: dist-check ## Write one edition's release files into dist/ (DRAFT=1: a draft)
	$(MAKE) --no-print-directory html epub
	$(DIST) $(BUILDDIR) $(DISTDIR)
else
dist: dist-check
	rm -rf $(BUILDDIR)/draft
	HANDBOOK_DRAFT=$$(git rev-parse --short=12 HEAD) $(MAKE) --no-print-directory \
		BUILDDIR=$(BUILDDIR)/draft DRAFT= html epub
	$(DIST) --draft $(BUILDDIR)/draft $(DISTDIR)
endif

# A live preview: rebuilds only what changed (no -E) and shows each problem
# without stopping, so the browser keeps up while you write.
LIVE_PORT ?= 8000
live: $(INSTALLED) ## Preview the website as you edit, at http://127.0.0.1:8000
	$(BIN)/python -m handbook.tools.live $(DOCS) $(BUILDDIR) $(LIVE_PORT)

# (MAKEFLAGS= : the tests run make themselves, which runs its own jobs.)
# The checks run in TEST_JOBS processes (pytest-xdist), each test module in
# one of them, so that a module's shared browser or server is started once;
# TEST_JOBS=0 runs them in this one process. PYTEST_OPTS adds pytest's options.
TEST_JOBS ?= 2
PYTEST_OPTS ?=
test: $(INSTALLED) $(NODE_INSTALLED) ## Run every check: builds, links, text, PDF (offline)
	MAKEFLAGS= $(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile $(PYTEST_OPTS)

# The website against its targets, beside a stock-theme build of the same
# pages: sizes, requests and Lighthouse's scores for every page (minutes; not in CI).
# make bench SCALE=10: instead, every stage's time at 10 times the pages
# beside the handbook's own, from the same run (handbook/tools/scale.py);
# TESTS=1 times make test on each book too.
.PHONY: bench
SCALE ?=
TESTS ?=
bench: $(INSTALLED) $(NODE_BENCH_INSTALLED) ## Measure the website as a phone gets it, beside the stock theme
	MAKEFLAGS= $(BIN)/python -m handbook.tools.bench $(if $(SCALE),--scale $(SCALE)) $(if $(TESTS),--with-tests)

# Web links and citations' DOIs, fetched from the web (so not part of `make test`).
# Runs with -W like the other builds: a broken link, a timeout, and also a
# redirect that conf.py does not allow, make it fail. The run is bounded
# (conf.py: handbook_linkcheck_*), and linkreport runs it and then prints the
# report even so, keeping Sphinx's exit status; `exec` makes linkreport the
# process make signals, so SIGTERM or Ctrl-C still gives a report.
# LINKCHECK_OPTS adds -D settings (the tests use it).
.PHONY: linkcheck
LINKCHECK_OPTS ?=
linkcheck: $(INSTALLED) ## Check every web link and DOI (needs the network), with a report
	exec $(BIN)/python -m handbook.tools.linkreport --docs $(DOCS) \
		$(BUILDDIR)/linkcheck/output.json -- $(SPHINX) $(LINKCHECK_OPTS) \
		-d $(BUILDDIR)/doctrees/linkcheck -b linkcheck $(DOCS) $(BUILDDIR)/linkcheck

clean: ## Remove the build output (keeps the virtual environment)
	rm -rf $(BUILDDIR)

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

lock: ## Re-pin requirements.in into requirements.lock (needs the network)
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-find-links --no-emit-index-url -o requirements.lock requirements.in

# The virtual environment is (re)installed only when the lock file changes.
$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

# The browser tools from npm (package.json), reinstalled only when
# package-lock.json changes. `make test` needs axe-core and Ace by DAISY (its
# devDependencies); only `make bench` needs Lighthouse (its one optional
# dependency). No install script runs, and Puppeteer downloads no browser:
# the checks use the system's Chromium.
NPM_CI := PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
NEEDS_NPM := command -v npm >/dev/null || { echo "Needs Node.js and npm: sudo apt-get install nodejs npm" >&2; exit 1; }
$(NODE_INSTALLED): package-lock.json
	@$(NEEDS_NPM)
	$(NPM_CI) --omit=optional
	touch $@

# Everything, Lighthouse too; that serves `make test` as well.
$(NODE_BENCH_INSTALLED): package-lock.json
	@$(NEEDS_NPM)
	$(NPM_CI)
	touch $@ $(NODE_INSTALLED)

# Each output is built beside the last good one and swapped in only on
# success, so a failed build never destroys what a reader already has.
# The sources are read once, all afresh (-E), by a build that writes nothing
# (Sphinx's dummy builder), into $(DOCTREES); then the website, the PDF and
# the EPUB are written from that read, at the same time (the jobs below):
# each is a build that only writes (handbook/sphinxext/readonce.py stops it
# if it would read a page). Every warning of the read shows after any edit,
# and each writer still fails on its own warnings (-W -n: a broken link, a
# PDF that Typst cannot make). After an edit you wait for one read and the
# slowest writer, not for three reads.
# --output-sync keeps each build's messages together.
# Only for the builds: --output-sync holds a target's messages until it ends,
# so make live and make linkcheck, which run until stopped or report as they
# go, would show nothing.
ifeq ($(filter-out all html pdf epub dist,$(or $(MAKECMDGOALS),all)),)
ifeq ($(findstring jobserver,$(shell echo "$$MAKEFLAGS")),)  # not in a make running jobs
MAKEFLAGS += --jobs=3 --output-sync=target
endif
endif
# When a writer meets a problem of the sources (a broken link), all three
# stop on it: the first to stop shows its messages, the others say where
# theirs are, so the problems are listed once. $(call LOGGED,name,command)
# runs a build so.
LOGS := $(BUILDDIR)/logs
RUN  := $(shell date +%s%N)
LOGGED = mkdir -p $(LOGS) && find $(LOGS) -name 'shown-*' ! -name shown-$(RUN) -delete \
	&& { $(2); } 2>$(LOGS)/$(1).txt; status=$$?; \
	if [ $$status -eq 0 ] || mkdir $(LOGS)/shown-$(RUN) 2>/dev/null; \
	then cat $(LOGS)/$(1).txt >&2; \
	else echo "The $(1) build stopped too; its messages: $(LOGS)/$(1).txt" >&2; fi; \
	exit $$status

# The read: its stamp dates from when the read began, so a page saved while
# it ran is read again by the next make. A writer that fails removes it, so
# the next make reads afresh too (a writer stops when the sources changed
# under it).
# A book of 100 pages or more (BIG) is read on every core, as nothing else
# runs during the read (-j auto: Sphinx's parallel read, checked against a
# serial one by tests/test_sphinxext.py; the same outputs, byte for byte, at
# 1x and 10x); and its PDF, the slowest writer, goes first (the website and
# EPUB writers are niced), so the other two fill the time it takes.
# Measured in alternating rounds after a one-word edit: at 312 pages each
# saves 1.5 to 2.5 s; at 31 pages each cost more than it saved.
BIG       = $(word 100,$(filter $(DOCS)/%.md,$(SOURCES)))
READ_JOBS = $(if $(BIG),-j auto)
YIELD     = $(if $(BIG),nice -n 10)
DOCTREES := $(BUILDDIR)/doctrees/book
READ     := $(DOCTREES)/.read
# The writers start warm (handbook/tools/warm_builds.py): the read first
# starts a server that imports Sphinx and the extensions on the core the read
# leaves free, and each writer is forked from it, until this make ends
# ($$PPID, in a recipe, is make). Without that server, a writer runs as it is.
WARM     := $(BIN)/python -m handbook.tools.warm_builds
WARM_AT  := $(abspath $(DOCTREES))-$(RUN)
WRITE    = $(WARM) run $(WARM_AT) -- $(BIN)/sphinx-build $(STRICT) \
	-D handbook_write_only=1 -d $(DOCTREES)
WRITTEN  = ( $(call LOGGED,$(1),$(2)) ) || { rm -f $(READ); exit 1; }
$(READ): $(INSTALLED) $(SOURCES)
	rm -f $@ && mkdir -p $(DOCTREES) && touch $@.started
	$(call LOGGED,reading,$(WARM) serve $(WARM_AT) --until $$PPID -- \
		$(SPHINX) $(READ_JOBS) -d $(DOCTREES) -b dummy $(DOCS) $(DOCTREES))
	mv $@.started $@

# The website's pages are written into html.new; this stamp says they are
# up to date with the sources, so the PDF and EPUB can be copied in after.
HTML_PAGES := $(BUILDDIR)/doctrees/html.written
# (.buildinfo is Sphinx's note of this machine's paths, not part of the site.)
BUILD_PAGES = $(YIELD) $(WRITE) -b html $(DOCS) $(BUILDDIR)/html.new \
	&& rm -f $(BUILDDIR)/html.new/.buildinfo

# One run of the pdf builder writes both editions (see handbook/sphinxext/pdf/).
$(LARGE_PDF): $(PDF)

$(PDF): $(READ)
	rm -rf $(BUILDDIR)/pdf.new
	$(call WRITTEN,PDF,$(WRITE) -b pdf $(DOCS) $(BUILDDIR)/pdf.new)
	rm -rf $(BUILDDIR)/pdf && mv $(BUILDDIR)/pdf.new $(BUILDDIR)/pdf

$(HTML_PAGES): $(READ)
	rm -rf $(BUILDDIR)/html.new $@
	$(call WRITTEN,website,$(BUILD_PAGES))
	touch $@

# When the pages are up to date but the PDF or EPUB is new (it was missing),
# the site is remade from the one in place, whose pages are the same; with
# no site in place either, the pages are written again.
$(SITE): $(HTML_PAGES) $(PDF) $(EPUB)
	test -d $(BUILDDIR)/html.new || test ! -d $(BUILDDIR)/html \
		|| cp -a $(BUILDDIR)/html $(BUILDDIR)/html.new
	test -d $(BUILDDIR)/html.new || $(BUILD_PAGES)
	cp $(PDF) $(LARGE_PDF) $(EPUB) $(BUILDDIR)/html.new/
	touch $(BUILDDIR)/html.new/.built
	rm -rf $(BUILDDIR)/html && mv $(BUILDDIR)/html.new $(BUILDDIR)/html

$(EPUB): $(READ)
	rm -rf $(BUILDDIR)/epub.new
	$(call WRITTEN,EPUB,$(YIELD) $(WRITE) -b epub $(DOCS) $(BUILDDIR)/epub.new)
	rm -rf $(BUILDDIR)/epub && mv $(BUILDDIR)/epub.new $(BUILDDIR)/epub
