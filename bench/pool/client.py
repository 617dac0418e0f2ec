"""Python urllib3 (Debian's python3-urllib3) as a client of the pool benchmark.

`python3 bench/pool/client.py <json>` with the same job as client.mjs:
`conns` threads share one PoolManager(maxsize=conns, block=True), each body
read whole (urllib3 decodes gzip itself). Prints the same JSON line; CPU is
this process's (getrusage RUSAGE_SELF, all threads), peak RSS ru_maxrss.
"""
import json
import math
import resource
import sys
import threading
import time

import urllib3

job = json.loads(sys.argv[1])
base, paths, requests, conns, max_s = job["base"], job["paths"], job["requests"], job["conns"], job["maxMs"] / 1000
pm = urllib3.PoolManager(maxsize=conns, block=True, retries=urllib3.Retry(3))
lock = threading.Lock()
state = {"next": 0, "failed": 0, "rss_early": 0}
latencies = []


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1048576


def worker(t0):
    while True:
        if time.perf_counter() - t0 > max_s:
            return
        with lock:
            i = state["next"]
            state["next"] += 1
        if i >= requests:
            return
        path, gz = paths[i % len(paths)]
        s = time.perf_counter()
        try:
            r = pm.request("GET", base + path, headers={"Accept-Encoding": "gzip"} if gz else None)
            if r.status != 200:
                raise RuntimeError(f"status {r.status}")
            len(r.data)
            with lock:
                latencies.append((time.perf_counter() - s) * 1000)
                if len(latencies) == requests // 10:
                    state["rss_early"] = rss_mib()
        except Exception as e:  # counted, first one shown
            with lock:
                state["failed"] += 1
                if state["failed"] == 1:
                    print("urllib3", repr(e), file=sys.stderr)


def cpu_us():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e6


def sys_us():
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime * 1e6


def pct(xs, p):
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


c0 = cpu_us()
s0 = sys_us()
t0 = time.perf_counter()
threads = [threading.Thread(target=worker, args=(t0,)) for _ in range(conns)]
for t in threads:
    t.start()
for t in threads:
    t.join()
seconds = time.perf_counter() - t0
lat = sorted(latencies)
print(json.dumps({
    "client": "python-urllib3",
    "requests": len(lat),
    "failed": state["failed"],
    "seconds": seconds,
    "cpuUs": cpu_us() - c0,
    "cpuSystemUs": sys_us() - s0,
    "p50": pct(lat, 50),
    "p99": pct(lat, 99),
    "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rssEarlyMiB": state["rss_early"],
    "rssEndMiB": rss_mib(),
    "version": urllib3.__version__,
}))
