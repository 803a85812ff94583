#!/usr/bin/env bash
# Compiles src/ to dist/ (what bin/steadfast and `import … from 'steadfast'` run). The stamp is taken
# before compiling and kept only when the build succeeds, so a source edited during the build still
# counts as newer than it and bin/steadfast runs the sources until the next build.
# dist/ is rebuilt from scratch, so nothing of a deleted source lingers in it.
# With --if-stale, does nothing when no file under src/ is newer than the last build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stamp=dist/.build-stamp
if [ "${1:-}" = --if-stale ] && [ -f "$stamp" ] && [ -z "$(find src tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
rm -rf dist
mkdir dist
taken=$(mktemp dist/.build-stamp.XXXXXX)
trap 'rm -f "$taken"' EXIT
npx --no-install tsc -p tsconfig.build.json
mv "$taken" "$stamp"
