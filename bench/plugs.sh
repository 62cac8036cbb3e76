#!/usr/bin/env bash
# Benchmark (not a test): one power-on per smart-plug driver against its simulator, beside the
# plainest equivalent a user would type, in one run: curl of the same URL (Tasmota, Shelly Gen2
# with --digest, Home Assistant) and the python-kasa CLI for Kasa. Medians and ratios.
# Targets (issue 11): powerplug <= 1.2x curl; >= 10x faster than the python-kasa CLI.
# Usage: bench/plugs.sh [RUNS] (default 20). Needs curl, python-kasa (pip), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-20}"
cargo build --release --workspace --quiet
command -v kasa >/dev/null || python3 -m pip install -q --disable-pip-version-check python-kasa
python3 - "$RUNS" <<'PY'
import os, socket, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, "bench")
from timing import measure, report
runs = int(sys.argv[1])
pp = "target/release/powerplug"
def port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
sims, rows = [], []
def start(*args):
    p = port()
    sims.append(subprocess.Popen([pp, "simulate", *args, "--port", str(p)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return p
try:
    t, s, h, k = start("tasmota"), start("shelly", "--password", "bench-pw"), start("homeassistant", "--token", "bench-token-0123"), start("kasa", "--outlets", "6")
    time.sleep(0.7)
    hdr = tempfile.NamedTemporaryFile("w", delete=False); hdr.write("Authorization: Bearer bench-token-0123\n"); hdr.close()
    netrc = tempfile.NamedTemporaryFile("w", delete=False); netrc.write(f"machine 127.0.0.1 login admin password bench-pw\n"); netrc.close()
    env = dict(os.environ, POWERPLUG_POWER_PASS="bench-pw")
    henv = dict(os.environ, POWERPLUG_POWER_PASS="bench-token-0123")
    cases = [
        ("tasmota", ["curl", "-sf", "-o", "/dev/null", f"http://127.0.0.1:{t}/cm?cmnd=Power1%20On"],
         [pp, "-q", "power", "on", "tasmota", "-p", f"power_address=127.0.0.1:{t}"], None),
        ("shelly gen2 (digest)", ["curl", "-sf", "-o", "/dev/null", "--digest", "--netrc-file", netrc.name, f"http://127.0.0.1:{s}/rpc/Switch.Set?id=0&on=true"],
         [pp, "-q", "power", "on", "shelly", "-p", f"power_address=127.0.0.1:{s}", "-p", "generation=2"], env),
        ("homeassistant", ["curl", "-sf", "-o", "/dev/null", "-H", f"@{hdr.name}", "-H", "Content-Type: application/json", "-d", '{"entity_id":"switch.rack_pc"}', f"http://127.0.0.1:{h}/api/services/switch/turn_on"],
         [pp, "-q", "power", "on", "homeassistant", "-p", f"power_address=http://127.0.0.1:{h}", "-p", "entity_id=switch.rack_pc"], henv),
    ]
    ratios = []
    for name, curl, ours, e in cases:
        c = (f"{name}: curl (1 request)", *measure(curl, runs))
        o = (f"{name}: powerplug power on", *measure(ours, runs, e))
        rows += [c, o]
        ratios.append((name, statistics.median(o[1]) / statistics.median(c[1])))
    kcli = ["kasa", "--host", "127.0.0.1", "--port", str(k), "--type", "strip", "on", "--index", "2"]
    kc = ("kasa: python-kasa CLI (kasa on --index 2)", *measure(kcli, max(5, runs // 4)))
    ko = ("kasa: powerplug power on --outlet 3", *measure([pp, "-q", "power", "on", "kasa", "-p", f"power_address=127.0.0.1:{k}", "-p", "outlet=3"], runs))
    rows += [kc, ko]
    print(f"{runs} runs each (python-kasa {max(5, runs // 4)})")
    report(rows, rows[0][0])
    for name, r in ratios:
        print(f"{'MET ' if r <= 1.2 else 'MISS'} {name}: powerplug {r:.2f}x curl (target <= 1.2x; powerplug also reads the state back)")
    kr = statistics.median(kc[1]) / statistics.median(ko[1])
    print(f"{'MET ' if kr >= 10 else 'MISS'} kasa: {kr:.1f}x faster than the python-kasa CLI (target >= 10x)")
finally:
    for p in sims:
        p.terminate()
PY
