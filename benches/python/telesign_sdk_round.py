"""TeleSign's official Python SDK doing its share of a TeleSign SMS round.

The same work as the Rust benchmark `round/telesign_sms` (benches/benches/core.rs),
as the SDK does it: form-encode the fields (urlencode), format the date,
build and sign the request with `RestClient.generate_telesign_headers`, and read
the answer with `json.loads`. The SDK's signature for the fixed date and nonce is
checked against the one the Rust library produces (`SMS_AUTHORIZATION` in
benches/src/samples.rs), so both sides provably do the same signing.

Prints one JSON object: nanoseconds per round (the median of several runs of
many rounds, timed with time.perf_counter_ns), and the runs. Run by
`cargo xtask bench` with the SDK installed (pinned) in target/telesign-sdk-venv.
"""

import json
import platform
import statistics
import sys
import time
from email.utils import formatdate
from importlib.metadata import version
from urllib.parse import urlencode

from telesign.rest import RestClient

CUSTOMER_ID = "FFFFFFFF-EEEE-DDDD-1234-AB1234567890"
API_KEY = "EXAMPLETE8sTgg45yusumoN6BYsBVkh+yRJ5czgsnCehZaOYldPJdmFh6NeX8kunZ2zU1YWaUw/0wV6xfw=="
NONCE = "A1592C6F-E384-4CDB-BC42-C3AB970369E9"
NOW = 1481739612  # Wed, 14 Dec 2016 18:20:12 GMT, as in the Rust samples
USER_AGENT = "verify-rs/0.1.0"
FIELDS = [
    ("phone_number", "15555550100"),
    ("ucid", "ATCK"),
    ("verify_code", "12345"),
    ("template", "Your Example code is $$CODE$$"),
]
SEND_OK = (
    '{"reference_id":"0123456789ABCDEF0123456789ABCDEF","status":{"code":290,'
    '"description":"Message in progress","updated_on":"2016-12-14T18:20:12Z"},'
    '"verify":{"code_state":"UNKNOWN","code_entered":""}}'
)
EXPECTED_BODY = (
    "phone_number=15555550100&ucid=ATCK&verify_code=12345"
    "&template=Your+Example+code+is+%24%24CODE%24%24"
)
EXPECTED_AUTHORIZATION = (
    "TSA FFFFFFFF-EEEE-DDDD-1234-AB1234567890:2pDndlnRPZcpyveHE7XumOwnZoTri8VuOFg3mB+2i1k="
)


def one_round():
    body = urlencode(FIELDS)
    date = formatdate(NOW, usegmt=True)
    headers = RestClient.generate_telesign_headers(
        CUSTOMER_ID,
        API_KEY,
        "POST",
        "/v1/verify/sms",
        body,
        date_rfc2616=date,
        nonce=NONCE,
        user_agent=USER_AGENT,
    )
    answer = json.loads(SEND_OK)
    return body, headers, answer


def timed(rounds):
    start = time.perf_counter_ns()
    for _ in range(rounds):
        one_round()
    return (time.perf_counter_ns() - start) / rounds


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    body, headers, answer = one_round()
    assert body == EXPECTED_BODY, body
    assert headers["Authorization"] == EXPECTED_AUTHORIZATION, headers["Authorization"]
    assert headers["Date"] == "Wed, 14 Dec 2016 18:20:12 GMT", headers["Date"]
    assert answer["status"]["code"] == 290
    timed(rounds // 10)  # warm-up
    per_round = [timed(rounds) for _ in range(runs)]
    print(
        json.dumps(
            {
                "ns_per_round": statistics.median(per_round),
                "runs_ns_per_round": per_round,
                "rounds_per_run": rounds,
                "sdk": version("telesign"),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
