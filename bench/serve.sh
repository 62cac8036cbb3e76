#!/usr/bin/env bash
# Benchmark (not a test): `powerplug serve` beside maaspower 1.0.0 (PyPI, in a throw-away venv)
# fronting the same trivial device — a command device whose on/off run /bin/true and whose
# query runs `echo running` — driven by wrk (16 connections, DURATION seconds) on the status
# URL and on the on URL; then `powerplug serve` fronting the DLI simulator (status URL).
# Reports requests/s, p50/p99 latency, peak RSS of each server, and the ratios.
# Targets (issue 9): >= 5x maaspower's throughput on the same device; DLI simulator status
# p99 <= 5 ms; bridge RSS < 30 MB after the runs.
# Usage: bench/serve.sh [DURATION] (default 10). Needs wrk and python3-venv (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --workspace --quiet
WORK=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check maaspower==1.0.0
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
# Credentials reach wrk in its Lua scripts, not on its command line.
AUTH_LUA="wrk.headers[\"Authorization\"] = \"Basic $(printf 'maas:bench-pass' | base64)\""
printf '%s\n' "$AUTH_LUA" > "$WORK/get.lua"
printf '%s\nwrk.method = "POST"\nwrk.headers["Content-Length"] = "0"\n' "$AUTH_LUA" > "$WORK/post.lua"
run_wrk() { # name url [post]
    local script="$WORK/get.lua"; [ "${3:-}" = post ] && script="$WORK/post.lua"
    local out; out=$(wrk -t2 -c16 -d"${DURATION}s" --latency -s "$script" "$2")
    local rps p50 p99 non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    printf '%-44s %10s req/s  p50 %8s  p99 %8s  non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "$non2xx"
    echo "$rps" > "$WORK/rps.$(tr -c 'a-z0-9' _ <<<"$1")"
    echo "$p99" > "$WORK/p99.$(tr -c 'a-z0-9' _ <<<"$1")"
}
rps_of() { cat "$WORK/rps.$(tr -c 'a-z0-9' _ <<<"$1")"; }

# maaspower
MP=$(free_port)
cat > "$WORK/maaspower.yaml" <<YAML
name: bench
ip_address: 127.0.0.1
port: $MP
username: maas
password: bench-pass
devices:
  - type: CommandLine
    name: dev1
    on: /bin/true
    off: /bin/true
    query: echo running
    query_on_regex: running
    query_off_regex: stopped
YAML
"$WORK/venv/bin/maaspower" run "$WORK/maaspower.yaml" >/dev/null 2>&1 & pids+=($!); MPID=$!
wait_port "$MP"

# powerplug serve on the same device
PS=$(free_port)
cat > "$WORK/inventory.toml" <<TOML
[node.dev1]
driver = "command"
on_command = ["/bin/true"]
off_command = ["/bin/true"]
query_command = ["echo", "running"]
query_on_regex = "running"
query_off_regex = "stopped"
TOML
printf 'maas:bench-pass\n' > "$WORK/basic"; chmod 600 "$WORK/basic"
target/release/powerplug --inventory "$WORK/inventory.toml" serve --listen "127.0.0.1:$PS" --basic-file "$WORK/basic" -q >/dev/null 2>&1 & pids+=($!); PPID_=$!
wait_port "$PS"

echo "wrk: 16 connections, 2 threads, ${DURATION} s per row; trivial command device"
run_wrk "maaspower status (echo running)" "http://127.0.0.1:$MP/maaspower/dev1/query"
run_wrk "powerplug serve status (echo running)" "http://127.0.0.1:$PS/v1/nodes/dev1/status"
run_wrk "maaspower on (/bin/true)" "http://127.0.0.1:$MP/maaspower/dev1/on" post
run_wrk "powerplug serve on (/bin/true)" "http://127.0.0.1:$PS/v1/nodes/dev1/on" post
MP_RSS=$(peak_rss_kb "$MPID"); PP_RSS=$(peak_rss_kb "$PPID_")

# powerplug serve on the DLI simulator
DS=$(free_port); DP=$(free_port)
target/release/powerplug simulate dli --port "$DS" >/dev/null 2>&1 & pids+=($!)
wait_port "$DS"
cat > "$WORK/dli.toml" <<TOML
[device.rack1]
driver = "dli"
power_address = "127.0.0.1:$DS"
power_pass_env = "BENCH_DLI_PASS"
protocol = "legacy"

[node.desk1]
device = "rack1"
outlet_id = 3
TOML
BENCH_DLI_PASS=1234 target/release/powerplug --inventory "$WORK/dli.toml" serve --listen "127.0.0.1:$DP" --basic-file "$WORK/basic" -q >/dev/null 2>&1 & pids+=($!); DPID=$!
wait_port "$DP"
run_wrk "powerplug serve status (DLI simulator)" "http://127.0.0.1:$DP/v1/nodes/desk1/status"
DLI_RSS_NOW=$(awk '/VmRSS/ {print $2}' "/proc/$DPID/status")
WORKERS_KB=0
for w in $(pgrep -P "$DPID") $(pgrep -P "$PPID_"); do WORKERS_KB=$((WORKERS_KB + $(awk '/VmRSS/ {print $2}' "/proc/$w/status"))); done
PP_RSS_NOW=$(awk '/VmRSS/ {print $2}' "/proc/$PPID_/status")

echo
printf 'peak RSS: maaspower %d KB, powerplug serve %d KB (now %d KB; DLI bridge now %d KB); plugin worker processes %d KB in all\n' \
    "$MP_RSS" "$PP_RSS" "$PP_RSS_NOW" "$DLI_RSS_NOW" "$WORKERS_KB"
python3 - "$(rps_of "maaspower status (echo running)")" "$(rps_of "powerplug serve status (echo running)")" \
    "$(rps_of "maaspower on (/bin/true)")" "$(rps_of "powerplug serve on (/bin/true)")" "$PP_RSS_NOW" \
    "$(cat "$WORK/p99.$(tr -c 'a-z0-9' _ <<<"powerplug serve status (DLI simulator)")")" <<'PY'
import re, sys
ms, ps, mo, po, rss = map(float, sys.argv[1:6])
m = re.fullmatch(r"([0-9.]+)(us|ms|s)", sys.argv[6])
p99_ms = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("inf")
print(f"{'MET ' if p99_ms <= 5 else 'MISS'} DLI simulator status p99 {p99_ms:.2f} ms (target <= 5 ms)")
for name, m, p in (("status", ms, ps), ("on", mo, po)):
    r = p / m if m else float("inf")
    print(f"{'MET ' if r >= 5 else 'MISS'} {name}: powerplug serve {r:.1f}x maaspower's throughput (target >= 5x)")
print(f"{'MET ' if rss < 30 * 1024 else 'MISS'} bridge RSS after the runs {rss / 1024:.1f} MB (target < 30 MB)")
PY
echo "(status and on: identical concurrent requests for one node join one driver call, by design)"
