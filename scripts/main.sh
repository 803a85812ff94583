#!/usr/bin/env bash
# The README's main-job command: set up whatever is missing, then run the agent on the sandbox
# in the foreground: real Apache Kafka and Kafka Connect (JVMs, since the set-up installs Java),
# a Cruise Control simulator and example manifests. `npm start -- --engine mock` runs it on the
# mock cluster and the Connect simulator instead (a second to start).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec bin/steadfast sandbox "$@"
