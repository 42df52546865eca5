#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md and writes the results under docs/benchmarks/.
# Usage (from the workspace root): benches/scripts/run-all.sh
# Needs: python3 with argon2-cffi (pip install argon2-cffi), a C compiler, wrk (apt-get
# install wrk). Takes about 15 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
out=docs/benchmarks
mkdir -p "$out"
bin="$CARGO_TARGET_DIR/release"

machine() {
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "cpu flags: $(grep -m1 -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
    echo "memory: $(free -h | awk '/^Mem:/{print $2}')"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}
machine > "$out/machine.txt"
cat "$out/machine.txt"

cargo build --release -p auth-benches --bins
cargo bench -p auth-benches --no-run

echo "== criterion: tokens, flows, hashing grid"
cargo bench -p auth-benches --bench tokens --bench flows --bench hashing
"$bin/bench-report" --out "$out" > /dev/null

echo "== our hasher vs C Argon2"
benches/scripts/build-native-libargon2.sh "$CARGO_TARGET_DIR/libargon2-native.so"
ARGON2_NATIVE_LIB="$CARGO_TARGET_DIR/libargon2-native.so" "$bin/compare-c" | tee "$out/compare-c.md"

echo "== login storm"
"$bin/login-storm" --storms 5 | tee "$out/login-storm.md"
# The same with glibc's mmap threshold fixed (no dynamic raise): every Argon2 block array
# is mapped and unmapped, which shows what the semaphore bounds (see the doc).
MALLOC_MMAP_THRESHOLD_=1048576 "$bin/login-storm" --storms 5 | tee "$out/login-storm-mmap.md"

echo "== Axum routes under wrk"
cargo bench -p auth-benches --bench axum_routes | tee "$out/axum-routes.md"

echo "== calibration"
"$bin/calibrate" --target-ms 250 --max-memory 64MiB | tee "$out/calibrate.txt"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
