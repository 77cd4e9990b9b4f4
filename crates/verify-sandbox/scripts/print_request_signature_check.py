"""`verify ... --print-request` against TeleSign's official Python SDK's signing.

For JSON bodies (the Verify API's create and finalize), a GET (retrieve) and a form body
(the classic SMS send), the request the CLI prints at a fixed date and nonce must carry
the Authorization header that the SDK's RestClient.generate_telesign_headers computes
for the same method, content type, body and resource. Usage:

    print_request_signature_check.py VERIFY_BINARY CUSTOMER_ID API_KEY
"""

import subprocess
import sys
from urllib.parse import urlsplit

from telesign.rest import RestClient

VERIFY, CUSTOMER, KEY = sys.argv[1], sys.argv[2], sys.argv[3]
DATE = "Tue, 01 Dec 2026 12:00:00 GMT"
NONCE = "8D2A6D2C-0000-4000-8000-0000000000AA"
REF = "0123456789ABCDEF0123456789ABCDEF"

CASES = [
    ("Verify API create (JSON)", ["telesign", "verification", "create", "--to", "15555550100",
                                  "--method", "sms:60", "--method", "whatsapp",
                                  "--external-id", "order-42"]),
    ("Verify API create with an own code (JSON)", ["telesign", "verification", "create",
                                                   "--to", "15555550100", "--code", "48151623"]),
    ("Verify API retrieve (GET)", ["telesign", "verification", "get", "--reference-id", REF]),
    ("Verify API finalize (JSON)", ["telesign", "verification", "finalize", "--reference-id", REF,
                                    "--code", "123456"]),
    ("classic SMS (form)", ["telesign", "send", "--to", "15555550100",
                            "--template", "Your code is $$CODE$$"]),
]


def printed(args):
    out = subprocess.run(
        [VERIFY, *args, "--customer-id", CUSTOMER, "--api-key", KEY, "--print-request",
         "--date", DATE, "--nonce", NONCE],
        capture_output=True, check=True, env={"PATH": "/usr/bin:/bin"},
    ).stdout.decode("utf-8")
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, urlsplit(target).path, headers, body


failures = 0
for name, args in CASES:
    method, resource, headers, body = printed(args)
    content_type = headers.get("content-type", "")
    want = RestClient.generate_telesign_headers(
        CUSTOMER, KEY, method, resource, body, date_rfc2616=DATE, nonce=NONCE,
        content_type=content_type or (None if method in ("POST", "PUT") else ""),
    )["Authorization"]
    if headers.get("authorization") == want and headers.get("date") == DATE:
        print(f"ok: {name}: {method} {resource}")
    else:
        failures += 1
        print(f"FAIL: {name}: the CLI signed {headers.get('authorization')!r}, the SDK {want!r}")
sys.exit(1 if failures else 0)
