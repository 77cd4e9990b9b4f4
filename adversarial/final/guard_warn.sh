#!/bin/bash
# Attack 2: --guard memory warns on stderr only; redis:// no warning; JSON stdout parses.
. "$(dirname "$0")/lib.sh"
redis-server --save '' --appendonly no --daemonize yes --port $RPORT >/dev/null
start_sandbox
T="--customer-id $TS_CID --api-key $TS_KEY"; D="--username $DD_USER --password $DD_PASS"
N=447700900{100..199}
i=100
for store in memory redis; do for js in "" --json; do
  for cmd in "start --provider telesign $T --telesign-base-url $SB_URL" "telesign send $T --base-url $SB_URL" \
             "telesign voice $T --base-url $SB_URL" "telesign verification create $T --base-url $SB_URL" \
             "dotdigital send --from Acme $D --base-url $SB_URL"; do
    i=$((i+1)); st=""; [ $store = redis ] && st="--store redis://127.0.0.1:$RPORT/0"
    $V $js $cmd --to 447700900$i --guard $st >/tmp/g.out 2>/tmp/g.err; rc=$?; RUNS=$((RUNS+1))
    warn=$(grep -ci "across\|cannot bind\|memory" /tmp/g.err)
    if [ $store = memory ] && [ $warn = 0 ]; then VIOL=$((VIOL+1)); echo "VIOLATION no warning: $js $cmd rc=$rc"; head -3 /tmp/g.err; fi
    if [ $store = redis ] && [ $warn != 0 ]; then VIOL=$((VIOL+1)); echo "VIOLATION warning with redis: $js $cmd"; head -3 /tmp/g.err; fi
    if grep -qi "cannot bind\|across runs" /tmp/g.out; then VIOL=$((VIOL+1)); echo "VIOLATION warning on stdout: $js $cmd"; fi
    if [ -n "$js" ] && ! python3 -c 'import json,sys;json.load(open("/tmp/g.out"))' 2>/dev/null; then VIOL=$((VIOL+1)); echo "VIOLATION stdout not JSON: $js $cmd"; head -c 300 /tmp/g.out; fi
    [ $rc != 0 ] && echo "note rc=$rc: $store $js $cmd :: $(head -c 200 /tmp/g.err) $(head -c 200 /tmp/g.out)"
  done; done; done
echo "sample memory warning:"; $V telesign send $T --base-url $SB_URL --to 447700900999 --guard 2>&1 >/dev/null | head -2
kill $SB_PID; redis-cli -p $RPORT shutdown nosave 2>/dev/null
echo "guard_warn runs=$RUNS violations=$VIOL"
