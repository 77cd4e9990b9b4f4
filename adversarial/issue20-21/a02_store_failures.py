#!/usr/bin/env python3
"""Store failures: refused port, black-hole socket, SIGSTOPped redis, redis killed mid-race.
Expect exit 3, kind blocked, rule store_unavailable, nothing sent, no hang (< ~5 s)."""
from lib import *
start_redis(); start_sandbox()
B = ["--base-url", S, "--json"]

# black hole: accepts, never answers
bh = socket.socket(); bh.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); bh.bind(("127.0.0.1", 0)); bh.listen(100)
BHPORT = bh.getsockname()[1]
conns = []
def acceptor():
    while True:
        try: c, _ = bh.accept(); conns.append(c)
        except Exception: return
threading.Thread(target=acceptor, daemon=True).start()
# garbage speaker: answers non-RESP junk
gs = socket.socket(); gs.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); gs.bind(("127.0.0.1", 0)); gs.listen(100)
GSPORT = gs.getsockname()[1]
def garbage():
    while True:
        try:
            c, _ = gs.accept(); c.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 1000); c.close()
        except Exception: return
threading.Thread(target=garbage, daemon=True).start()
# find a refused port
tmp = socket.socket(); tmp.bind(("127.0.0.1", 0)); DEAD = tmp.getsockname()[1]; tmp.close()

stores = {"refused": f"redis://127.0.0.1:{DEAD}", "blackhole": f"redis://127.0.0.1:{BHPORT}",
          "garbage": f"redis://127.0.0.1:{GSPORT}", "blackhole-pass": f"redis://:hunter2SECRET@127.0.0.1:{BHPORT}/3",
          "bad-db": f"redis://127.0.0.1:{RPORT}/99"}
SECRETS.append("hunter2SECRET")
variants = {
    "guard start": lambda st, n: ["start", "--to", n, "--guard", "--store", st],
    "idem start": lambda st, n: ["start", "--to", n, "--idempotency-key", "k1", "--store", st],
    "purpose start": lambda st, n: ["start", "--to", n, "--purpose", "login", "--store", st],
    "guard telesign send": lambda st, n: ["telesign", "send", "--to", n, "--guard", "--store", st],
    "guard telesign voice": lambda st, n: ["telesign", "voice", "--to", n, "--guard", "--store", st],
    "guard dotdigital send": lambda st, n: ["dotdigital", "send", "--to", n, "--from", "Example", "--guard", "--store", st],
    "guard verification create": lambda st, n: ["telesign", "verification", "create", "--to", n, "--guard", "--store", st],
}
i = 0
for sname, st in stores.items():
    for vname, mk in variants.items():
        clear(); i += 1
        num = f"4474009{i:02d}456"
        r = run(mk(st, num) + B, timeout=20)
        m = len(outbox(num))
        exp3 = r.rc == 3 and r.kind() == "blocked" and r.err_field("rule") == "store_unavailable" and r.err_field("message_may_have_been_sent") is False
        finding(f"{sname} / {vname}: exit 3 store_unavailable, nothing sent, < 5 s", exp3 and m == 0 and r.dt < 5,
                f"outbox={m} {r!r}")
# check by number against failed stores
for sname, st in stores.items():
    r = run(["check", "--to", "447400999456", "--purpose", "login", "--code", "123456", "--store", st] + B, timeout=20)
    finding(f"{sname} / check --to: fails (no panic), < 5 s, exit 1/3", r.rc in (1, 3) and r.dt < 5, repr(r))

# SIGSTOPped redis: accepts (kernel backlog) and never answers
clear()
pid = redis_pid()
os.kill(pid, signal.SIGSTOP)
try:
    for vname in ["guard start", "idem start"]:
        num = "447401000456"
        r = run(variants[vname](R, num) + B, timeout=20)
        ok = r.rc == 3 and r.err_field("rule") == "store_unavailable" and r.dt < 5
        log_m = None
        finding(f"SIGSTOPped redis / {vname}: exit 3 store_unavailable < 5 s", ok, repr(r))
finally:
    os.kill(pid, signal.SIGCONT)
time.sleep(0.3)
finding("after SIGSTOP: nothing sent", len(outbox("447401000456")) == 0, f"outbox={len(outbox('447401000456'))}")

# redis killed in the middle of a 30-process race, then restarted: at most one message
for rnd in range(3):
    start_redis(); clear()
    num = f"4474011{rnd:02d}456"
    res = [None]
    def racer():
        res[0] = run_many([["start", "--to", num, "--guard", "--store", R] + B for _ in range(30)], timeout=30)
    t = threading.Thread(target=racer); t.start()
    time.sleep(0.15 + 0.1 * rnd)
    stop_redis()
    t.join()
    m = len(outbox(num))
    kinds = {}
    for r in res[0]:
        key = (r.rc, r.err_field("rule")); kinds[key] = kinds.get(key, 0) + 1
    finding(f"redis killed mid-race {rnd}: <=1 message, others exit 3, no hang", m <= 1 and all(r.rc in (0, 3) for r in res[0]) and max(r.dt for r in res[0]) < 6,
            f"outbox={m} {kinds} maxdt={max(r.dt for r in res[0]):.1f}")
    start_redis()
# redis killed mid idempotency race
for rnd in range(2):
    start_redis(); clear()
    num = f"4474012{rnd:02d}456"
    fault("telesign.sms", {"kind": "delay", "ms": 800}, 1)
    res = [None]
    def racer2():
        res[0] = run_many([["start", "--to", num, "--idempotency-key", "kk", "--store", R] + B for _ in range(8)], timeout=30)
    t = threading.Thread(target=racer2); t.start()
    time.sleep(0.3)
    stop_redis(); t.join()
    m = len(outbox(num))
    finding(f"redis killed mid idem race {rnd}: <=1 message", m <= 1, f"outbox={m} {[(r.rc, r.kind(), round(r.dt,1)) for r in res[0]]}")
    start_redis()
global_checks("a02")
sys.exit(summary())
