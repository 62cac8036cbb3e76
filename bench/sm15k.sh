#!/usr/bin/env bash
# Benchmark (not a test): the wall time of `powerplug power on sm15k` (release) beside the same
# OEM raw command run directly with ipmitool -E, against the same pyghmi BMC simulator, in one
# run. Target (issue 4): powerplug <= 1.1x ipmitool's median. Usage: bench/sm15k.sh [RUNS] (30).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-30}"
cargo build --release --workspace --quiet
python3 - "$RUNS" <<'PY'
import os, socket, statistics, subprocess, sys, time
sys.path.insert(0, "bench")
from timing import measure, report
runs = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
sim = subprocess.Popen(["target/release/powerplug", "simulate", "sm15k", "--port", str(port)], stdout=subprocess.PIPE)
try:
    sim.stdout.readline()
    env = dict(os.environ, IPMI_PASSWORD="admin", POWERPLUG_POWER_PASS="admin")
    raw = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", "admin", "-E", "-L", "OPERATOR",
           "-C", "3", "raw", "0x2E", "1", "0x00", "0x7d", "0xab", "1", "0", "12"]
    pp = ["target/release/powerplug", "power", "on", "sm15k", "-p", f"power_address=127.0.0.1:{port}", "-p", "system_id=12"]
    print(f"{runs} runs each against the pyghmi BMC on udp 127.0.0.1:{port}")
    rows = [("ipmitool -E raw 0x2E ... (direct)", *measure(raw, runs, env)), ("powerplug power on sm15k", *measure(pp, runs, env))]
    report(rows, rows[0][0])
    r = statistics.median(rows[1][1]) / statistics.median(rows[0][1])
    print(f"{'MET ' if r <= 1.1 else 'MISS'} powerplug <= 1.1x ipmitool: {r:.2f}x")
finally:
    sim.terminate()
PY
