"""Shared timing helper for powerplug's benchmark scripts (not tests).

`measure(argv, runs, env=None)` runs a command `runs` times (after one warm-up) and returns the
wall times in milliseconds and its peak RSS in KiB. The RSS is read by GNU time (`time`
package), a small parent: a child forked from Python would inherit Python's own high-water mark.
`report(rows, baseline)` prints medians side by side with ratios against the baseline row.
"""
import os
import statistics
import subprocess
import sys
import time


def measure(argv, runs, env=None, check=True):
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, _ = os.wait4(p.pid, 0)
        elapsed = (time.perf_counter() - t0) * 1000
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
        if check and p.returncode != 0:
            sys.exit(f"benchmark command failed ({p.returncode}): {' '.join(argv)}\n{err}")
        if i > 0:  # the first run warms the page cache
            times.append(elapsed)
    return times, peak_rss_kib(argv, env)


def peak_rss_kib(argv, env=None, runs=5):
    """The largest max-RSS (KiB) of `runs` runs, as GNU time reports it."""
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench needs GNU time for memory figures: apt-get install time")
    peak = 0
    for _ in range(runs):
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + list(argv), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env, check=False)
        peak = max(peak, int(out.stderr.decode().strip().splitlines()[-1]))
    return peak


def report(rows, baseline):
    """rows: list of (label, times_ms, maxrss_kib); baseline: label to compare against."""
    base = statistics.median(dict((r[0], r[1]) for r in rows)[baseline])
    print(f"{'command':<44} {'median ms':>10} {'p90 ms':>8} {'max RSS MiB':>12} {'ratio':>7}")
    for label, times, rss in rows:
        med = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9) - 1]
        print(f"{label:<44} {med:>10.2f} {p90:>8.2f} {rss / 1024:>12.1f} {med / base:>6.2f}x")
