"""CPython's http.client as a client of the end-to-end benchmark.

The same line protocol as bench/e2e/client.mjs: prints {"ready": true, ...},
then answers each JSON command (server, port, workload, ms, min, plus the
workload itself: method, path, conns, read, bodySize) with
{"requests", "bytes", "seconds", "cpuUs", "p50", "p99"}. Several connections
run in threads, as a Python program would do it; CPU is this process's own
(getrusage RUSAGE_SELF: user + system, all threads).
"""
import http.client
import json
import math
import platform
import resource
import sys
import threading
import time

HOST = "127.0.0.1"
PIECE = 64 * 1024
BODY_BYTE = b"a"
pools = {}


def cpu_us():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1e6


def percentile(xs, p):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


class Conn:
    def __init__(self, port, w):
        self.conn = http.client.HTTPConnection(HOST, port)
        self.w = w
        self.body = BODY_BYTE * w["bodySize"] if w.get("bodySize") else None
        self.piece = bytearray(PIECE)

    def fetch(self):
        w = self.w
        self.conn.request(w["method"], w["path"], self.body)
        res = self.conn.getresponse()
        if res.status != 200:
            raise RuntimeError(f"status {res.status}")
        if w["read"] == "whole":
            return len(res.read())
        n = 0
        while True:
            k = res.readinto(self.piece)
            if not k:
                return n
            n += k


def segment(cmd):
    w = cmd["spec"]
    key = (cmd["server"], w["key"])
    if key not in pools:
        conns = [Conn(cmd["port"], w) for _ in range(w["conns"])]
        for c in conns:
            c.fetch()
        pools[key] = conns
    conns = pools[key]
    lock = threading.Lock()
    state = {"requests": 0, "bytes": 0}
    latencies = []
    t0 = time.perf_counter()
    deadline = t0 + cmd["ms"] / 1000
    errors = []

    def loop(c):
        try:
            while time.perf_counter() < deadline or state["requests"] < cmd["min"]:
                start = time.perf_counter()
                n = c.fetch()
                lat = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(lat)
                    state["requests"] += 1
                    state["bytes"] += n
        except Exception as e:  # reported to the runner
            errors.append(repr(e))

    cpu0 = cpu_us()
    if len(conns) == 1:
        loop(conns[0])
    else:
        threads = [threading.Thread(target=loop, args=(c,)) for c in conns]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    cpu = cpu_us() - cpu0
    seconds = time.perf_counter() - t0
    if errors:
        return {"error": errors[0]}
    return {
        "requests": state["requests"],
        "bytes": state["bytes"],
        "seconds": seconds,
        "cpuUs": cpu,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
    }


def main():
    label = f"CPython {platform.python_version()} http.client (threads for several connections)"
    print(json.dumps({"ready": True, "label": label}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = segment(json.loads(line))
        except Exception as e:  # reported to the runner
            result = {"error": repr(e)}
        print(json.dumps(result), flush=True)


main()
