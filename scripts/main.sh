#!/usr/bin/env bash
# The README's main-job command: set up whatever is missing, then run the main job.
# Until the agent exists, the main job is a 3-broker test cluster in the foreground.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec bin/steadfast testkit cluster --brokers 3 --topic steadfast-demo:3:3 "$@"
