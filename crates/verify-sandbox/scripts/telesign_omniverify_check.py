#!/usr/bin/env python3
"""TeleSign's official enterprise SDK (`telesignenterprise` 4.1, class `OmniVerify`) against
the sandbox's Verify API (`/verification`). `.ci/run` runs it through sdk_check.sh, which
installs the SDK and starts the sandbox; by hand:

    python3 -m venv /tmp/ts && /tmp/ts/bin/pip install telesign==4.1.1 telesignenterprise==4.1.0
    cargo run -p verify-sandbox -- --telesign-customer-id SANDBOX-CUSTOMER \
        --telesign-api-key c2FuZGJveC1rZXktZm9yLXRoZS1weXRob24tc2Rr &
    /tmp/ts/bin/python crates/verify-sandbox/scripts/telesign_omniverify_check.py \
        http://127.0.0.1:PORT SANDBOX-CUSTOMER c2FuZGJveC1rZXktZm9yLXRoZS1weXRob24tc2Rr

Creates a verification process (HMAC, the SDK's default, and Basic), retrieves it, reads
the code from the sandbox's outbox, finalizes it with a wrong and then the right code, and
checks the refusals. Exits non-zero on the first disagreement.

What the SDK really sends (telesignenterprise 4.1.0 over telesign 4.1.1), and what this
check therefore expects:
- createVerificationProcess(phone, params) posts json.dumps(params) with HMAC over that
  exact text. Its `params` default is a shared mutable dict that it modifies: always pass
  a fresh dict.
- getVerificationProcess sends HMAC with an empty Content-Type header and the stray query
  `?headers=Content-Type&headers=Accept`; the sandbox ignores the query (it is not signed).
- updateVerificationProcess without use_basic_auth sends the JSON percent-encoded in the
  query string with an empty body (with HMAC, the client's default, it signs that JSON as
  the body line): the sandbox authenticates it and answers 400/3110 (no attempt used).
  With use_basic_auth=True it sends a proper JSON body with Basic; its answer object then
  has `json` as a method (response.json), not the parsed body.
"""
import json
import sys
import urllib.request

from telesignenterprise.omniverify import OmniVerify


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        sys.exit(1)


def body(r):
    """The parsed JSON of either kind of answer object the SDK hands back."""
    j = r.json
    if callable(j):
        try:
            return j()
        except ValueError:
            return None
    return j


def status(r):
    b = body(r) or {}
    return r.status_code, (b.get("status") or {}).get("code")


def outbox(base):
    with urllib.request.urlopen(f"{base}/_sandbox/messages") as r:
        return json.load(r)


def sent(base, reference_id):
    return [m for m in outbox(base) if m["verification_id"] == reference_id]


def main():
    base, customer_id, api_key = sys.argv[1:4]
    for auth_method in (None, "Basic"):
        label = auth_method or "HMAC"
        ov = OmniVerify(customer_id, api_key, rest_endpoint=base, auth_method=auth_method)
        phone = "15555550110" if auth_method is None else "15555550111"

        r = ov.createVerificationProcess(phone, {})
        b = body(r)
        check(status(r) == (200, 3901), f"{label}: create -> {r.status_code} {r.body}")
        check(b["state"] == "ONGOING" and b["recipient"] == {"phone_number": phone},
              f"{label}: create answers ONGOING and echoes the recipient")
        check(b["verification_policy"] == [{"method": "sms", "fallback_time": 60}],
              f"{label}: the default policy comes back with its fallback time")
        ref = b["reference_id"]
        check(len(ref) == 32 and all(c in "0123456789ABCDEF" for c in ref), f"{label}: reference_id {ref}")
        messages = sent(base, ref)
        check(len(messages) == 1 and messages[0]["provider"] == "telesign_verify"
              and messages[0]["channel"] == "sms" and messages[0]["to"] == phone,
              f"{label}: one SMS in the outbox -> {messages}")
        code = messages[0]["code"]
        check(len(code) == 6 and code.isdigit(), f"{label}: a 6-digit code")

        r = ov.getVerificationProcess(ref)
        b = body(r)
        check(r.status_code == 200 and b["state"] == "ONGOING" and b["reference_id"] == ref,
              f"{label}: retrieve (empty Content-Type, stray query) -> {r.status_code} {r.body}")
        check(b["inner_methods"][0]["method"] == "sms" and b["inner_methods"][0]["state"] == "ONGOING",
              f"{label}: retrieve shows the SMS ongoing")
        check(code not in r.body, f"{label}: retrieve never shows the code")

        # Without use_basic_auth the SDK finalizes through RestClient.patch, which puts the
        # JSON in the query string and sends an empty body (with HMAC, the default, the
        # signature covers that JSON): authenticated, and refused for the missing body.
        r = ov.updateVerificationProcess(ref, {"action": "finalize", "security_factor": code})
        check(status(r) == (400, 3110), f"{label}: default finalize (JSON in the query, empty body) -> {r.status_code} {r.body}")

        wrong = "000000" if code != "000000" else "111111"
        r = ov.updateVerificationProcess(ref, {"action": "finalize", "security_factor": wrong}, use_basic_auth=True)
        check(status(r) == (200, 3904), f"{label}: wrong code -> {r.status_code} {r.body}")
        r = ov.updateVerificationProcess(ref, {"action": "finalize", "security_factor": code}, use_basic_auth=True)
        check(status(r) == (200, 3900), f"{label}: right code -> {r.status_code} {r.body}")
        r = ov.updateVerificationProcess(ref, {"action": "finalize", "security_factor": code}, use_basic_auth=True)
        check(status(r) == (400, 3911), f"{label}: finalize again -> {r.status_code} {r.body}")
        r = ov.getVerificationProcess(ref)
        check(r.status_code == 200 and body(r)["state"] == "VERIFIED", f"{label}: retrieve -> VERIFIED")

        # Refused requests: nothing is sent.
        before = len(outbox(base))
        r = ov.createVerificationProcess("0123", {})
        check(status(r) == (400, 3101), f"{label}: invalid phone -> {r.status_code} {r.body}")
        r = ov.createVerificationProcess("", {})
        check(status(r) == (400, 3302), f"{label}: missing phone -> {r.status_code} {r.body}")
        r = ov.createVerificationProcess(phone, {"verification_policy": [{"method": "sms", "fallback_time": 10}]})
        check(status(r) == (400, 3110), f"{label}: fallback_time under 30 -> {r.status_code} {r.body}")
        check(len(outbox(base)) == before, f"{label}: refused creates send nothing")

        # The caller's own code and a fallback policy.
        r = ov.createVerificationProcess(phone, {
            "verification_policy": [{"method": "sms", "fallback_time": 30}, {"method": "voice"}],
            "security_factor": "4321",
            "external_id": "sdk-check",
        })
        b = body(r)
        check(status(r) == (200, 3901) and b["verification_policy"] == [
            {"method": "sms", "fallback_time": 30}, {"method": "voice", "fallback_time": 60}],
            f"{label}: create with a policy -> {r.status_code} {r.body}")
        check(sent(base, b["reference_id"])[0]["code"] == "4321", f"{label}: the security_factor is the code")
        r = ov.getVerificationProcess(b["reference_id"])
        check(body(r).get("external_id") == "sdk-check" and body(r)["inner_methods"][1] == {"method": "voice", "state": "CREATED"},
              f"{label}: retrieve shows external_id and the untried voice method -> {r.body}")
        r = ov.updateVerificationProcess(b["reference_id"], {"action": "finalize", "security_factor": "4321"}, use_basic_auth=True)
        check(status(r) == (200, 3900), f"{label}: finalize with the own code -> {r.body}")

    ov = OmniVerify(customer_id, api_key, rest_endpoint=base)
    r = ov.getVerificationProcess("0" * 32)
    check(status(r) == (404, 3110) and body(r)["status"]["description"] == "Invalid reference_id",
          f"unknown reference_id -> {r.status_code} {r.body}")
    bad = OmniVerify(customer_id, "AAAA" + api_key[4:], rest_endpoint=base)
    r = bad.createVerificationProcess("15555550112", {})
    check(status(r) == (401, 3400), f"tampered key refused -> {r.status_code} {r.body}")
    print("TeleSign's OmniVerify (telesignenterprise) works against the sandbox's Verify API")


if __name__ == "__main__":
    main()
