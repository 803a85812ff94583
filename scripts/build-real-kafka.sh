#!/usr/bin/env bash
# The real-Kafka rig's parts, for each Kafka version pinned in native/real-kafka/pom.xml:
#   1. Java 17 and Maven from Debian, when missing (javac too: the control helper is compiled here);
#   2. the broker, Connect and logging jars, resolved by Maven from Maven Central into
#      $STEADFAST_CACHE_DIR/real-kafka/<version>/libs (a local Maven repository beside it), once;
#   3. the control helper (native/real-kafka/src, Kafka's own AdminClient behind JSON lines),
#      compiled against that version's jars into build/real-kafka/control-<version>.
# Every step is skipped when its result is newer than its inputs: a warm run takes well under a second.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${STEADFAST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/steadfast}
pom=$root/native/real-kafka/pom.xml
log() { printf '[real-kafka] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The profiles of the pom, each `<id>kafka-X</id>` with its `<kafka.version>`.
mapfile -t versions < <(grep -o '<kafka.version>[^<]*</kafka.version>' "$pom" | sed 's/<[^>]*>//g')
pom_hash=$(sha256sum "$pom" | cut -d' ' -f1)

mkdir -p "$cache/real-kafka"
exec 9>"$cache/real-kafka/.lock"
flock 9
for version in "${versions[@]}"; do
  profile=kafka-${version%.*}
  [ "${version%%.*}" = 4 ] && profile=kafka-4
  dir=$cache/real-kafka/$version
  if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$pom_hash" ]; then
    log "resolving Apache Kafka $version and Kafka Connect jars from Maven Central (once)"
    rm -rf "$dir/libs.tmp"
    mkdir -p "$dir"
    (cd "$root/native/real-kafka" && mvn -q -B -Dstyle.color=never -P "$profile" \
      -Dmaven.repo.local="$cache/real-kafka/m2" \
      dependency:copy-dependencies -DoutputDirectory="$dir/libs.tmp" -Dmdep.overWriteReleases=true) >&2
    rm -rf "$dir/libs"
    mv "$dir/libs.tmp" "$dir/libs"
    echo "$pom_hash" > "$dir/.complete"
  fi

  out=$root/build/real-kafka/control-$version
  stale=0
  [ -f "$out/.built" ] || stale=1
  for src in "$root"/native/real-kafka/src/dev/steadfast/rig/*.java "$dir/.complete"; do
    if [ "$stale" -eq 0 ] && [ "$src" -nt "$out/.built" ]; then stale=1; fi
  done
  if [ "$stale" -eq 1 ]; then
    log "compiling the control helper against Kafka $version"
    rm -rf "$out"
    mkdir -p "$out"
    javac -nowarn -Xlint:none -d "$out" -cp "$dir/libs/*" "$root"/native/real-kafka/src/dev/steadfast/rig/*.java 2>&1 | grep -v '^Note:' >&2 || true
    [ -f "$out/dev/steadfast/rig/Control.class" ] || { log "compiling the control helper failed"; exit 1; }
    touch "$out/.built"
  fi
done
