#!/usr/bin/env bash
# Benchmark (not a test): one outlet change with powerplug beside the same SET with Net-SNMP's
# snmpset, in one run, against the same agent (`powerplug simulate pdu`: real snmpd with the
# MIB model behind it). Each run switches the outlet the other way, so every powerplug run is a
# real change (powerplug also reads the outlet before and after: three requests to snmpset's
# one). Both read their credentials from files, none from argv. Medians and ratios.
# Target (issue 12): powerplug <= 1.2x snmpset.
# Usage: bench/snmp.sh [RUNS] (default 40). Needs snmpd, snmp (snmpset), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-40}"
cargo build --release --workspace --quiet
python3 - "$RUNS" <<'PY'
import os, socket, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, "bench")
from timing import peak_rss_kib, report
runs = int(sys.argv[1])
pp = "target/release/powerplug"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
sim = subprocess.Popen([pp, "simulate", "pdu", "--model", "apc", "--outlets", "24", "--port", str(port)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
try:
    line = sim.stdout.readline()
    if "udp:" not in line:
        sys.exit(f"the simulated PDU did not start: {line}{sim.stdout.read()}")
    conf = tempfile.mkdtemp(prefix="pp-bench-snmp-")
    with open(os.path.join(conf, "snmp.conf"), "w") as f:
        f.write("defversion 2c\ndefcommunity private\nmibs :\n")
    os.chmod(os.path.join(conf, "snmp.conf"), 0o600)
    netsnmp_env = dict(os.environ, SNMPCONFPATH=conf, SNMP_PERSISTENT_DIR=conf, MIBS="")
    pp_env = dict(os.environ, POWERPLUG_COMMUNITY="private")
    oid = ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4.7"
    target = f"127.0.0.1:{port}"
    def snmpset(i):
        return ["snmpset", "-Oqv", target, oid, "i", "1" if i % 2 == 0 else "2"], netsnmp_env
    def ours(model):
        def argv(i):
            return [pp, "-q", "power", "on" if i % 2 == 0 else "off", "pdu", "-p", f"power_address={target}",
                    "-p", "outlet_id=7", "-p", f"model={model}"], pp_env
        return argv
    cases = [("snmpset (1 SET)", snmpset), ("powerplug power on|off pdu (model=apc)", ours("apc")),
             ("powerplug power on|off pdu (model=auto)", ours("auto"))]
    times = {label: [] for label, _ in cases}
    for i in range(runs + 2):  # two warm-up rounds, runs interleaved so drift hits all alike
        for label, make in cases:
            argv, env = make(i)
            t0 = time.perf_counter()
            r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            ms = (time.perf_counter() - t0) * 1000
            if r.returncode != 0:
                sys.exit(f"benchmark command failed ({r.returncode}): {' '.join(argv)}\n{r.stderr.decode()}")
            if i >= 2:
                times[label].append(ms)
    rows = [(label, times[label], peak_rss_kib(make(0)[0], make(0)[1])) for label, make in cases]
    print(f"{runs} outlet changes each, against snmpd {target}")
    report(rows, rows[0][0])
    base = statistics.median(times[cases[0][0]])
    for label, _ in cases[1:]:
        r = statistics.median(times[label]) / base
        print(f"{'MET ' if r <= 1.2 else 'MISS'} {label}: {r:.2f}x snmpset (target <= 1.2x)")
finally:
    sim.terminate()
    sim.wait(timeout=10)
PY
