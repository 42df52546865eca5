#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md and writes the results under docs/benchmarks/.
# Usage (from the workspace root): benches/scripts/run-all.sh
# Needs: python3 with argon2-cffi (pip install argon2-cffi), a C compiler, wrk (apt-get
# install wrk); valgrind for the profile (skipped without it). Takes about 15 minutes on a 2-core machine. The side-by-side comparisons
# (robust to noise) run first, the absolute timings last.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
out=docs/benchmarks
mkdir -p "$out"
bin="$CARGO_TARGET_DIR/release"
# glibc's malloc serves the Argon2 block array from its heap (memory already paged in) or
# from a fresh mapping (page faults on every hash), depending on a threshold it raises by
# itself up to 32 MiB. The main runs use the default allocator, as an application would;
# the "cold" runs fix the threshold so that every hash maps fresh memory. See
# docs/benchmarks.md, "Memory and the allocator".
cold=(env MALLOC_MMAP_THRESHOLD_=1048576)

machine() {
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "cpu flags: $(grep -m1 -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
    echo "caches: $(lscpu | grep -E '^L[23] cache' | tr -s ' ' | tr '\n' ';')"
    echo "memory: $(free -h | awk '/^Mem:/{print $2}')"
    echo "kernel: $(uname -r)"
    echo "rustc: $(rustc --version)"
}
machine > "$out/machine.txt"
cargo build --release -p auth-benches --bins
cargo bench -p auth-benches --no-run
benches/scripts/build-native-libargon2.sh "$CARGO_TARGET_DIR/libargon2-native.so"
# What paging in fresh memory costs here (the price of a "cold" hash): map 19 MiB and
# touch every 4 KiB page, best of 5.
python3 - >> "$out/machine.txt" <<'PY'
import mmap, time
n = 19 * 1024 * 1024
times = []
for _ in range(5):
    start = time.perf_counter()
    m = mmap.mmap(-1, n)
    for offset in range(0, n, 4096):
        m[offset] = 1
    times.append(time.perf_counter() - start)
    m.close()
best = min(times)
print(f"paging in 19 MiB of fresh memory: {best * 1e3:.1f} ms "
      f"({best / (n / 4096) * 1e6:.2f} us per 4 KiB page, best of 5)")
PY
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
# The machine is shared: record the load as each step starts, to read its numbers by.
load() { echo "load average at $(date -u +%H:%MZ) before $1: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"; }

echo "== our hasher vs C Argon2"
load compare-c
export ARGON2_NATIVE_LIB="$CARGO_TARGET_DIR/libargon2-native.so"
"$bin/compare-c" | tee "$out/compare-c.md"
"${cold[@]}" "$bin/compare-c" --params "m=19456,t=2,p=1;m=65536,t=1,p=1" --impls native,cffi \
    --rounds 6 | tee "$out/compare-c-cold.md"

echo "== the same, our side compiled for this CPU (-C target-cpu=native)"
RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR="$CARGO_TARGET_DIR/native" \
    cargo build --release -p auth-benches --bin compare-c
load compare-c-target-cpu-native
"$CARGO_TARGET_DIR/native/release/compare-c" --params "m=19456,t=2,p=1;m=65536,t=1,p=1" \
    --impls native,cffi --rounds 6 | tee "$out/compare-c-target-cpu-native.md"

echo "== routes of every framework adapter, auth against no auth, under wrk"
load routes-wrk
cargo bench -p auth-benches --bench routes_wrk | tee "$out/routes-wrk.md"

if command -v valgrind > /dev/null; then
    echo "== where the per-request cost of auth goes (callgrind, Axum)"
    benches/scripts/profile-route.sh axum | tee "$out/profile-axum-route.md"
fi

echo "== login storm"
load login-storm
"$bin/login-storm" --storms 5 | tee "$out/login-storm.md"
"${cold[@]}" "$bin/login-storm" --storms 5 | tee "$out/login-storm-cold.md"

echo "== criterion: per-request cost of each adapter (in-process), tokens, flows, hashing grid"
load routes
cargo bench -p auth-benches --bench routes
load tokens-flows
cargo bench -p auth-benches --bench tokens --bench flows
load hashing
cargo bench -p auth-benches --bench hashing
"$bin/bench-report" --out "$out" > /dev/null

echo "== calibration"
load calibrate
"$bin/calibrate" --target-ms 250 --max-memory 64MiB | tee "$out/calibrate.txt"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
