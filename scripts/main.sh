#!/usr/bin/env bash
# The README's main-job command: set up whatever is missing, then run the agent on the sandbox
# (mock cluster, Kafka Connect simulator, Cruise Control simulator, example manifests) in the
# foreground. The mock engine is used until the real one (Kafka and Connect JVMs) is wired.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec bin/steadfast sandbox --engine mock "$@"
