#!/usr/bin/env bash
# Mutation testing, module by module (stryker.config.mjs lists them): `npm run mutate` runs all,
# `npm run mutate -- producer admin` some; a name also selects the modules named `<name>-…`
# (`producer` is producer-partitioning, producer-sequencing and producer-faults). Reports land in
# reports/mutation/<module>.html and .json; the clear-text table printed at the end of each module
# is what docs/testing.md records.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! [ -x node_modules/.bin/stryker ]; then
  echo "mutate: StrykerJS is not installed (devDependencies @stryker-mutator/core and @stryker-mutator/typescript-checker)" >&2
  exit 1
fi
read -r -a known < <(node --input-type=module -e "const { modules } = await import('./stryker.config.mjs'); console.log(Object.keys(modules).join(' '))")
modules=()
if [ "$#" -eq 0 ]; then modules=("${known[@]}"); fi
for name in "$@"; do
  matched=0
  for module in "${known[@]}"; do
    if [ "$module" = "$name" ] || [[ "$module" == "$name"-* ]]; then modules+=("$module"); matched=1; fi
  done
  if [ "$matched" -eq 0 ]; then
    echo "mutate: unknown module \"$name\" (known: ${known[*]})" >&2
    exit 1
  fi
done
for module in "${modules[@]}"; do
  echo "== mutate $module" >&2
  STEADFAST_MUTATE_MODULE="$module" npx --no-install stryker run stryker.config.mjs
done
