#!/usr/bin/env bash
# The README's test command: set up whatever is missing, then lint, typecheck and run every test
# with coverage; with STEADFAST_NODE_MATRIX=1, every test once more on a current LTS (Node 24,
# scripts/node-matrix.sh). Fails on the first failing stage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
echo "[test] lint" >&2
npx --no-install eslint .
echo "[test] typecheck" >&2
npx --no-install tsc --noEmit
echo "[test] tests (node:test via tsx, coverage by c8)" >&2
bash scripts/run-tests.sh
if [ "${STEADFAST_NODE_MATRIX:-}" = 1 ]; then
  echo "[test] tests on the current LTS (STEADFAST_NODE_MATRIX=1)" >&2
  bash scripts/node-matrix.sh
fi
