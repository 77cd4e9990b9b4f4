"""TeleSign's official Python SDK doing its share of a TeleSign SMS round.

Two measures, each against its Rust counterpart in the core benchmark
(benches/benches/core.rs), which runs this script and alternates with it:

- share: the same work as `round/telesign_sms`, as the SDK does it: form-encode
  the fields (urlencode), format the date, build and sign the request with
  `RestClient.generate_telesign_headers`, and read the answer with `json.loads`.
  The SDK's signature for the fixed date and nonce is checked against the one
  the Rust library produces (`SMS_AUTHORIZATION` in benches/src/samples.rs), so
  both sides provably do the same signing.
- call: the SDK's whole call, `RestClient.post("/v1/verify/sms", ...)` (what
  `VerifyClient.sms` does), with a fresh date and nonce as the SDK makes them,
  and the socket replaced by a transport adapter that hands back the same
  answer at once: everything the SDK and `requests` do per call apart from the
  network, against `call/telesign_sms` (plan, build, sign, read the answer).

`telesign_sdk_round.py [ROUNDS [RUNS]]` prints one JSON object: nanoseconds per
share round (the median of RUNS runs of ROUNDS, timed with
time.perf_counter_ns).

`telesign_sdk_round.py --serve` checks both measures, prints one JSON line
(the SDK's and Python's versions), then for each line `share N` or `call N`
read from standard input prints the nanoseconds per round of N rounds, one
line each, until standard input closes.
"""

import json
import platform
import statistics
import sys
import time
from email.utils import formatdate
from importlib.metadata import version
from urllib.parse import urlencode

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
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


class Canned(BaseAdapter):
    """A transport adapter that answers every request with SEND_OK at once."""

    def __init__(self):
        super().__init__()
        self.last = None

    def send(self, request, **kwargs):
        self.last = request
        response = requests.Response()
        response.status_code = 200
        response._content = SEND_OK.encode()
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def sdk_client():
    client = RestClient(CUSTOMER_ID, API_KEY, rest_endpoint="https://rest-ww.telesign.com")
    adapter = Canned()
    client.session.mount("https://", adapter)
    return client, adapter


def one_call(client):
    return client.post("/v1/verify/sms", **dict(FIELDS))


def check():
    body, headers, answer = one_round()
    assert body == EXPECTED_BODY, body
    assert headers["Authorization"] == EXPECTED_AUTHORIZATION, headers["Authorization"]
    assert headers["Date"] == "Wed, 14 Dec 2016 18:20:12 GMT", headers["Date"]
    assert answer["status"]["code"] == 290
    client, adapter = sdk_client()
    response = one_call(client)
    assert response.ok and response.json["status"]["code"] == 290, response.body
    sent = adapter.last
    assert sent.method == "POST" and sent.url == "https://rest-ww.telesign.com/v1/verify/sms"
    assert sent.body == EXPECTED_BODY, sent.body
    assert sent.headers["Authorization"].startswith("TSA " + CUSTOMER_ID + ":")
    assert sent.headers["x-ts-auth-method"] == "HMAC-SHA256"
    return client


def timed_share(rounds):
    start = time.perf_counter_ns()
    for _ in range(rounds):
        one_round()
    return (time.perf_counter_ns() - start) / rounds


def timed_call(client, rounds):
    start = time.perf_counter_ns()
    for _ in range(rounds):
        one_call(client)
    return (time.perf_counter_ns() - start) / rounds


def versions():
    return {"sdk": version("telesign"), "python": platform.python_version()}


def serve():
    client = check()
    timed_share(2000)  # warm-up
    timed_call(client, 50)
    print(json.dumps(versions()), flush=True)
    for line in sys.stdin:
        what, _, n = line.partition(" ")
        n = int(n)
        ns = timed_share(n) if what == "share" else timed_call(client, n)
        print(ns, flush=True)


def main():
    if sys.argv[1:2] == ["--serve"]:
        return serve()
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    check()
    timed_share(rounds // 10)  # warm-up
    per_round = [timed_share(rounds) for _ in range(runs)]
    print(
        json.dumps(
            {
                "ns_per_round": statistics.median(per_round),
                "runs_ns_per_round": per_round,
                "rounds_per_run": rounds,
                **versions(),
            }
        )
    )


if __name__ == "__main__":
    main()
