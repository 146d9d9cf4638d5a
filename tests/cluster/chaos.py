#!/usr/bin/env python3
"""Cluster chaos check: real Redis, two silo processes and a gateway, started from the README's
commands. Four clients ingest events (retrying until acknowledged); one silo is SIGKILLed
mid-ingest and restarted; then a batch is posted with `Prefer: respond-async` (answered once
durable) and every process is killed at once, and the cluster restarted. Every acknowledged event
must count exactly once in every month's roll-up, the batch answered just before the crash must
count without any new batch arriving, every resent id must be a duplicate, a report filed before the restart must come back, and the live stream must work
through the client gateway (load at once, an alert pushed from a silo). Prints 'N passed, N failed'. Needs: redis-server, dotnet, a built solution."""
import json, os, random, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error
from collections import defaultdict
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = "chaos-signing-key-0123456789abcdef-0123456789"
EVENTS = int(os.environ.get("CHAOS_EVENTS", "20000"))
BATCH = 500

handed_out = set()

def free_port():
    # Never the same port twice: the socket that found it is closed before the server binds it,
    # so the kernel may offer it again to the next call.
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
        if port not in handed_out:
            handed_out.add(port); return port

work = tempfile.mkdtemp(prefix="oversight-chaos-")
redis_port = free_port()
redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", work,
                          "--appendonly", "yes", "--appendfsync", "always", "--save", ""], stdout=subprocess.DEVNULL)
env = dict(os.environ, ConnectionStrings__Redis=f"127.0.0.1:{redis_port}", Oversight__Auth__SigningKey=KEY,
           Orleans__ClusterId="chaos", Orleans__ServiceId=f"chaos{redis_port}", DOTNET_NOLOGO="1")
silo_ports = [(free_port(), free_port()), (free_port(), free_port())]
http_port = free_port()
procs = {}

def start(name):
    if name == "gateway":
        args, extra = ["gateway"], {"ASPNETCORE_URLS": f"http://127.0.0.1:{http_port}"}
    else:
        i = int(name[-1]); args = ["silo"]
        extra = {"Orleans__Endpoints__SiloPort": str(silo_ports[i][0]), "Orleans__Endpoints__GatewayPort": str(silo_ports[i][1]),
                 "ASPNETCORE_URLS": "http://127.0.0.1:0"}
    log = open(os.path.join(work, name + ".log"), "a")
    procs[name] = subprocess.Popen(["dotnet", "run", "--no-build", "-c", os.environ.get("CONFIGURATION", "Release"), "--project", args[0]],
                                   cwd=ROOT, env=dict(env, **extra), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

def kill(name, sig=signal.SIGKILL):
    p = procs.pop(name)
    os.killpg(p.pid, sig); p.wait()

def token():
    out = subprocess.run(["dotnet", "run", "--no-build", "-c", os.environ.get("CONFIGURATION", "Release"), "--project", "gateway", "--", "token", "--role", "admin"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()

def call(method, path, body=None, timeout=30, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{http_port}{path}", data=data, method=method,
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")

def wait_ready(deadline=120):
    end = time.time() + deadline
    while time.time() < end:
        for name, p in procs.items():
            if p.poll() is not None:
                raise SystemExit(f"{name} exited with {p.returncode}; see {work}/{name}.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health/ready", timeout=5) as r:
                if r.status == 200: return
        except Exception: pass
        time.sleep(0.5)
    raise SystemExit("gateway not ready")

def until_ok(method, path, body=None, deadline=120, headers=None):
    end = time.time() + deadline
    while True:
        try:
            return call(method, path, body, headers=headers)
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
            code = getattr(e, "code", None)
            if code is not None and code < 500: raise
            if time.time() > end: raise
            time.sleep(0.2)

results = {"passed": 0, "failed": 0}
def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)

try:
    start("silo0"); start("silo1"); time.sleep(3); start("gateway")
    TOKEN = token(); wait_ready()
    T = "/api/v1/tenants/chaos"
    until_ok("PUT", T, {"name": "Chaos", "timeZone": "Asia/Shanghai"})
    rnd = random.Random(42)
    units = [{"id": "hq", "parentId": None, "headcount": 10}]
    for i in range(10):
        units.append({"id": f"s{i}", "parentId": "hq", "headcount": 10})
        for j in range(10):
            units.append({"id": f"s{i}-{j}", "parentId": f"s{i}", "headcount": 10})
    until_ok("PUT", f"{T}/units", units)
    # A second tenant, for a batch answered once durable (a backfill) right before the full crash.
    LATE = "/api/v1/tenants/chaos-late"
    until_ok("PUT", LATE, {"name": "Chaos late", "timeZone": "Asia/Shanghai"})
    until_ok("PUT", f"{LATE}/units", [{"id": "hq", "parentId": None, "headcount": 10}] + [{"id": f"l{i}", "parentId": "hq", "headcount": 10} for i in range(5)])
    parent = {u["id"]: u["parentId"] for u in units}
    ids = [u["id"] for u in units]
    now = datetime.now(timezone.utc)
    kinds = ["document", "meeting", "inspection", "dataRequest", "digitalDemand", "overreach"]
    events = []
    for n in range(EVENTS):
        at = now - timedelta(days=rnd.randint(0, 200), hours=rnd.randint(0, 23))
        events.append({"id": f"c-{n}", "kind": rnd.choice(kinds), "source": rnd.choice(ids[:11]),
                       "targets": rnd.sample(ids, rnd.randint(1, 6)), "occurredAt": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "durationMinutes": 60, "days": 1})
    batches = [events[i:i + BATCH] for i in range(0, len(events), BATCH)]
    acked, counts, lock = set(), {"accepted": 0, "duplicates": 0}, threading.Lock()

    def client(k):
        for b in batches[k::4]:
            _, r = until_ok("POST", f"{T}/events", b, deadline=300)
            with lock:
                counts["accepted"] += r["accepted"]; counts["duplicates"] += r["duplicates"]
                acked.update(e["id"] for e in b)
    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads: t.start()
    while len(acked) < EVENTS // 3: time.sleep(0.05)
    kill("silo1"); print(f"killed silo1 after {len(acked)} acknowledged", flush=True)
    time.sleep(2); start("silo1")
    for t in threads: t.join()
    check("every event acknowledged", len(acked) == EVENTS, f"{len(acked)}")
    check("accepted + duplicates = events sent", counts["accepted"] + counts["duplicates"] == EVENTS, str(counts))

    def rollup_check(label):
        expected = defaultdict(lambda: defaultdict(int))
        local = timezone(timedelta(hours=8))
        for e in events:
            month = datetime.strptime(e["occurredAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone(local).strftime("%Y-%m")
            for t in set(e["targets"]):
                u = t
                while u is not None:
                    expected[(u, month)][e["kind"]] += 1; u = parent[u]
        months = sorted({m for (_, m) in expected})
        deadline = time.time() + 60
        while True:
            bad = []
            for unit in ["hq", "s0", "s3", "s7-7"]:
                for m in months:
                    _, load = until_ok("GET", f"{T}/units/{unit}/load?period={m}")
                    got = load["subtree"]["received"]
                    want = {k: expected[(unit, m)][k] for k in kinds}
                    if got != want: bad.append((unit, m, got, want))
            if not bad or time.time() > deadline: break
            time.sleep(0.5)
        check(f"every month's roll-up counts each acknowledged event once ({label})", not bad, str(bad[:2]))

    rollup_check("after a silo was killed")
    _, report = until_ok("POST", f"{T}/reports", {"fromUnit": "s0-0", "aboutUnit": "s0", "category": "meetings",
                                                  "text": "too many meetings", "anonymous": True})
    # Answered once durable, then every process killed at once: as a rule before any round has
    # reached a unit of this tenant, so after the restart only the ledger's log holds them.
    late_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    late = [{"id": f"late-{n}", "kind": "document", "source": "hq", "targets": [f"l{n % 5}", f"l{(n + 1) % 5}"], "occurredAt": late_at} for n in range(300)]
    _, r = until_ok("POST", f"{LATE}/events", late, headers={"Prefer": "respond-async"})
    late_ok = r["accepted"] == len(late)
    for name in list(procs): kill(name)
    print("killed every process; restarting", flush=True)
    start("silo0"); start("silo1"); time.sleep(3); start("gateway"); wait_ready()

    rollup_check("after a full restart")
    late_month = datetime.strptime(late_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m")
    deadline = time.time() + 60
    while True:
        _, load = until_ok("GET", f"{LATE}/units/hq/load?period={late_month}")
        got = load["subtree"]["received"]["document"]
        if got == 2 * len(late) or time.time() > deadline: break
        time.sleep(0.5)
    check("a batch answered just before the full crash counts once after it, with no new batch", late_ok and got == 2 * len(late), f"accepted {r['accepted']}, root counts {got}")
    _, r = until_ok("POST", f"{T}/events", events[:BATCH])
    check("resent ids are duplicates after a full restart", r["accepted"] == 0 and r["duplicates"] == BATCH, str(r))
    _, kept = until_ok("GET", f"{T}/reports/{report['id']}")
    check("a report survives a full restart, still anonymous", kept["status"] == "open" and kept["fromUnit"] is None and kept["aboutUnit"] == "s0", str(kept))

    # The live stream through a gateway that is only a client: the load at once, then an alert
    # raised in a silo and pushed to the gateway's observer.
    month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    stream = urllib.request.urlopen(f"http://127.0.0.1:{http_port}{T}/units/s1/live?period={month}&access_token={TOKEN}", timeout=60)
    def next_event():
        name = data = None
        while True:
            line = stream.readline().decode().rstrip("\n")
            if line == "" and name and data is not None: return name, json.loads(data)
            if line.startswith("event: "): name = line[7:]
            elif line.startswith("data: "): data = line[6:]
    name, first = next_event()
    _, load = until_ok("GET", f"{T}/units/s1/load?period={month}")
    check("the live stream opens with the unit's load", name == "load" and first["unit"] == "s1" and first["subtree"]["received"] == load["subtree"]["received"], f"{name} {first}")
    until_ok("POST", f"{T}/events", [{"id": "chaos-live-1", "kind": "inspection", "source": "hq", "targets": ["s1-1"],
                                       "occurredAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "planned": False}])
    while True:
        name, data = next_event()
        if name == "alert": break
    check("an alert raised in a silo reaches the live stream", data["type"] == "unplannedInspection" and data["eventId"] == "chaos-live-1", str(data))
    stream.close()
except BaseException as error:
    check("the scenario ran to its end", False, repr(error))
finally:
    for name in list(procs):
        try: kill(name, signal.SIGTERM)
        except Exception: pass
    redis.terminate(); redis.wait()
    print(f"logs in {work}")
    print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
