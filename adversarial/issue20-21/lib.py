"""Shared harness: private redis + sandbox on loopback, run `verify` processes, record findings."""
import json, os, socket, subprocess, sys, threading, time, urllib.request, signal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
V = os.path.join(ROOT, "target", "release", "verify")
RUN = os.path.join(HERE, "run"); os.makedirs(RUN, exist_ok=True)
RPORT = int(os.environ.get("RPORT", "16391"))
SPORT = int(os.environ.get("SPORT", "18391"))
S = f"http://127.0.0.1:{SPORT}"
R = f"redis://127.0.0.1:{RPORT}"
FINDINGS = []
SECRETS = []   # strings that must never appear in output
ALL_RESULTS = []

def log(*a):
    print(*a, flush=True)

def finding(name, ok, detail=""):
    FINDINGS.append((name, ok, detail))
    log(("HELD      " if ok else "VIOLATION ") + name + ("  :: " + detail if detail else ""))

def rcli(*args, port=None):
    return subprocess.run(["redis-cli", "-p", str(port or RPORT), *args], capture_output=True, text=True).stdout.strip()

def start_redis(port=None, password=None):
    port = port or RPORT
    if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() in ("PONG",) and not password:
        return
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--daemonize", "yes", "--pidfile", f"{RUN}/redis-{port}.pid", "--logfile", f"{RUN}/redis-{port}.log"]
    if password:
        cmd += ["--requirepass", password]
    subprocess.run(cmd, check=True)
    for _ in range(50):
        r = subprocess.run(["redis-cli", "-p", str(port)] + (["-a", password, "--no-auth-warning"] if password else []) + ["ping"], capture_output=True, text=True)
        if r.stdout.strip() == "PONG": return
        time.sleep(0.1)

def redis_pid(port=None):
    try: return int(open(f"{RUN}/redis-{port or RPORT}.pid").read())
    except Exception: return None

def stop_redis(port=None):
    pid = redis_pid(port)
    if pid:
        try: os.kill(pid, signal.SIGCONT); os.kill(pid, signal.SIGTERM)
        except ProcessLookupError: pass
        for _ in range(50):
            try: os.kill(pid, 0); time.sleep(0.05)
            except ProcessLookupError: break

def http(method, path, body=None):
    req = urllib.request.Request(S + path, method=method, data=body.encode() if body else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        t = r.read().decode()
    return json.loads(t) if t.strip() else None

SANDBOX = {}
def start_sandbox():
    try:
        http("GET", "/_sandbox/health")
    except Exception:
        out = open(f"{RUN}/sandbox.json", "w")
        p = subprocess.Popen([V, "sandbox", "--listen", f"127.0.0.1:{SPORT}", "--json"], stdout=out, stderr=open(f"{RUN}/sandbox.err", "w"))
        open(f"{RUN}/sandbox.pid", "w").write(str(p.pid))
        for _ in range(100):
            try: http("GET", "/_sandbox/health"); break
            except Exception: time.sleep(0.1)
    for _ in range(50):
        try:
            c = json.load(open(f"{RUN}/sandbox.json")); break
        except Exception: time.sleep(0.1)
    SANDBOX.update(c)
    for k in ("telesign_api_key", "dotdigital_password"):
        SECRETS.append(c[k])
    return c

def stop_sandbox():
    try:
        os.kill(int(open(f"{RUN}/sandbox.pid").read()), signal.SIGTERM)
    except Exception: pass

def env():
    e = dict(os.environ)
    for k in list(e):
        if k.lower() in ("http_proxy", "https_proxy", "all_proxy"): del e[k]
    e["NO_PROXY"] = "*"
    e["TELESIGN_CUSTOMER_ID"] = SANDBOX["telesign_customer_id"]
    e["TELESIGN_API_KEY"] = SANDBOX["telesign_api_key"]
    e["DOTDIGITAL_USERNAME"] = SANDBOX["dotdigital_username"]
    e["DOTDIGITAL_PASSWORD"] = SANDBOX["dotdigital_password"]
    return e

def outbox(to=None):
    return http("GET", "/_sandbox/messages" + (f"?to={to}" if to else ""))

def clear():
    http("DELETE", "/_sandbox/messages"); http("DELETE", "/_sandbox/faults")
    rcli("flushall")

def fault(route, f, count=1):
    return http("POST", "/_sandbox/faults", json.dumps({"route": route, "fault": f, "count": count}))

class Res:
    def __init__(self, args, rc, out, err, dt):
        self.args, self.rc, self.out, self.err, self.dt = args, rc, out, err, dt
        self.json = None
        if "--json" in args and out.strip():
            try: self.json = json.loads(out)
            except Exception: self.json = "UNPARSEABLE"
    def kind(self):
        j = self.json
        if isinstance(j, dict):
            if j.get("ok") is False: return (j.get("error") or {}).get("kind")
            return "ok"
        return None
    def err_field(self, f):
        j = self.json
        return (j.get("error") or {}).get(f) if isinstance(j, dict) else None
    def __repr__(self):
        return f"rc={self.rc} dt={self.dt:.2f}s out={self.out.strip()[:400]!r} err={self.err.strip()[:300]!r}"

def run(args, timeout=30, stdin=None, extra_env=None):
    e = env()
    if extra_env: e.update(extra_env)
    t = time.time()
    try:
        p = subprocess.run([V] + args, capture_output=True, text=True, timeout=timeout, env=e, input=stdin, errors="replace")
        r = Res(args, p.returncode, p.stdout, p.stderr, time.time() - t)
    except subprocess.TimeoutExpired as ex:
        r = Res(args, "HANG", (ex.stdout or b"").decode(errors="replace") if isinstance(ex.stdout, bytes) else (ex.stdout or ""), "", time.time() - t)
    ALL_RESULTS.append(r)
    return r

def run_many(argss, timeout=60):
    res = [None] * len(argss)
    def w(i):
        res[i] = run(argss[i], timeout=timeout)
    ts = [threading.Thread(target=w, args=(i,)) for i in range(len(argss))]
    for t in ts: t.start()
    for t in ts: t.join()
    return res

def base(provider_url=True):
    return ["--base-url", S] if provider_url else []

def global_checks(tag):
    """No panic (101), no hang, every --json output parses, no secret leaks."""
    bad = [r for r in ALL_RESULTS if r.rc == 101 or r.rc == "HANG" or r.json == "UNPARSEABLE" or "panicked" in r.err]
    finding(f"{tag}: no panic/hang/unparseable JSON over {len(ALL_RESULTS)} runs", not bad,
            "; ".join(f"{' '.join(x.args)[:200]} -> {x!r}" for x in bad[:3]))
    leaks = []
    for r in ALL_RESULTS:
        for s in SECRETS:
            if s and (s in r.out or s in r.err):
                leaks.append((s[:4] + "...", ' '.join(r.args)[:200], r))
    finding(f"{tag}: no secret in stdout/stderr over {len(ALL_RESULTS)} runs", not leaks,
            "; ".join(f"{a} in {b} -> {c!r}" for a, b, c in leaks[:3]))

def summary():
    v = [f for f in FINDINGS if not f[1]]
    log(f"== {len(FINDINGS)} checks, {len(v)} violations")
    return 1 if v else 0
