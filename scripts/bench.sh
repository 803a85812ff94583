#!/usr/bin/env bash
# Runs every benchmark (bench/<area>/run.ts), each printing its side-by-side figures and ratios.
# Not part of the tests: timings belong here, never in assertions.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
for bench in bench/*/run.ts; do
  # The incidents bench runs for many minutes: it has its own command, npm run bench:incidents.
  [ "$bench" = bench/incidents/run.ts ] && continue
  echo "== $bench"
  node --expose-gc --import tsx "$bench"
done
