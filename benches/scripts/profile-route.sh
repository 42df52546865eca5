#!/usr/bin/env bash
# Where the per-request cost of authentication goes: runs the in-process route bench for
# one framework (default axum) under callgrind, with and without auth, counting
# instructions only inside the bench's request call, and prints the instructions per
# request of every function whose inclusive count differs by at least 100 between the
# two (auth minus no-auth first). Instruction counts barely depend on the machine's load;
# they are not times (a cache miss counts as one instruction). What glibc's allocator
# costs varies between runs with its state (by up to thousands per request), so the count
# outside it, which repeats to within a few instructions, is printed too.
# Caveat: valgrind hides SHA-NI from the CPUID it reports, so sha2 takes its portable
# path and the SHA-256 digest of the session id costs far more here than natively.
#
# Usage (from the workspace root): benches/scripts/profile-route.sh [axum|poem|rocket]
# Needs: valgrind. Honours CARGO_TARGET_DIR. ROUTES_BENCH=<a built `routes` bench
# executable> profiles that build instead of building this tree's (to compare before and
# after a change: copy the executable of the older build aside first).
set -euo pipefail
cd "$(dirname "$0")/../.."
framework="${1:-axum}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
bench="${ROUTES_BENCH:-}"
[ -n "$bench" ] || bench=$(cargo bench -p auth-benches --bench routes --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "routes" and m.get("executable"):
        print(m["executable"])')
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for side in auth no_auth; do
    valgrind --tool=callgrind --callgrind-out-file="$work/$side" \
        --toggle-collect="*${framework}_call*" \
        "$bench" --bench --profile-time 3 "routes/$framework/$side\$" > "$work/$side.log" 2>&1
done
python3 - "$work" "$framework" <<'PY'
import re, subprocess, sys
work, framework = sys.argv[1], sys.argv[2]

def calls_of(path, pattern):
    """How many times a function whose name contains `pattern` was called."""
    names, total, cfn, pending = {}, 0, None, None
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            kind, i, name = m.groups()
            if name:
                names[i] = name
            if kind == "cfn":
                cfn = names.get(i, i)
            continue
        m = re.match(r"^calls=(\d+)", line)
        if m and cfn and pattern in cfn and not cfn.startswith("core::ptr::drop_in_place"):
            total += int(m.group(1))
    return total

def per_request(side):
    path = f"{work}/{side}"
    n = calls_of(path, f"routes::{framework}_call::{{{{closure}}}}")
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99.99", path],
                         capture_output=True, text=True, check=True).stdout
    costs = {}
    for line in out.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?)(\s+\[.*\])?$", line)
        if m:
            name = m.group(2).removeprefix("???:")
            costs[name] = max(costs.get(name, 0), int(m.group(1).replace(",", "")) / n)
    return n, costs

n_auth, auth = per_request("auth")
n_none, none = per_request("no_auth")
key = f"routes::{framework}_call::{{{{closure}}}}"
print(f"{framework}: instructions per request (callgrind, inclusive), {n_auth} requests with auth, {n_none} without")
print()
print(f"- with auth: {auth[key]:.0f}")
print(f"- without auth: {none[key]:.0f}")
print(f"- auth adds: {auth[key] - none[key]:.0f} ({auth[key] / none[key]:.2f}x)")
# glibc's malloc costs a request a different number of instructions from run to run (its
# free lists' state: `_int_malloc`, `malloc_consolidate`), by up to thousands; the rest
# repeats to within a few instructions, so it is the figure to compare builds by.
heap = ("__rustc::__rust_alloc", "__rustc::__rust_dealloc", "__rustc::__rust_realloc")
in_heap = sum(auth.get(h, 0) - none.get(h, 0) for h in heap)
print(f"- auth adds outside the allocator: {auth[key] - none[key] - in_heap:.0f} "
      f"(the allocator: {in_heap:.0f})")
print()
print("| auth − no-auth | with auth | without | function |")
print("|---:|---:|---:|---|")
skip = ("criterion", "main", "std::", "tokio::runtime", "PROGRAM TOTALS", "(below main)", "0x0", "./csu",
        "alloca", "routes::")
rows = sorted(((auth.get(k, 0) - none.get(k, 0), k) for k in set(auth) | set(none)), reverse=True)
for delta, name in rows:
    if abs(delta) >= 100 and not any(s in name for s in skip):
        print(f"| {delta:.0f} | {auth.get(name, 0):.0f} | {none.get(name, 0):.0f} | `{name[:120]}` |")
PY
