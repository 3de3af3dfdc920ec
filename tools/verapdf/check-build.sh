#!/usr/bin/env bash
# veraPDF over the accessible PDFs that `make pdf` wrote:
#   tools/verapdf/check-build.sh [--flavour ua1|ua2] [FOLDER...]
# (FOLDER: the checkout's output/ when none is given).
# Every output/**/*.pdf but the files for printing or reviewing (*-print.pdf, PDF/X;
# *-office.pdf and proof.pdf: not PDF/UA) and hidden folders, in one JVM start. Prints each
# failing rule id with its file and a count; exits 0 when every file is compliant, 1 when not,
# 2 when veraPDF cannot run or there is nothing to check.
# Sets veraPDF up first when needed (tools/verapdf/setup.sh; a no-op once done).
# PYTHON: the venv's python (.venv/bin/python if not set).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"

flavour=(--flavour ua1)
if [ "${1:-}" = "--flavour" ]; then
    [ $# -ge 2 ] || { echo "check-build.sh: --flavour needs ua1 or ua2" >&2; exit 2; }
    flavour=(--flavour "$2")
    shift 2
fi
[ $# -gt 0 ] || set -- "$repo/output"

bash "$repo/tools/verapdf/setup.sh" "$python" || exit 2
exec "$python" "$repo/tests/verapdf.py" "${flavour[@]}" "$@"
