#!/usr/bin/env bash
# Installs and builds everything steadfast needs, skipping what is already there:
#   1. npm packages (npm ci, only when package-lock.json changed since the last install);
#   1b. the compiled library and CLI in dist/ (scripts/build.sh, only when src/ changed since);
#   2. Debian's kcat, the independent Kafka client the tests cross-check against;
#   3. librdkafka's C library, built from the source bundled in a pinned npm package,
#      cached outside the work tree (scripts/build-librdkafka.sh);
#   4. the mock-cluster helper, compiled against it (scripts/build-mock-cluster.sh);
#   5. the real-Kafka rig: Java 17 and Maven from Debian, Apache Kafka and Kafka Connect jars from
#      Maven Central (cached outside the work tree) and its control helper (scripts/build-real-kafka.sh).
# Safe to run again: a second run takes a second or two.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. npm packages, from the lock file as committed: `npm ci` never rewrites it (`npm install`
# did, adding other platforms' optional bindings, which left a fresh clone dirty;
# scripts/check-clean-setup.sh checks that it stays clean). The stamp holds the hash of
# package.json and the lock file the tree was installed from.
stamp=node_modules/.steadfast-lock-hash
lock_hash() { cat package.json package-lock.json | sha256sum | cut -d' ' -f1; }
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(lock_hash)" ]; then
  log "installing npm packages"
  # better-sqlite3 (the agent's state) is compiled here from its bundled SQLite source rather than
  # fetched prebuilt from GitHub, against the Node headers Debian installs in /usr/include/node.
  if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
  npm_config_build_from_source=true npm ci --no-audit --no-fund --loglevel=error
  lock_hash > "$stamp"
fi

# 1b. The build that bin/steadfast and `import … from 'steadfast'` run.
bash scripts/build.sh --if-stale

# 2. kcat from Debian.
if ! command -v kcat >/dev/null 2>&1; then
  log "installing kcat (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq kcat >/dev/null
fi

# 2b. Debian's Chromium, for the agent's status-page test (driven through playwright-core).
if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi

# 3 and 4. librdkafka and the helper that runs its mock cluster.
bash scripts/build-librdkafka.sh
bash scripts/build-mock-cluster.sh

# 5. Real Apache Kafka and Kafka Connect.
bash scripts/build-real-kafka.sh
