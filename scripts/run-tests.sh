#!/usr/bin/env bash
# Runs the test files given as arguments (default: every test/**/*.test.ts) under node:test
# with tsx, with c8 coverage, in two lanes at once (scripts/run-lanes.mjs: the real-Kafka files
# two at a time beside the rest). Node 20's --test does not expand globs, so find lists the files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Every bin/steadfast a test starts runs the TypeScript sources, never dist/ (see bin/steadfast).
export STEADFAST_FROM_SOURCE=1
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
exec npx --no-install c8 --reporter=text-summary --reporter=lcov --report-dir=coverage \
  --include='src/**' node scripts/run-lanes.mjs "${files[@]}"
