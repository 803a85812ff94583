#!/usr/bin/env bash
# Builds librdkafka's C library (static) from the source that the npm package
# @confluentinc/kafka-javascript ships in deps/librdkafka. Only the C library is built:
# that package's own install script (prebuilt download + Node binding) never runs.
# The result is cached in $STEADFAST_CACHE_DIR (default ~/.cache/steadfast) so reruns are instant.
set -euo pipefail

pkg_version=1.10.1           # ships librdkafka 2.15.1
rdkafka_version=2.15.1
# sha512 of the npm tarball, as the registry publishes it (dist.integrity).
pkg_sha512=29578f5019f6d44a8254ff667f1cc4b8cdd26091c7105ed7fa2882d9ee374108034b211a92c2279821a8a13df0e6af9c340764482acaef58f42027eaa12a992f

cache=${STEADFAST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/steadfast}
prefix=$cache/librdkafka-$rdkafka_version
log() { printf '[librdkafka] %s\n' "$*" >&2; }

if [ -f "$prefix/lib/librdkafka.a" ] && [ -f "$prefix/include/librdkafka/rdkafka_mock.h" ]; then
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.librdkafka.lock"
flock 9
# Another run may have finished the build while we waited for the lock.
if [ -f "$prefix/lib/librdkafka.a" ]; then exit 0; fi

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
log "fetching @confluentinc/kafka-javascript@$pkg_version from the npm registry"
(cd "$work" && npm pack --silent "@confluentinc/kafka-javascript@$pkg_version" >/dev/null)
tarball=$work/confluentinc-kafka-javascript-$pkg_version.tgz
got=$(sha512sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$pkg_sha512" ]; then
  log "checksum mismatch for $tarball: got $got"
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/deps/librdkafka
src=$work/package/deps/librdkafka
log "building librdkafka $rdkafka_version (C library only, about a minute on 2 cores)"
(cd "$src" && ./configure --disable-ssl --disable-gssapi --disable-curl --disable-zstd \
  --disable-lz4-ext --disable-zlib >"$work/configure.log" 2>&1) || { tail -30 "$work/configure.log" >&2; exit 1; }
make -C "$src/src" -j"$(nproc)" lib >"$work/make.log" 2>&1 || { tail -30 "$work/make.log" >&2; exit 1; }

staging=$prefix.tmp
rm -rf "$staging"
mkdir -p "$staging/lib" "$staging/include/librdkafka"
cp "$src/src/librdkafka.a" "$staging/lib/"
cp "$src/src/rdkafka.h" "$src/src/rdkafka_mock.h" "$staging/include/librdkafka/"
rm -rf "$prefix"
mv "$staging" "$prefix"
log "installed in $prefix"
