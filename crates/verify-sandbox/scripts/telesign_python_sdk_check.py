#!/usr/bin/env python3
"""TeleSign's official Python SDK against the sandbox. `.ci/run` runs it through
sdk_check.sh, which installs the SDK and starts the sandbox; by hand:

    python3 -m venv /tmp/ts && /tmp/ts/bin/pip install telesign==4.1.1
    cargo run -p verify-sandbox -- --telesign-customer-id SANDBOX-CUSTOMER \
        --telesign-api-key c2FuZGJveC1rZXktZm9yLXRoZS1weXRob24tc2Rr &
    /tmp/ts/bin/python crates/verify-sandbox/scripts/telesign_python_sdk_check.py \
        http://127.0.0.1:PORT SANDBOX-CUSTOMER c2FuZGJveC1rZXktZm9yLXRoZS1weXRob24tc2Rr

Sends a code with the SDK's RestClient (HMAC, its default, then Basic), reads it from the
sandbox's outbox, checks a wrong and the right code, reports completion, and checks that
a tampered key is refused. Exits non-zero on the first disagreement.
"""
import json
import sys
import urllib.request

from telesign.rest import RestClient
from telesign.messaging import MessagingClient


def outbox(base, to):
    with urllib.request.urlopen(f"{base}/_sandbox/messages?to={to}") as r:
        return json.load(r)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        sys.exit(1)


def main():
    base, customer_id, api_key = sys.argv[1:4]
    for auth_method in (None, "Basic"):
        label = auth_method or "HMAC"
        client = RestClient(customer_id, api_key, rest_endpoint=base, auth_method=auth_method)
        phone = "15555550100" if auth_method is None else "15555550101"
        r = client.post("/v1/verify/sms", phone_number=phone, ucid="ATCK")
        check(r.status_code == 200 and r.json["status"]["code"] == 290, f"{label}: send sms -> {r.status_code} {r.body}")
        ref = r.json["reference_id"]
        code = outbox(base, phone)[-1]["code"]
        r = client.get(f"/v1/verify/{ref}", verify_code="0000000" if code != "0000000" else "1111111")
        check(r.json["verify"]["code_state"] == "INVALID", f"{label}: wrong code -> {r.body}")
        r = client.get(f"/v1/verify/{ref}", verify_code=code)
        check(r.json["verify"]["code_state"] == "VALID", f"{label}: right code -> {r.body}")
        r = client.put(f"/v1/verify/completion/{ref}")
        check(r.status_code == 200 and r.json["status"]["code"] == 1900, f"{label}: completion -> {r.body}")
        r = client.post("/v1/verify/call", phone_number=phone, verify_code="12345")
        check(r.status_code == 200, f"{label}: voice call -> {r.body}")

    # MessagingClient signs the same way; the sandbox has no /v1/messaging route.
    m = MessagingClient(customer_id, api_key, rest_endpoint=base)
    r = m.message("15555550100", "hello", "OTP")
    check(r.status_code == 404, f"MessagingClient reaches the sandbox (no such route): {r.status_code}")

    bad = RestClient(customer_id, "AAAA" + api_key[4:], rest_endpoint=base)
    r = bad.post("/v1/verify/sms", phone_number="15555550100")
    check(r.status_code == 401 and r.json["errors"][0]["code"] == -30006, f"tampered key refused -> {r.body}")
    bad_basic = RestClient(customer_id, "AAAA" + api_key[4:], rest_endpoint=base, auth_method="Basic")
    r = bad_basic.post("/v1/verify/sms", phone_number="15555550100")
    check(r.status_code == 401 and r.json["errors"][0]["code"] == -30015, f"tampered key refused (Basic) -> {r.body}")
    print("the official Python SDK authenticates against the sandbox")


if __name__ == "__main__":
    main()
