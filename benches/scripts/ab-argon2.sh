#!/usr/bin/env bash
# Two builds of argon2-once (e.g. before and after a change to auth-argon2), alternating in
# fresh processes: user CPU seconds for N hashes (sum over ROUNDS runs) and the fastest
# single hash seen, per parameter set. User time counts memory stalls but not the time a
# process waits for a core, so it moves less with the machine's load than wall time.
#
# Usage (from the workspace root):
#   git stash / checkout the old auth-argon2; cargo build --release -p auth-benches --bin argon2-once
#   cp target/release/argon2-once target/argon2-once-before; back to the new code; build again
#   benches/scripts/ab-argon2.sh target/argon2-once-before target/release/argon2-once m=19456,t=2,p=1 ...
# Environment: N (hashes per process, default 20), ROUNDS (default 5).
set -euo pipefail
before=$1 after=$2
shift 2
n=${N:-20}
rounds=${ROUNDS:-5}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "| parameters | before, user s | after, user s | after ÷ before (user) | before, fastest hash | after, fastest hash | after ÷ before (fastest) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for set in "$@"; do
  ub=0; ua=0; fb=1000000; fa=1000000
  for r in $(seq "$rounds"); do
    for side in b a; do
      bin=$before; [ "$side" = a ] && bin=$after
      /usr/bin/time -o "$work/t" -f "%U" "$bin" --params "$set" --count "$n" --time >/dev/null 2>"$work/e"
      u=$(tail -1 "$work/t"); f=$(sed -n 's/.*fastest \([0-9.]*\) ms.*/\1/p' "$work/e")
      if [ "$side" = b ]; then
        ub=$(echo "$ub + $u" | bc); fb=$(awk -v a="$f" -v b="$fb" 'BEGIN { print (a < b ? a : b) }')
      else
        ua=$(echo "$ua + $u" | bc); fa=$(awk -v a="$f" -v b="$fa" 'BEGIN { print (a < b ? a : b) }')
      fi
    done
  done
  echo "| \`$set\` | $ub | $ua | $(echo "scale=3; $ua/$ub" | bc) | $fb ms | $fa ms | $(echo "scale=3; $fa/$fb" | bc) |"
done
