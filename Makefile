# Two commands do all the set-up on a fresh machine:
#   make pdf    install what is missing, then build every PDF
#   make test   install what is missing, then run the tests
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages the builder and its tests need (fonts, PDF and QR tools, Pango for WeasyPrint;
# libgs-common for the CMYK ICC profile of the print-shop files' output intent; chromium for
# the test that opens output/index.html in a real browser, through Playwright).
APT_PACKAGES := fonts-noto-core poppler-utils zbar-tools libzbar0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	libgs-common chromium
NOTO := /usr/share/fonts/truetype/noto
FONT_FILES := NotoSans-Regular.ttf NotoSans-Bold.ttf NotoSans-Italic.ttf NotoSans-BoldItalic.ttf \
	NotoSansArabic-Regular.ttf NotoSansArabic-Bold.ttf NotoSansHebrew-Regular.ttf NotoSansHebrew-Bold.ttf

.PHONY: pdf test setup system-packages clean
pdf: setup
	$(PY) make_pdf.py build

test: setup
	$(PY) -m pytest -q

setup: system-packages $(VENV)/.installed fonts/.installed

# Install only the Debian packages that are missing; skip apt entirely when all are there.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The stylesheets name these fonts; the URL fetcher serves them from fonts/ only.
fonts/.installed: Makefile | system-packages
	mkdir -p fonts
	for f in $(FONT_FILES); do cp $(NOTO)/$$f fonts/$$f; done
	touch $@

clean:
	rm -rf output/*/ output/.check output/.cache output/.thumbs output/index.html output/manifest.json
