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
AUTH, PRIV = "bench-auth-pass", "bench-priv-pass"
sim_env = dict(os.environ, POWERPLUG_SIM_SNMP_AUTH_PASS=AUTH, POWERPLUG_SIM_SNMP_PRIV_PASS=PRIV)
sim = subprocess.Popen([pp, "simulate", "pdu", "--model", "apc", "--outlets", "24", "--port", str(port),
                        "--v3-user", "bench", "--v3-auth-protocol", "SHA-256", "--v3-priv-protocol", "AES"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=sim_env)
try:
    line = sim.stdout.readline()
    if "udp:" not in line:
        sys.exit(f"the simulated PDU did not start: {line}{sim.stdout.read()}")
    def netsnmp_env(text):
        conf = tempfile.mkdtemp(prefix="pp-bench-snmp-")
        with open(os.path.join(conf, "snmp.conf"), "w") as f:
            f.write(text + "mibs :\n")
        os.chmod(os.path.join(conf, "snmp.conf"), 0o600)
        return dict(os.environ, SNMPCONFPATH=conf, SNMP_PERSISTENT_DIR=conf, MIBS="")
    v2c_env = netsnmp_env("defversion 2c\ndefcommunity private\n")
    v3_env = netsnmp_env(f"defversion 3\ndefsecurityname bench\ndefsecuritylevel authPriv\ndefauthtype SHA-256\n"
                         f"defauthpassphrase {AUTH}\ndefprivtype AES\ndefprivpassphrase {PRIV}\n")
    pp_env = dict(os.environ, POWERPLUG_COMMUNITY="private")
    pp_v3_env = dict(os.environ, POWERPLUG_V3_AUTH_PASS=AUTH, POWERPLUG_V3_PRIV_PASS=PRIV)
    oid = ".1.3.6.1.4.1.318.1.1.12.3.3.1.1.4."
    target = f"127.0.0.1:{port}"
    def snmpset(env, outlet):
        def argv(i):
            return ["snmpset", "-Oqv", target, f"{oid}{outlet}", "i", "1" if i % 2 == 0 else "2"], env
        return argv
    def ours(model, outlet, v3=False):
        def argv(i):
            extra = ["-p", "snmp_version=3", "-p", "v3_user=bench", "-p", "v3_auth_protocol=SHA-256"] if v3 else []
            return [pp, "-q", "power", "on" if i % 2 == 0 else "off", "pdu", "-p", f"power_address={target}",
                    "-p", f"outlet_id={outlet}", "-p", f"model={model}", *extra], pp_v3_env if v3 else pp_env
        return argv
    cases = [("v2c: snmpset (1 SET)", snmpset(v2c_env, 7)), ("v2c: powerplug on|off (model=apc)", ours("apc", 7)),
             ("v2c: powerplug on|off (model=auto)", ours("auto", 8)),
             ("v3 authPriv: snmpset (1 SET)", snmpset(v3_env, 9)), ("v3 authPriv: powerplug on|off", ours("apc", 10, True))]
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
    for base_label, label in [(cases[0][0], cases[1][0]), (cases[0][0], cases[2][0]), (cases[3][0], cases[4][0])]:
        r = statistics.median(times[label]) / statistics.median(times[base_label])
        print(f"{'MET ' if r <= 1.2 else 'MISS'} {label}: {r:.2f}x {base_label.split(':')[0]} snmpset (target <= 1.2x)")
finally:
    sim.terminate()
    sim.wait(timeout=10)
PY
