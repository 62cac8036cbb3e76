#!/usr/bin/env bash
# Benchmark (not a test): one outlet change against the same DLI simulator, side by side in one
# run: `powerplug power on dli` (release, legacy interface: command + read-back), a bare
# `wget --auth-no-challenge` of the same legacy URL (the MAAS template's command, no read-back),
# and the python-dlipower CLI. Targets (issue 3): powerplug <= 1.2x wget's median; >= 10x faster
# than dlipower. Usage: bench/dli.sh [RUNS] (default 30). Needs wget, dlipower (pip), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-30}"
cargo build --release --workspace --quiet
python3 - "$RUNS" <<'PY'
import os, socket, statistics, subprocess, sys, time
sys.path.insert(0, "bench")
from timing import measure, report
runs = int(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
sim = subprocess.Popen(["target/release/powerplug", "simulate", "dli", "--port", str(port)], stdout=subprocess.DEVNULL)
s2 = socket.socket(); s2.bind(("127.0.0.1", 0)); split_port = s2.getsockname()[1]; s2.close()
# Like Python's http.server: kept-alive connections, headers and body in separate segments.
split = subprocess.Popen(["target/release/powerplug", "simulate", "dli", "--port", str(split_port), "--split-writes"], stdout=subprocess.DEVNULL)
try:
    time.sleep(0.5)
    addr = f"127.0.0.1:{port}"
    env = dict(os.environ, POWERPLUG_POWER_PASS="1234")
    pp = ["target/release/powerplug", "power", "on", "dli", "-p", f"power_address={addr}", "-p", "outlet_id=3", "-p", "protocol=legacy"]
    pp_auto = pp[:-2]
    wget = ["wget", "-q", "--auth-no-challenge", "-O", "/dev/null", f"http://admin:1234@{addr}/outlet?3=ON"]
    dli = ["dlipower", "--hostname", addr, "--user", "admin", "--password", "1234", "on", "3"]
    print(f"{runs} runs each against the simulator on {addr}")
    rows = [("wget --auth-no-challenge (1 request)", *measure(wget, runs)),
            ("powerplug power on dli, protocol=legacy", *measure(pp, runs, env)),
            ("powerplug power on dli, protocol=auto", *measure(pp_auto, runs, env)),
            ("dlipower on 3", *measure(dli, max(5, runs // 3))),
            ("split-writes sim: wget (1 request)", *measure([*wget[:-1], wget[-1].replace(addr, f"127.0.0.1:{split_port}")], runs)),
            ("split-writes sim: powerplug legacy", *measure([*pp[:4], "-p", f"power_address=127.0.0.1:{split_port}", *pp[6:]], runs, env)),
            ("split-writes sim: powerplug auto", *measure([*pp_auto[:4], "-p", f"power_address=127.0.0.1:{split_port}", *pp_auto[6:]], runs, env))]
    report(rows, "wget --auth-no-challenge (1 request)")
    med = {r[0]: statistics.median(r[1]) for r in rows}
    w, p, d = med[rows[0][0]], med[rows[1][0]], med[rows[3][0]]
    print(f"{'MET ' if p <= 1.2 * w else 'MISS'} powerplug <= 1.2x wget: {p / w:.2f}x")
    print(f"{'MET ' if d >= 10 * p else 'MISS'} >= 10x faster than dlipower: {d / p:.1f}x")
    sw, sp = med[rows[4][0]], med[rows[5][0]]
    print(f"{'MET ' if sp <= 2 * sw else 'MISS'} no keep-alive stall on a split-writes server: powerplug {sp / sw:.2f}x wget")
finally:
    sim.terminate()
    split.terminate()
PY
