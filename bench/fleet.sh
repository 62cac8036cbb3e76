#!/usr/bin/env bash
# Benchmark (not a test): fleet runs at rack scale. SWITCHES simulated DLI switches (8 outlets
# each, LATENCY ms per request, one request at a time each, in one simulator process), one node
# per outlet. Measures `powerplug power on --all` and `off --all` (wall time, peak RSS) against
# the physical floor — each switch serves its 8 nodes one after another, so the floor is
# 8 x (requests per node) x LATENCY — and beside a naive baseline in the same run: xargs -P 32 of
# single `powerplug power --node` calls. Counts requests that arrived at a busy switch.
# Targets (issue 10): <= 1.5x the floor, zero overlaps, peak RSS < 50 MB.
# Usage: bench/fleet.sh [SWITCHES] [LATENCY_MS] (default 128 and 20).
set -euo pipefail
cd "$(dirname "$0")/.."
SWITCHES="${1:-128}"; LATENCY="${2:-20}"
cargo build --release --workspace --quiet
PP="$PWD/target/release/powerplug"
WORK=$(mktemp -d)
SIM=""
cleanup() {
    if [ -n "$SIM" ]; then kill "$SIM" 2>/dev/null || true; wait "$SIM" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
"$PP" simulate dli --switches "$SWITCHES" --port 0 --serial --latency "$LATENCY" > "$WORK/sim.out" 2>&1 & SIM=$!
for _ in $(seq 100); do grep -q "DLI switches" "$WORK/sim.out" 2>/dev/null && break; sleep 0.1; done
printf '1234\n' > "$WORK/pass"; chmod 600 "$WORK/pass"
awk -v pass="$WORK/pass" '/^switch [0-9]+ http:\/\// {
    sub("http://", "", $3)
    printf "[device.s%d]\ndriver = \"dli\"\npower_address = \"%s\"\npower_pass_file = \"%s\"\nprotocol = \"legacy\"\n\n", $2, $3, pass
    for (o = 1; o <= 8; o++) printf "[node.s%dn%d]\ndevice = \"s%d\"\noutlet_id = %d\n\n", $2, o, $2, o
}' "$WORK/sim.out" > "$WORK/inventory.toml"
NODES=$(grep -c '^\[node\.' "$WORK/inventory.toml")
served() { sleep 1.2; awk '/^served/ {s=$2; o=$4} END {print s+0, o+0}' "$WORK/sim.out"; }
read -r base_req base_ov < <(served)
run() { # label, command...
    local label=$1; shift
    local before_req before_ov after_req after_ov
    read -r before_req before_ov < <(served)
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/run.out" 2> "$WORK/run.err" || true
    read -r after_req after_ov < <(served)
    read -r secs rss < "$WORK/time"
    local reqs=$((after_req - before_req)) ov=$((after_ov - before_ov))
    local per_node; per_node=$(python3 -c "print(f'{$reqs / $NODES:.2f}')")
    local floor; floor=$(python3 -c "print(8 * $reqs / $NODES * $LATENCY / 1000)")
    printf '%-48s %7.2f s  floor %5.2f s  %5.2fx  %5.2f req/node  overlaps %-5d peak RSS %6.1f MB\n' \
        "$label" "$secs" "$floor" "$(python3 -c "print($secs / $floor)")" "$per_node" "$ov" "$(python3 -c "print($rss / 1024)")"
    echo "$secs $floor $ov $rss" > "$WORK/last"
}
echo "$NODES nodes on $SWITCHES switches, ${LATENCY} ms per request, one request at a time per switch"
run "powerplug power on --all" "$PP" --inventory "$WORK/inventory.toml" power on --all -q
read -r on_s on_floor on_ov on_rss < "$WORK/last"
run "powerplug power off --all" "$PP" --inventory "$WORK/inventory.toml" power off --all -q
read -r off_s off_floor off_ov off_rss < "$WORK/last"
grep -o '^\[node\.[^]]*' "$WORK/inventory.toml" | cut -d. -f2 > "$WORK/nodes"
run "naive: xargs -P 32 powerplug power on --node" \
    xargs -P 32 -I{} "$PP" --inventory "$WORK/inventory.toml" power on --node {} -q < "$WORK/nodes"
python3 - "$on_s" "$on_floor" "$on_ov" "$on_rss" "$off_s" "$off_floor" "$off_ov" "$off_rss" <<'PY'
import sys
on_s, on_f, on_ov, on_rss, off_s, off_f, off_ov, off_rss = map(float, sys.argv[1:])
for name, s, f in (("on --all", on_s, on_f), ("off --all", off_s, off_f)):
    print(f"{'MET ' if s <= 1.5 * f else 'MISS'} {name}: {s / f:.2f}x the floor (target <= 1.5x)")
print(f"{'MET ' if on_ov + off_ov == 0 else 'MISS'} overlaps in fleet runs: {int(on_ov + off_ov)} (target 0)")
rss = max(on_rss, off_rss) / 1024
print(f"{'MET ' if rss < 50 else 'MISS'} peak RSS {rss:.1f} MB (target < 50 MB)")
PY
