#!/usr/bin/env bash
# Builds the reference C implementation of Argon2 (libargon2, the PHC winner's code) with
# its optimised code path (opt.c) for this CPU (-O3 -march=native: AVX-512/AVX2 where the
# CPU has them), as a shared library that benches/scripts/argon2_worker.py loads in-process.
#
# The source is the copy bundled in argon2-cffi-bindings' source distribution on PyPI
# (the same code that argon2-cffi's wheels ship, there compiled for plain SSE2).
#
# Usage: benches/scripts/build-native-libargon2.sh [OUTPUT.so]
# Default output: ${CARGO_TARGET_DIR:-target}/libargon2-native.so
set -euo pipefail

out="${1:-${CARGO_TARGET_DIR:-target}/libargon2-native.so}"
version="${ARGON2_CFFI_BINDINGS_VERSION:-26.2.0}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --no-binary argon2-cffi-bindings \
    "argon2-cffi-bindings==${version}" -d "$work"
tar -xzf "$work"/argon2_cffi_bindings-"${version}".tar.gz -C "$work"
src="$work/argon2_cffi_bindings-${version}/extras/libargon2"

mkdir -p "$(dirname "$out")"
cc -O3 -march=native -fPIC -shared -pthread -std=c89 -w \
    -I"$src/include" \
    "$src/src/argon2.c" "$src/src/core.c" "$src/src/blake2/blake2b.c" \
    "$src/src/thread.c" "$src/src/encoding.c" "$src/src/opt.c" \
    -o "$out"
echo "built $out from argon2-cffi-bindings ${version} (opt.c, -O3 -march=native)"
