#!/usr/bin/env bash
# Compiles the mock-cluster helper (native/mock-cluster/*.c) against the cached librdkafka,
# into build/steadfast-mock-cluster. Skipped when the binary is newer than every source.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${STEADFAST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/steadfast}
prefix=$cache/librdkafka-2.15.1
out=$root/build/steadfast-mock-cluster
sources=("$root"/native/mock-cluster/*.c)
headers=("$root"/native/mock-cluster/*.h)

stale=0
[ -x "$out" ] || stale=1
if [ "$stale" -eq 0 ]; then
  for f in "${sources[@]}" "${headers[@]}" "$prefix/lib/librdkafka.a" "$0"; do
    if [ -e "$f" ] && [ "$f" -nt "$out" ]; then stale=1; break; fi
  done
fi
[ "$stale" -eq 1 ] || exit 0

mkdir -p "$root/build"
printf '[mock-cluster] compiling %s\n' "$out" >&2
gcc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
  -isystem "$prefix/include" -o "$out.tmp" "${sources[@]}" \
  "$prefix/lib/librdkafka.a" -lm -ldl -lpthread -lrt
mv "$out.tmp" "$out"
