#!/usr/bin/env bash
# User CPU seconds for N Argon2id hashes in a fresh process, mean of three alternating
# runs: libargon2's opt.c built with -O3 -march=native (benches/scripts/argon2_once.c)
# against auth-argon2 with its run-time choice (argon2-once). User time counts only the
# work done on a CPU, so it moves less with the machine's load than wall time does
# (p=1 only: with p>1 both sides run threads).
#
# Usage (from the workspace root):
#   cc -O3 -march=native -pthread -std=c89 -w -I"$LIBARGON2/include" "$LIBARGON2"/src/{argon2,core,blake2/blake2b,thread,encoding,opt}.c \
#       benches/scripts/argon2_once.c -o target/argon2_once_native
#   cargo build --release -p auth-benches --bin argon2-once
#   C_ONCE=target/argon2_once_native benches/scripts/cputime-argon2.sh m=19456,t=2,p=1 ...
# ($LIBARGON2: the extras/libargon2 directory of the argon2-cffi-bindings source, as
# fetched by build-native-libargon2.sh.) Our side is ${CARGO_TARGET_DIR:-target}/release/
# argon2-once unless OURS_ONCE names another build. With TABLE=memory the rows are
# milliseconds per hash keyed by m in KiB, the table that plot-argon2-memory.py reads:
#   TABLE=memory N=20 C_ONCE=... benches/scripts/cputime-argon2.sh m=4096,t=2,p=1 m=8192,t=2,p=1 ...
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${N:-40}
ours_once="${OURS_ONCE:-${CARGO_TARGET_DIR:-target}/release/argon2-once}"
table="${TABLE:-settings}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ "$table" = memory ]; then
  echo "| m (KiB) | C native, ms per hash | ours, ms per hash | ours ÷ C |"
else
  echo "| parameters | C native, user s / $n hashes | ours, user s / $n hashes | ours ÷ C |"
fi
echo "|---|---:|---:|---:|"
for set in "$@"; do
  IFS=',' read -r m t p <<<"$set"; m=${m#m=}; t=${t#t=}; p=${p#p=}
  c=0; o=0
  for r in 1 2 3; do
    /usr/bin/time -o "$work/c" -f "%U" "$C_ONCE" "$m" "$t" "$p" "$n" >/dev/null
    /usr/bin/time -o "$work/o" -f "%U" "$ours_once" --params "$set" --count "$n" >/dev/null 2>&1
    c=$(echo "$c + $(cat "$work/c")" | bc); o=$(echo "$o + $(cat "$work/o")" | bc)
  done
  if [ "$table" = memory ]; then
    echo "| $m | $(echo "scale=2; $c*1000/(3*$n)" | bc) | $(echo "scale=2; $o*1000/(3*$n)" | bc) | $(printf '%.3f' "$(echo "scale=4; $o/$c" | bc)") |"
  else
    echo "| \`$set\` | $(echo "scale=2; $c/3" | bc) | $(echo "scale=2; $o/3" | bc) | $(echo "scale=3; $o/$c" | bc) |"
  fi
done
