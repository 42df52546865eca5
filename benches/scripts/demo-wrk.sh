#!/usr/bin/env bash
# The demo's authenticated page against its public page, served by the same process and
# loaded in turn with wrk: `GET /dashboard` with a session cookie (the per-request session
# lookup through the store) against `GET /auth/login` without one (the public sign-in
# page), for one or more builds of a demo side by side in the same run, so that their
# figures share the machine's load. Prints one line per (round, build, page) and, per
# build, the ratio dashboard ÷ login of each round; `uptime` before and after.
#
# Usage (from the workspace root):
#   DEMOS="before=/tmp/axum-demo-before after=target/release/axum-demo" \
#   benches/scripts/demo-wrk.sh [STORE ARGS...]
# With no store arguments every build gets a new SQLite file (the demo's default store);
# `--database-url postgres://... --redis-url redis://...` shares those servers (each
# build signs in its own account). Environment: ROUNDS (3), SECONDS (5), THREADS (2),
# CONNECTIONS (32), PORT (first port, 38100). Needs wrk and curl.
set -euo pipefail
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-5}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-32}"
port="${PORT:-38100}"
password="correct horse battery staple"
[ -n "${DEMOS:-}" ] || { echo "set DEMOS=\"label=binary ...\"" >&2; exit 2; }
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

declare -A addr cookie
labels=()
n=0
for spec in $DEMOS; do
    label="${spec%%=*}"
    bin="${spec#*=}"
    labels+=("$label")
    dir="$work/$label"
    mkdir -p "$dir"
    args=("$@")
    [ ${#args[@]} -gt 0 ] || args=(--database-url "sqlite://$dir/demo.db")
    args+=(--mail-dir "$dir/mail")
    a="127.0.0.1:$((port + n))"
    n=$((n + 1))
    email="bench-$label-$$@example.com"
    "$bin" "${args[@]}" create-user --email "$email" --password "$password" --verified \
        > "$dir/create.log" 2>&1
    "$bin" "${args[@]}" --addr "$a" > "$dir/demo.log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 1 100); do
        grep -q "listening on" "$dir/demo.log" && break
        sleep 0.1
    done
    grep -q "listening on" "$dir/demo.log" || { cat "$dir/demo.log" >&2; exit 1; }
    set_cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
        -d "{\"login\":\"$email\",\"password\":\"$password\"}" "http://$a/auth/api/login" |
        tr -d '\r' | grep -i '^set-cookie:' | sed 's/^[^:]*: *//; s/;.*//' | paste -sd';' -)
    [ -n "$set_cookie" ] || { echo "$label: sign-in failed" >&2; exit 1; }
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $set_cookie" "http://$a/dashboard")
    [ "$status" = 200 ] || { echo "$label: /dashboard answered $status" >&2; exit 1; }
    status=$(curl -s -o /dev/null -w '%{http_code}' "http://$a/dashboard")
    [ "$status" != 200 ] || { echo "$label: /dashboard served without a session" >&2; exit 1; }
    addr[$label]="$a"
    cookie[$label]="$set_cookie"
done

# One wrk run; prints requests/s, fails on any non-2xx answer or socket error.
load() {
    local url="$1"
    shift
    local out
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" "$@" "$url")
    if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
        echo "$out" >&2
        return 1
    fi
    awk '/^Requests\/sec/ {print $2}' <<<"$out"
}

echo "uptime before: $(uptime)"
echo "wrk -t$threads -c$connections -d${seconds}s, $rounds rounds"
declare -A ratios
for r in $(seq 1 "$rounds"); do
    # Rotate the order of the builds every round, and alternate the pages.
    order=("${labels[@]:$(( (r - 1) % ${#labels[@]} ))}" "${labels[@]:0:$(( (r - 1) % ${#labels[@]} ))}")
    for label in "${order[@]}"; do
        a="${addr[$label]}"
        if (( r % 2 )); then
            login=$(load "http://$a/auth/login")
            dash=$(load "http://$a/dashboard" -H "Cookie: ${cookie[$label]}")
        else
            dash=$(load "http://$a/dashboard" -H "Cookie: ${cookie[$label]}")
            login=$(load "http://$a/auth/login")
        fi
        ratio=$(awk -v d="$dash" -v l="$login" 'BEGIN {printf "%.3f", d / l}')
        ratios[$label]="${ratios[$label]:-}${ratios[$label]:+, }$ratio"
        echo "round $r $label: /auth/login $login req/s, /dashboard $dash req/s, ratio $ratio ($(uptime | sed 's/.*load/load/'))"
    done
done
echo "uptime after: $(uptime)"
for label in "${labels[@]}"; do
    echo "$label: dashboard ÷ login per round: ${ratios[$label]}"
done
