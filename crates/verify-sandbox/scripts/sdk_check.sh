#!/usr/bin/env bash
# TeleSign's official Python SDKs against the sandbox: run by .ci/run.
#
# Installs the SDKs (pinned) into a virtual environment under target/: `telesign` (the
# classic REST API's RestClient) and `telesignenterprise` (OmniVerify, the Verify API of
# verify.telesign.com). Starts the sandbox binary on a loopback port with fixed
# credentials and runs telesign_python_sdk_check.py, then telesign_omniverify_check.py,
# against it. When an SDK cannot be installed (no Python, no venv module, the package index
# unreachable) its check says so and is skipped; once installed, any disagreement fails.
set -euo pipefail
cd "$(dirname "$0")/../../.."

SDK_VERSION=4.1.1
ENTERPRISE_VERSION=4.1.0
CUSTOMER=SANDBOX-CUSTOMER
KEY=c2FuZGJveC1rZXktZm9yLXRoZS1weXRob24tc2Rr
VENV=target/telesign-sdk-venv

# Whether the venv holds exactly this version of a package.
installed() {
    [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c \
        "import sys; from importlib.metadata import version; sys.exit(version('$1') != '$2')" 2>/dev/null
}

if ! installed telesign "$SDK_VERSION"; then
    if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "telesign==$SDK_VERSION"; } >/dev/null 2>&1; then
        echo "SKIPPED: could not install TeleSign's Python SDK $SDK_VERSION (python3 -m venv, pip)"
        exit 0
    fi
fi
ENTERPRISE=1
if ! installed telesignenterprise "$ENTERPRISE_VERSION"; then
    if ! "$VENV/bin/pip" install -q "telesign==$SDK_VERSION" "telesignenterprise==$ENTERPRISE_VERSION" >/dev/null 2>&1; then
        echo "SKIPPED (OmniVerify only): could not install telesignenterprise $ENTERPRISE_VERSION (pip)"
        ENTERPRISE=0
    fi
fi

cargo build -q -p verify-sandbox --bin verify-sandbox
OUT=$(mktemp)
target/debug/verify-sandbox --listen 127.0.0.1:0 \
    --telesign-customer-id "$CUSTOMER" --telesign-api-key "$KEY" >"$OUT" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 1 100); do
    [ -s "$OUT" ] && break
    sleep 0.1
done
URL=$(head -n 1 "$OUT" | sed -n 's/^listening on //p')
if [ -z "$URL" ]; then
    echo "the sandbox did not start:"; cat "$OUT"; exit 1
fi
"$VENV/bin/python" crates/verify-sandbox/scripts/telesign_python_sdk_check.py "$URL" "$CUSTOMER" "$KEY"
# The signatures `verify --print-request` prints, JSON bodies included, against the SDK's.
cargo build -q -p verify-cli --bin verify
"$VENV/bin/python" crates/verify-sandbox/scripts/print_request_signature_check.py \
    target/debug/verify "$CUSTOMER" "$KEY"
if [ "$ENTERPRISE" = 1 ]; then
    "$VENV/bin/python" crates/verify-sandbox/scripts/telesign_omniverify_check.py "$URL" "$CUSTOMER" "$KEY"
fi
