#!/usr/bin/env python3
"""Idempotency semantics: may-have-sent failure replay, nothing-sent failure resend, in-flight,
key reuse across numbers/providers, weird keys and purposes, junk records in redis."""
from lib import *
start_redis(); start_sandbox()
B = ["--base-url", S, "--json"]
def st(num, key, *extra):
    return run(["start", "--to", num, "--idempotency-key", key, "--store", R, *extra] + B, timeout=60)

# 1. first attempt: TeleSign received it, connection dropped (close_after) -> repeat must not send
for rnd in range(3):
    clear(); num = f"4474020{rnd:02d}456"
    fault("telesign.sms", {"kind": "close_after"}, 1)
    r1 = st(num, "kA")
    r2 = st(num, "kA")
    m = len(outbox(num))
    finding(f"close_after then repeat (round {rnd}): 1 message, repeat kind replayed, may_have_sent true",
            m == 1 and r2.rc == 1 and r2.kind() == "replayed" and r2.err_field("message_may_have_been_sent") is True,
            f"outbox={m} first={r1!r} second={r2!r}")
# 1b. TeleSign status 503 (processed, in outbox) then repeat
clear(); num = "447402100456"
fault("telesign.sms", {"kind": "telesign_status", "code": 503}, 1)
r1 = st(num, "kB"); r2 = st(num, "kB")
finding("status 503 (sent) then repeat: no 2nd message", len(outbox(num)) == 1 and r2.kind() == "replayed", f"outbox={len(outbox(num))} r1={r1!r} r2={r2!r}")
# 1c. --resend after may-have-sent: sends anew
r3 = st(num, "kB", "--resend")
finding("--resend after may-have-sent failure sends anew", len(outbox(num)) == 2 and r3.rc == 0, f"outbox={len(outbox(num))} r3={r3!r}")
# 2. nothing-sent failure (status 500 not attempted) -> key released, next sends
clear(); num = "447402200456"
fault("telesign.sms", {"kind": "telesign_status", "code": 500}, 1)
r1 = st(num, "kC"); r2 = st(num, "kC")
finding("500 not attempted then repeat: repeat sends (1 message), not replayed",
        len(outbox(num)) == 1 and r1.rc == 1 and r2.rc == 0 and r2.json.get("replayed") is False, f"r1={r1!r} r2={r2!r}")
# 2b. close_before (nothing processed): released?
clear(); num = "447402300456"
fault("telesign.sms", {"kind": "close_before"}, 1)
r1 = st(num, "kD"); r2 = st(num, "kD")
log(f"INFO close_before then repeat: outbox={len(outbox(num))} r1=({r1.rc},{r1.kind()},{r1.err_field('message_may_have_been_sent')}) r2=({r2.rc},{r2.kind()})")
# 3. in flight: first takes 40 s (delay fault); second waits up to the call limit then in_progress, nothing sent
clear(); num = "447402400456"
fault("telesign.sms", {"kind": "delay", "ms": 45000}, 1)
res = [None]
t = threading.Thread(target=lambda: res.__setitem__(0, st(num, "kE"))); t.start()
time.sleep(1.0)
r2 = st(num, "kE")
finding("in-flight repeat: exit 1 kind in_progress, nothing sent by it",
        r2.rc == 1 and r2.kind() == "in_progress" and r2.err_field("message_may_have_been_sent") is False, f"dt={r2.dt:.1f} {r2!r}")
t.join()
log(f"INFO slow first: {res[0]!r}; outbox={len(outbox(num))}")
r3 = st(num, "kE")
finding("repeat after the slow first timed out (provider processed it late): no second message", len(outbox(num)) <= 1,
        f"outbox={len(outbox(num))} r3={r3!r}")
# 4. same key, different number -> documented: another start (sends)
clear()
a = st("447402500456", "shared"); b = st("447402501456", "shared")
log(f"INFO same key other number: outbox={len(outbox())} a.rc={a.rc} b.rc={b.rc} b.replayed={b.json.get('replayed') if isinstance(b.json, dict) else None} (documented: scoped to number)")
# 4b. same key, same number, different provider -> replay of telesign id?
clear(); num = "447402600456"
a = st(num, "prov"); b = st(num, "prov", "--provider", "dotdigital")
log(f"INFO same key other provider: outbox={len(outbox(num))} a={a.out.strip()} b={b.out.strip()}")
# 4c. same key, different template/code -> replay of old verification (user code ignored!)
clear(); num = "447402700456"
a = st(num, "code", "--code", "111111"); b = st(num, "code", "--code", "222222")
log(f"INFO same key other --code: outbox={len(outbox(num))} b={b.out.strip()[:200]}")
# 5. weird keys
weird = {"empty": "", "space": " ", "spaces inside": "a b c", "newline": "a\nb", "tab": "a\tb", "star": "*",
         "hashtag": "{x}", "unicode": "ключ-🔑", "200": "k" * 200, "201": "k" * 201, "256": "k" * 256, "257": "k" * 257,
         "100KB": "k" * 100_000, "nul-like": "a\x7fb", "colon-prefix": "k:p:login:447400", "percent": "%s%n%x"}
for name, key in weird.items():
    clear(); num = "447402800456"
    r = run(["start", "--to", num, "--idempotency-key", key, "--store", R] + B)
    r2 = run(["start", "--to", num, "--idempotency-key", key, "--store", R] + B) if r.rc == 0 else None
    m = len(outbox(num))
    good = (r.rc == 2 and m == 0) or (r.rc == 0 and r2 is not None and r2.rc == 0 and m == 1)
    finding(f"idempotency key {name!r}: refused exit 2 naming it, or idempotent", good and (r.rc != 2 or "idempotency" in (r.out + r.err)),
            f"outbox={m} r={r!r}")
for name, p in {"empty": "", "upper": "Login", "space": "log in", "star": "*", "colon": "a:b", "unicode": "é", "65": "p" * 65, "64": "p" * 64, "braces": "{p}"}.items():
    clear(); num = "447402900456"
    r = run(["start", "--to", num, "--purpose", p, "--store", R] + B)
    finding(f"purpose {name!r}: exit 0 or exit 2 naming --purpose (never 101)", r.rc == 0 or (r.rc == 2 and "purpose" in (r.out + r.err)), repr(r))
for name, ck in {"empty": "", "unicode": "ip:🔑", "braces": "{a}", "newline": "a\nb", "100KB": "c" * 100_000, "star": "*"}.items():
    clear(); num = "447403000456"
    r = run(["start", "--to", num, "--guard", "--client-key", ck, "--store", R] + B)
    finding(f"client key {name!r}: exit 0/2, never 101", r.rc in (0, 2), repr(r))
# 5b. client-key with a colon/brace cannot collide into another key's counter: 10 sends with key 'a' exhaust 'a' only
clear()
for i in range(10): run(["start", "--to", f"4474031{i:02d}456", "--guard", "--client-key", "a", "--store", R] + B)
r = run(["start", "--to", "447403200456", "--guard", "--client-key", "a:", "--client-key", "{a}", "--store", R] + B)
finding("client key 'a:' / '{a}' not sharing the counter of 'a'", r.rc == 0, repr(r))
# 6. junk at the store's keys
clear(); num = "447403300456"
st(num, "junk")
keys = rcli("--scan").split("\n")
log("INFO redis keys after one keyed start:", keys[:10])
cases = []
for k in [k for k in keys if k]:
    for junk in [("SET", "garbage-\xff"), ("SET", "F"), ("SET", '{"x":1}'), ("HSET", "f", "v"), ("LPUSH", "x"), ("SET", "")]:
        clear(); st(num, "junk")  # fresh record
        rcli("DEL", k)
        rcli(junk[0], k, *junk[1:])
        rcli("PEXPIRE", k, "600000")
        before = len(outbox(num))
        r = st(num, "junk")
        g = run(["start", "--to", num, "--guard", "--idempotency-key", "junk", "--store", R] + B)
        sent = len(outbox(num)) - before
        cases.append((k, junk, r.rc, r.kind(), g.rc, g.kind(), sent))
        finding(f"junk {junk} at {k[:40]}: typed error or replay, never bypass/panic",
                r.rc in (0, 1, 3) and g.rc in (0, 1, 3) and sent == 0, f"sent={sent} r={r!r} g={g!r}")
# 6b. junk at shield keys: pre-seed every shield key for a number with a hash
clear(); num = "447403400456"
run(["start", "--to", num, "--guard", "--store", R] + B)
sk = [k for k in rcli("--scan").split("\n") if k.startswith("verify-shield")]
log("INFO shield keys:", sk[:12])
for k in sk:
    for cmd in [("HSET", k, "a", "b"), ("SET", k, "notanumber"), ("LPUSH", k, "x")]:
        clear(); rcli(*cmd)
        r = run(["start", "--to", num, "--guard", "--store", R] + B)
        finding(f"junk {cmd[0]} at shield key {k[:50]}: exit 3 (typed) or a counted send, no panic", r.rc in (0, 3) and r.rc != 101, repr(r))
global_checks("a03")
sys.exit(summary())
