#!/usr/bin/env python3
"""Helper of bench/scale.sh (standard library only).

  scale.py run BIN ORGS FOLDER IDLE_SECONDS   one measurement; prints one JSON line
  scale.py table RESULT.json…                 the markdown table and the targets

`run` starts `BIN simulator --log-requests` (one simulated Zoho org, shared by every policy
org), writes a policy of ORGS orgs (`schedule: unmanaged`, `poll_interval: 1h`), seeds every
org's token cache with one access token, starts `BIN run --no-jitter` and measures:

- the cycle: from the daemon's first request to the last org's `state.json` with
  `lastSuccess` (its mtime; with METRICS=1 in the environment, `metrics.textfile` is set and
  the cycle lasts until its last rewrite), and the requests the simulator answered meanwhile;
- peak RSS (VmHWM) of the daemon;
- then IDLE_SECONDS with nothing to do: CPU (utime+stime ÷ wall), RSS at the end, requests;
- SIGTERM: the daemon must exit 0.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

TARGETS = {"cycle_s": 2.0, "idle_rss_mib": 25.0, "idle_cpu_pct": 0.1}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def fail(message):
    print(f"scale: {message}", file=sys.stderr)
    sys.exit(1)


def proc_status(pid):
    """/proc/PID/status as {key: first number} (kB for memory lines)."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            m = re.match(r"\s*(\d+)", rest)
            if m:
                values[key] = int(m.group(1))
    return values


def cpu_seconds(pid):
    """utime+stime of every thread of PID, in seconds (clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def context_switches(pid):
    """Voluntary context switches (wake-ups from sleep) of each of PID's threads."""
    counts = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            counts[tid] = proc_status(f"{pid}/task/{tid}").get("voluntary_ctxt_switches", 0)
        except FileNotFoundError:
            pass  # the thread ended meanwhile
    return counts


def wakeups(before, after):
    """Wake-ups between two ``context_switches`` readings (a thread that ended is not counted)."""
    return sum(n - before.get(tid, 0) for tid, n in after.items())


class Simulator:
    """The simulator process; its request log lines, timestamped as they arrive."""

    def __init__(self, binary, folder):
        self.requests = []  # (time, method, path, status)
        self.banner = []
        self.ready = threading.Event()
        self.stderr = open(os.path.join(folder, "simulator.log"), "w")
        self.proc = subprocess.Popen([binary, "simulator", "--port", "0", "--log-requests"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if not self.ready.wait(30):
            fail("the simulator printed no banner in 30 s")
        text = "\n".join(self.banner)
        self.base = re.search(r"http://127\.0\.0\.1:\d+", text).group(0)
        self.credentials = json.loads(next(l for l in self.banner if l.startswith("{")))

    def _read_stdout(self):
        for line in self.proc.stdout:
            self.banner.append(line.rstrip("\n"))
            if line.startswith("{"):
                self.ready.set()

    def _read_stderr(self):
        for line in self.proc.stderr:
            now = time.time()
            self.stderr.write(line)
            parts = line.split()
            if len(parts) >= 4 and parts[0] == "request":
                self.requests.append((now, parts[1], parts[2], parts[3]))
        self.stderr.flush()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def seed_tokens(sim, state_dir, orgs):
    """One access token from the simulator, copied into every org's token cache: the daemon's
    format (Sources/ZohoAPI/TokenCache.swift) and fingerprint (OAuthCredentials.fingerprint)."""
    c = sim.credentials
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": c["client_id"],
                                   "client_secret": c["client_secret"], "refresh_token": c["refresh_token"]}).encode()
    asked = time.time()
    with urllib.request.urlopen(sim.base + "/oauth/v2/token", data=form, timeout=10) as r:
        answer = json.load(r)
    if "access_token" not in answer:
        fail(f"the simulator gave no token: {answer}")
    fingerprint = hashlib.sha256(f"{c['client_id']}\n{c['refresh_token']}".encode()).digest()[:8].hex()
    cache = json.dumps({"access_token": answer["access_token"], "expires_at": asked + answer["expires_in"],
                        "credentials_fingerprint": fingerprint, "token_requests": {"recent": []}})
    for org in orgs:
        folder = os.path.join(state_dir, org)
        os.makedirs(folder, mode=0o700)
        path = os.path.join(folder, "token.json")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(cache)


def write_policy(path, sim, state_dir, archive_dir, orgs, metrics):
    host = sim.base[len("http://"):]
    lines = ["version: 1", f"state_dir: {state_dir}"]
    if metrics:
        lines += ["metrics:", f"  textfile: {metrics}"]
    lines.append("orgs:")
    for org in orgs:
        lines += [f"  {org}:", "    data_center: us", "    credentials: sim", "    schedule: unmanaged",
                  "    poll_interval: 1h", "    timezone: UTC", "    archive:",
                  f"      path: {archive_dir}/{org}", "      min_free: 1MiB", "    endpoints:",
                  f"      accounts: {sim.base}", f"      api: {sim.base}", f'      download_hosts: ["{host}"]']
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run(binary, count, folder, idle_seconds):
    os.makedirs(folder)
    state_dir, archive_dir, creds = (os.path.join(folder, d) for d in ("state", "archive", "credentials"))
    os.makedirs(creds, mode=0o700)
    orgs = [f"org-{i:03d}" for i in range(1, count + 1)]
    load_before = float(open("/proc/loadavg").read().split()[0])
    sim = Simulator(binary, folder)
    daemon = None
    try:
        with open(os.open(os.path.join(creds, "sim.json"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            json.dump(sim.credentials, f)
        seed_tokens(sim, state_dir, orgs)
        policy = os.path.join(folder, "policy.yaml")
        metrics = os.path.join(folder, "zoho-crm-backup.prom") if os.environ.get("METRICS") == "1" else None
        write_policy(policy, sim, state_dir, archive_dir, orgs, metrics)
        time.sleep(0.2)  # the seeding request's log line is in
        before = len(sim.requests)
        sim_cpu0 = cpu_seconds(sim.proc.pid)

        env = dict(os.environ, CREDENTIALS_DIRECTORY=creds, ZOHO_CRM_BACKUP_LOG="stderr")
        log = open(os.path.join(folder, "daemon.log"), "w")
        started = time.time()
        daemon = subprocess.Popen([binary, "run", "--policy", policy, "--no-jitter"], env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        pending = {org: os.path.join(state_dir, org, "state.json") for org in orgs}
        while pending:
            if daemon.poll() is not None:
                fail(f"the daemon exited with {daemon.returncode} during the cycle; see {folder}/daemon.log")
            if time.time() - started > 300:
                fail(f"{len(pending)} orgs had no successful cycle after 300 s; see {folder}/daemon.log")
            for org, path in list(pending.items()):
                try:
                    with open(path) as f:
                        if '"lastSuccess"' in f.read():
                            del pending[org]
                except FileNotFoundError:
                    pass
            time.sleep(0.05)
        done = max(os.stat(os.path.join(state_dir, org, "state.json")).st_mtime_ns for org in orgs) / 1e9
        if metrics:
            # The textfile is rewritten after each org's cycle, queued behind the state saves:
            # the cycle ends with its last rewrite (no change for a second).
            last, since = None, time.time()
            while time.time() - since < 1.0:
                mtime = os.stat(metrics).st_mtime_ns
                if mtime != last:
                    last, since = mtime, time.time()
                if time.time() - started > 300:
                    fail("the metrics textfile was still being rewritten after 300 s")
                time.sleep(0.02)
            done = max(done, last / 1e9)
        time.sleep(0.2)  # late log lines
        cycle = [r for r in sim.requests[before:] if r[0] <= done + 0.1]
        if not cycle:
            fail("the simulator logged no request during the cycle")
        kinds = {}
        for _, method, path, status in cycle:
            key = f"{method} {path} {status}"
            kinds[key] = kinds.get(key, 0) + 1
        if any("/oauth/" in k for k in kinds):
            fail(f"the cycle asked for access tokens (the seeded cache was not used): {kinds}")
        cycle_cpu = cpu_seconds(daemon.pid)
        sim_cycle_cpu = cpu_seconds(sim.proc.pid) - sim_cpu0
        status = proc_status(daemon.pid)

        # Idle: nothing to do for an hour. Let the end of the cycle settle first.
        time.sleep(1)
        requests0 = len(sim.requests)
        cpu0, switches0, t0 = cpu_seconds(daemon.pid), context_switches(daemon.pid), time.monotonic()
        time.sleep(idle_seconds)
        cpu1, switches1, t1 = cpu_seconds(daemon.pid), context_switches(daemon.pid), time.monotonic()
        idle = proc_status(daemon.pid)
        idle_requests = len(sim.requests) - requests0

        stop0 = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        try:
            code = daemon.wait(60)
        except subprocess.TimeoutExpired:
            fail("the daemon did not stop within 60 s of SIGTERM")
        stopped = time.monotonic() - stop0
        if code != 0:
            fail(f"the daemon exited with {code} after SIGTERM; see {folder}/daemon.log")
        daemon = None
        warnings = [l.rstrip() for l in open(os.path.join(folder, "daemon.log"))
                    if re.search(r" (warning|error|critical) ", l)]
        result = {
            "orgs": count,
            "metrics_textfile": metrics is not None,
            "metrics_textfile_bytes": os.path.getsize(metrics) if metrics else 0,
            "exec_to_first_request_s": round(cycle[0][0] - started, 3),
            "cycle_s": round(done - cycle[0][0], 3),
            "exec_to_done_s": round(done - started, 3),
            "requests": len(cycle),
            "requests_by_kind": kinds,
            "daemon_cpu_s_to_end_of_cycle": round(cycle_cpu, 2),
            "simulator_cpu_s_during_cycle": round(sim_cycle_cpu, 2),
            "rss_after_cycle_kib": status["VmRSS"],
            "peak_rss_kib": idle["VmHWM"],
            "idle_seconds": round(t1 - t0, 1),
            "idle_cpu_pct": round(100 * (cpu1 - cpu0) / (t1 - t0), 3),
            "idle_cpu_ticks": round((cpu1 - cpu0) * CLK_TCK),
            "idle_wakeups_per_s": round(wakeups(switches0, switches1) / (t1 - t0), 1),
            "idle_rss_kib": idle["VmRSS"],
            "idle_rss_anon_kib": idle["RssAnon"],
            "idle_rss_file_kib": idle["RssFile"],
            "loadavg_before": load_before,
            "idle_requests": idle_requests,
            "threads": idle["Threads"],
            "stop_s": round(stopped, 2),
            "exit": code,
            "warnings": warnings[:5],
        }
        print(json.dumps(result))
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        sim.stop()


def seconds(value):
    """Seconds for the table; below the resolution of the measurement (file mtimes and pipe
    lag, a few ms) says so."""
    return "< 0.01 s" if value < 0.01 else f"{value:.2f} s"


def table(paths):
    rows = [json.load(open(p)) for p in paths]
    mib = lambda kib: kib / 1024
    label = lambda r: f"{r['orgs']}" + (" + metrics textfile" if r.get("metrics_textfile") else "")
    print("| orgs | cycle wall time | from exec | requests | requests/org | peak RSS | idle RSS (anon) | idle CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {label(r)} | {seconds(r['cycle_s'])} | {seconds(r['exec_to_done_s'])} | {r['requests']} "
              f"| {r['requests'] / r['orgs']:.1f} | {mib(r['peak_rss_kib']):.1f} MiB "
              f"| {mib(r['idle_rss_kib']):.1f} MiB ({mib(r['idle_rss_anon_kib']):.1f}) | {r['idle_cpu_pct']:.3f} % |")
    print()
    for r in rows:
        print(f"- {label(r)}: daemon CPU {r['daemon_cpu_s_to_end_of_cycle']:.2f} s from exec to the end of the cycle, "
              f"simulator CPU {r['simulator_cpu_s_during_cycle']:.2f} s; first request {r['exec_to_first_request_s']:.2f} s after exec; "
              f"{r['threads']} threads; idle: {r['idle_cpu_ticks']} CPU ticks and {r['idle_wakeups_per_s']} wake-ups/s, "
              f"{r['idle_requests']} requests in {r['idle_seconds']:.0f} s; stopped in {r['stop_s']:.2f} s (exit {r['exit']}); "
              f"load average before {r['loadavg_before']}; requests: "
              + ", ".join(f"{n}× {k}" for k, n in sorted(r["requests_by_kind"].items())))
        for w in r.get("warnings", []):
            print(f"  log: {w}")
    print()
    biggest = max(r["orgs"] for r in rows)
    checks = [
        (f"cycle of {biggest} orgs ≤ {TARGETS['cycle_s']:g} s", max(r["cycle_s"] for r in rows if r["orgs"] == biggest), TARGETS["cycle_s"], "s"),
        (f"idle RSS ≤ {TARGETS['idle_rss_mib']:g} MiB", max(mib(r["idle_rss_kib"]) for r in rows), TARGETS["idle_rss_mib"], "MiB"),
        (f"idle CPU ≤ {TARGETS['idle_cpu_pct']:g} %", max(r["idle_cpu_pct"] for r in rows), TARGETS["idle_cpu_pct"], "%"),
    ]
    print("Targets (provisional, issue 8; the worst row counts):")
    for name, value, limit, unit in checks:
        print(f"- {name}: {'met' if value <= limit else 'MISSED'} ({value:.3g} {unit})")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "run":
        run(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "table":
        table(sys.argv[2:])
    else:
        fail(__doc__)
