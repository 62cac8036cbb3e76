#!/usr/bin/env bash
# Benchmark (not a test): median wall time and peak memory of `powerplug drivers list` with the
# workspace's plugins (release build), beside a bare process start (/bin/true) in the same run.
# Targets (issue 2): median < 10 ms, within 5 ms of /bin/true, max RSS < 20 MB.
# Usage: bench/drivers-list.sh [RUNS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-200}"
cargo build --release --workspace --quiet
python3 - "$RUNS" <<'PY'
import os, statistics, sys
sys.path.insert(0, "bench")
from timing import measure, report
runs = int(sys.argv[1])
exe = "target/release/powerplug"
plugins = sorted(f for f in os.listdir("target/release") if f.startswith("libpowerplug_") and f.endswith(".so"))
print(f"{runs} runs each; plugins loaded: {', '.join(plugins)}")
true_t, true_rss = measure(["/bin/true"], runs)
list_t, list_rss = measure([exe, "drivers", "list"], runs)
report([("/bin/true", true_t, true_rss), ("powerplug drivers list", list_t, list_rss)], "/bin/true")
med, base = statistics.median(list_t), statistics.median(true_t)
checks = [
    ("median under 10 ms", med < 10.0, f"{med:.2f} ms"),
    ("within 5 ms of /bin/true", med - base <= 5.0, f"+{med - base:.2f} ms"),
    ("max RSS under 20 MB", list_rss * 1024 < 20e6, f"{list_rss / 1024:.1f} MiB"),
]
for name, ok, value in checks:
    print(f"{'MET ' if ok else 'MISS'} {name}: {value}")
PY
