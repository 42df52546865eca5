#!/usr/bin/env bash
# Instructions per Argon2id hash under callgrind (repeatable whatever the machine's load):
# the toolkit's auth-argon2 (each block implementation valgrind can run), the RustCrypto
# argon2 crate, and libargon2's optimised code (opt.c) built with -O3 -mavx2.
#
# Valgrind does not emulate AVX-512 (it hides it from CPUID), so under callgrind the
# toolkit's automatic choice is its AVX2 code, and libargon2 is built for AVX2 here
# (its -march=native build would use AVX-512 and die with SIGILL).
#
# Each side runs 1 and 5 hashes (the count is the last argument); per hash = (I(5) - I(1)) / 4, which removes start-up.
#
# Usage (from the workspace root): benches/scripts/callgrind-argon2.sh ["m=19456,t=2,p=1" ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=("m=19456,t=2,p=1")
version="${ARGON2_CFFI_BINDINGS_VERSION:-26.2.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p auth-benches --bin argon2-once
once="$CARGO_TARGET_DIR/release/argon2-once"

python3 -m pip download --quiet --no-deps --no-binary argon2-cffi-bindings \
    "argon2-cffi-bindings==${version}" -d "$work"
tar -xzf "$work"/argon2_cffi_bindings-"${version}".tar.gz -C "$work"
src="$work/argon2_cffi_bindings-${version}/extras/libargon2"
cc -O3 -mavx2 -pthread -std=c89 -w -I"$src/include" \
    "$src/src/argon2.c" "$src/src/core.c" "$src/src/blake2/blake2b.c" \
    "$src/src/thread.c" "$src/src/encoding.c" "$src/src/opt.c" \
    benches/scripts/argon2_once.c -o "$work/argon2_once"

# Total instructions (Ir) of one callgrind run of "$@".
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" >/dev/null 2>"$work/cg.err"
    grep -E '^summary:|^totals:' "$work/cg.out" | head -1 | awk '{print $2}'
}

per_hash() {
    local one five
    one=$(instructions "$@" 1)
    five=$(instructions "$@" 5)
    echo $(((five - one) / 4))
}

echo "| parameters | implementation | instructions per hash |"
echo "|---|---|---:|"
for set in "${sets[@]}"; do
    IFS=',' read -r m t p <<<"$set"
    m=${m#m=}; t=${t#t=}; p=${p#p=}
    for imp in avx2 portable; do
        n=$(per_hash "$once" --side ours --implementation "$imp" --params "$set" --count)
        echo "| \`$set\` | ours (auth-argon2, $imp) | $n |"
    done
    n=$(per_hash "$once" --side crate --params "$set" --count)
    echo "| \`$set\` | argon2 crate 0.6 | $n |"
    n=$(per_hash "$work/argon2_once" "$m" "$t" "$p")
    echo "| \`$set\` | libargon2 opt.c, -O3 -mavx2 | $n |"
done
