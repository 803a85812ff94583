#!/usr/bin/env bash
# Mutation testing, module by module (stryker.config.mjs lists them): `npm run mutate` runs all,
# `npm run mutate -- producer admin` some. Reports land in reports/mutation/<module>.html and
# .json; the clear-text table printed at the end of each module is what docs/testing.md records.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! [ -x node_modules/.bin/stryker ]; then
  echo "mutate: StrykerJS is not installed (devDependencies @stryker-mutator/core and @stryker-mutator/typescript-checker)" >&2
  exit 1
fi
if [ "$#" -gt 0 ]; then modules=("$@"); else modules=(resilience producer rest admin connect cruise-control); fi
for module in "${modules[@]}"; do
  echo "== mutate $module" >&2
  STEADFAST_MUTATE_MODULE="$module" npx --no-install stryker run stryker.config.mjs
done
