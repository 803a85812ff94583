#!/usr/bin/env bash
# The set-up leaves a fresh clone as it found it: clones the committed HEAD into a temporary
# directory, runs the README's set-up there (npm ci from the lock file as committed, the build, the
# rigs; the caches outside the tree make the later steps quick) and fails if `git status
# --porcelain` then lists anything (a rewritten package-lock.json, an untracked build output).
# Slow (a full npm ci), so .ci/run runs it after the tests rather than npm test.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
clone=$(mktemp -d "${TMPDIR:-/tmp}/steadfast-clean-setup.XXXXXX")
trap 'rm -rf "$clone"' EXIT
git clone --quiet --no-hardlinks "$root" "$clone"
git -C "$clone" checkout --quiet "$(git -C "$root" rev-parse HEAD)"
# A tracked node_modules (a worktree's symlink to a shared one, committed by mistake) would point
# npm ci at that shared tree, which it empties: refuse before installing.
if [ -n "$(git -C "$clone" ls-files node_modules)" ]; then
  echo "[clean-setup] node_modules is tracked in git; untrack it first (npm ci would empty what it points to)" >&2
  exit 1
fi
(cd "$clone" && bash scripts/setup.sh)
dirty=$(git -C "$clone" status --porcelain)
if [ -n "$dirty" ]; then
  echo "[clean-setup] the set-up changed a fresh clone:" >&2
  echo "$dirty" >&2
  git -C "$clone" diff --stat >&2
  exit 1
fi
echo "[clean-setup] a fresh clone is clean after the set-up" >&2
