#!/bin/sh
# Side by side: `siir seed` at another commit (default: main) and at the working tree, alternating
# ROUNDS times on the same server, so machine load hits both alike. Prints each SeedReport.
#
#   bench/seed/compare_seed.sh [commit] [count] [rounds]
#
# The other commit is exported with `git archive` to a temporary folder and run with this
# checkout's .venv; each run uses its own throwaway database (dropped afterwards).
set -eu
commit=${1:-main}
count=${2:-100000}
rounds=${3:-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
other=$(mktemp -d)
trap 'rm -rf "$other"' EXIT
git -C "$here" archive "$commit" | tar -x -C "$other"
round=1
while [ "$round" -le "$rounds" ]; do
  (cd "$other" && PYTHONPATH="$other" "$here/.venv/bin/python" bench/seed/run_seed.py --count "$count" --seed 1 \
      --database siir_seed_compare_other --drop | grep '^SeedReport' | sed "s/^/$commit, round $round: /")
  (cd "$here" && .venv/bin/python bench/seed/run_seed.py --count "$count" --seed 1 \
      --database siir_seed_compare_this --drop | grep '^SeedReport' | sed "s/^/working tree, round $round: /")
  uptime
  round=$((round + 1))
done
