#!/usr/bin/env python3
"""Attack 1: output scrubbing vs a hostile provider echoing secrets."""
import base64, html, json, os, subprocess, sys, time, urllib.parse, urllib.request
V = "/tmp/adv5/verify"; HERE = os.path.dirname(os.path.abspath(__file__))
fp = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_provider.py")], stdout=subprocess.PIPE, text=True)
port = int(fp.stdout.readline().split()[1]); URL = f"http://127.0.0.1:{port}"
def ctl(p): urllib.request.urlopen(URL + p).read()
CUST = "CE26585F-AD7F-4631-A239-616EE4300705"
KEY = "xz3F8Y7m12atgJzmhBH16pEbP+wfC2HT+65RVI+YKV+sx9UgS+FEZjDhDlnbfT8JT9KAlghdQM5DccT6wX/3og=="
USER = "sandbox_f213f8f6@apiconnector.com"
PASSES = ["49wnQpchF4QRvrTxtFJY", "Pw<&>\"'/ex+%x Q9zz", "pässwörd-ÉÈ-long"]
PROXYPW = "proxy-Secret-77"; STOREPW = "store-Secret-88"
b64 = lambda s: base64.b64encode(s.encode()).decode()
VARIANTS = ["raw", "b64", "b64nopad", "b64url", "url", "urllower", "urlplus", "html", "htmlnum", "json", "jsonslash",
            "jsonu", "upper", "lower", "hex", "rev", "b64shift", "spaced", "tab"]
NOTE_ONLY = {"hex", "rev", "b64shift", "spaced", "htmlnum", "jsonu"}  # not claimed by the design
def forms(s):
    b = s.encode(); q = urllib.parse.quote(s, safe="")
    return {s, base64.b64encode(b).decode(), base64.b64encode(b).decode().rstrip("="),
            base64.urlsafe_b64encode(b).decode().rstrip("="), q, q.lower(), urllib.parse.quote_plus(s),
            html.escape(s, quote=True), json.dumps(s)[1:-1]}
def lcs(a, b):  # longest common substring length (case-insensitive)
    a, b = a.lower(), b.lower(); best = 0
    for i in range(len(b)):
        lo = best + 1
        while i + lo <= len(b) and b[i:i+lo] in a: best = lo; lo += 1
    return best
runs = 0; viol = []; notes = []
def run(label, args, secrets, env_extra=None):
    global runs
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELESIGN", "DOTDIGITAL")) and "PROXY" not in k.upper()}
    env.update(env_extra or {})
    p = subprocess.run([V] + args, capture_output=True, env=env, timeout=60); runs += 1
    out = p.stdout.decode("utf-8", "replace") + "\n" + p.stderr.decode("utf-8", "replace")
    if p.returncode == 101 or "panicked" in out: viol.append((label, "PANIC", args, out[-500:]))
    if p.stdout and "--json" in args:
        try: json.loads(p.stdout)
        except Exception as e: viol.append((label, "stdout JSON does not parse", args, p.stdout[:300]))
    for s in secrets:
        for f in forms(s):
            if len(f) >= 8 and f.lower() in out.lower():
                viol.append((label, f"LEAK form {f!r} of {s!r}", args, out[:1500])); break
        else:
            n = lcs(out, s)
            if n >= 10: (notes if any(v in label for v in NOTE_ONLY) else viol).append((label, f"partial leak: {n} chars of {s!r}", args, out[:1500]))
    return p, out
def ts(extra, pw_env=False):
    a = ["telesign", "send", "--to", "447700900123", "--auth", "basic", "--base-url", URL, "--proxy", f"http://u:{PROXYPW}@127.0.0.1:{port}"] + extra
    return a
only = sys.argv[1:] 
for kind in ["ok", "err", "raw", "cut150", "cut155", "cut158", "big", "badutf8"]:
    for v in VARIANTS:
        if only and v not in only: continue
        ctl(f"/__mode/{kind}/{v}")
        ctl("/__extra/" + "/".join(urllib.parse.quote(x, safe="") for x in [PROXYPW, STOREPW]))
        for js in ([], ["--json"]):
            lab = f"{kind}/{v}/{'json' if js else 'human'}"
            tsec = [CUST, KEY, b64(CUST + ":" + KEY), CUST + ":" + KEY, PROXYPW]
            run("ts-flags " + lab, js + ts(["--customer-id", CUST, "--api-key", KEY]), tsec)
            run("ts-eqflags " + lab, js + ts([f"--customer-id={CUST}", f"--api-key={KEY}"]), tsec)
            run("ts-env-hmac " + lab, js + ["telesign", "status", "--reference-id", "0123456789abcdef0123456789abcdef", "--base-url", URL],
                [CUST, KEY], {"TELESIGN_CUSTOMER_ID": CUST, "TELESIGN_API_KEY": KEY})
            for pw in PASSES:
                dsec = [pw, USER + ":" + pw, b64(USER + ":" + pw), PROXYPW]
                run("dd-flags " + lab, js + ["dotdigital", "send", "--to", "447700900123", "--from", "Acme", "--username", USER, "--password", pw,
                    "--base-url", URL, "--proxy", f"http://u:{urllib.parse.quote(PROXYPW)}@127.0.0.1:{port}"], dsec)
                run("dd-env " + lab, js + ["dotdigital", "send", "--to", "447700900123", "--from", "Acme", "--base-url", URL, "--guard",
                    "--store", f"redis://:{STOREPW}@127.0.0.1:1/0"] , dsec[:3] + [STOREPW],
                    {"DOTDIGITAL_USERNAME": USER, "DOTDIGITAL_PASSWORD": pw, "HTTP_PROXY": f"http://u:{PROXYPW}@127.0.0.1:{port}"})
fp.kill()
print(f"runs={runs} violations={len(viol)} notes={len(notes)}")
seen = set()
for l, what, args, out in viol + [("NOTE " + n[0],) + n[1:] for n in notes]:
    key = (l.split()[0] + " " + l.split()[1].split("/")[0] if not l.startswith("NOTE") else l, what[:40])
    print("-" * 60); print(l, "::", what); print("  args:", " ".join(repr(a) for a in args)[:400]); print("  out:", out[:700].replace("\n", "\n       "))
