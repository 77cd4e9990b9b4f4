#!/usr/bin/env python3
"""Hostile fake TeleSign/dotdigital provider that echoes secrets.
Mode set with GET /__mode/<kind>/<variant>; REFID/REQID set with GET /__ids/<refid>/<reqid>.
Prints 'PORT n' on stdout."""
import base64, html, json, sys, urllib.parse, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
STATE = {"kind": "ok", "variant": "raw", "refid": "0123456789abcdef0123456789abcdef",
         "reqid": "0bd57dc3-580c-4c1d-8aee-2ff79bd8633c", "extra": []}
def secrets_from_auth(h):
    out = []
    if not h: return out
    out.append(h)
    if " " in h:
        sch, tok = h.split(" ", 1); out.append(tok)
        if sch.lower() == "basic":
            try:
                d = base64.b64decode(tok).decode("utf-8", "replace"); out.append(d)
                if ":" in d: out += d.split(":", 1)
            except Exception: pass
        elif ":" in tok: out += tok.split(":", 1)
    return out
def enc(s, v):
    b = s.encode()
    return {"raw": s, "b64": base64.b64encode(b).decode(), "b64nopad": base64.b64encode(b).decode().rstrip("="),
            "b64url": base64.urlsafe_b64encode(b).decode().rstrip("="), "url": urllib.parse.quote(s, safe=""),
            "urllower": urllib.parse.quote(s, safe="").lower() if False else "".join(c.lower() if i and s else c for i, c in enumerate(urllib.parse.quote(s, safe=""))),
            "urlplus": urllib.parse.quote_plus(s), "html": html.escape(s, quote=True),
            "htmlnum": "".join("&#%d;" % ord(c) for c in s),
            "json": json.dumps(s)[1:-1], "jsonslash": json.dumps(s)[1:-1].replace("/", "\\/"),
            "jsonu": "".join("\\u%04x" % ord(c) for c in s),
            "upper": s.upper(), "lower": s.lower(), "hex": b.hex(), "rev": s[::-1],
            "b64shift": base64.b64encode(b"x" + b).decode(),
            "spaced": " ".join(s), "tab": s[:4] + "\t" + s[4:],
            }[v]
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body, ctype="application/json", headers=()):
        if isinstance(body, (dict, list)): body = json.dumps(body)
        if isinstance(body, str): body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers: self.send_header(k, v)
        self.end_headers(); self.wfile.write(body)
    def handle_any(self):
        p = self.path
        n = int(self.headers.get("Content-Length") or 0)
        req = self.rfile.read(n) if n else b""
        if p.startswith("/__mode/"):
            _, _, k, v = p.split("/", 3); STATE["kind"], STATE["variant"] = k, v
            return self.reply(200, {"ok": 1})
        if p.startswith("/__ids/"):
            _, _, r, q = p.split("/", 3); STATE["refid"], STATE["reqid"] = r, q
            return self.reply(200, {"ok": 1})
        if p.startswith("/__extra/"):
            STATE["extra"] = [urllib.parse.unquote(x) for x in p[len("/__extra/"):].split("/") if x]
            return self.reply(200, {"ok": 1})
        secs = [s for s in secrets_from_auth(self.headers.get("Authorization")) if len(s) >= 8] + STATE["extra"]
        secs.sort(key=len, reverse=True)
        v = STATE["variant"]; e = [enc(s, v) for s in secs]
        blob = " | ".join(e)
        first = e[0] if e else "none"
        half = len(first) // 2
        kind = STATE["kind"]
        hdrs = [("X-Echo", "".join(ch for ch in blob if 32 <= ord(ch) < 127)[:2000]), ("WWW-Authenticate", "Basic realm=\"%s\"" % first[:200].encode('ascii','replace').decode())]
        dd = "/webapi/verify" in p.lower()
        if kind == "ok":
            if dd:
                return self.reply(202 if self.command == "POST" else 200, {"requestId": STATE["reqid"], "phoneNumber": "+447700900123",
                    "status": "Weird" + first, "numberStatus": first[:half], "created": first[half:], "verified": blob}, headers=hdrs)
            return self.reply(200, {"reference_id": STATE["refid"], "resource_uri": "/v1/verify/" + STATE["refid"],
                "sub_resource": "sms" if len(sys.argv) < 3 else first, "errors": [{"code": -1, "description": blob}],
                "status": {"code": 290, "description": "Message in progress " + blob, "updated_on": "2024-01-01T00:00:00Z"},
                "verify": {"code_state": "X" + first, "code_entered": first[:half]}, "extra": first[half:]}, headers=hdrs)
        if kind == "err":
            if dd:
                return self.reply(400, [{"property": first[:half], "failureCode": "x" + first, "details": blob},
                                        {"property": "b", "failureCode": first[half:], "details": "second"}], headers=hdrs)
            return self.reply(401, {"status": {"code": 3400, "description": blob, "updated_on": "2024"},
                "errors": [{"code": -30000, "description": blob}, {"code": -1, "description": first[half:]}],
                "reference_id": STATE["refid"]}, headers=hdrs)
        if kind == "raw":  # non-JSON body, excerpt; cut position controlled by padding len in variant? use prefix
            return self.reply(502, "<html>" + blob + "</html>", ctype="text/html", headers=hdrs)
        if kind.startswith("cut"):  # pad so the 160-char cut lands inside the secret
            pad = int(kind[3:])
            return self.reply(502, "E" * pad + first + "Z" * 300, ctype="text/plain", headers=hdrs)
        if kind == "big":
            return self.reply(500, {"errors": [{"code": -1, "description": ("é\u0301\U0001F600\ufffd" * 50000) + blob}]}, headers=hdrs)
        if kind == "badutf8":
            return self.reply(500, b"\xff\xfe\xc3(" + blob.encode() + b"\xed\xa0\x80", ctype="text/plain", headers=hdrs)
        return self.reply(500, "?")
    do_GET = do_POST = do_PUT = handle_any
srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), H)
print("PORT", srv.server_address[1], flush=True)
srv.serve_forever()
