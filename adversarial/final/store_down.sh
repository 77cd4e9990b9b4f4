#!/bin/bash
# Attack 3: start --purpose / check with a store that is down, silent, garbage, or killed mid-run -> exit 3, nothing sent.
. "$(dirname "$0")/lib.sh"
start_sandbox
T="--customer-id $TS_CID --api-key $TS_KEY --telesign-base-url $SB_URL"
outbox() { curl -s "$SB_URL/_sandbox/messages" 2>/dev/null | python3 -c 'import json,sys
try:
  d=json.load(sys.stdin); print(len(d if isinstance(d,list) else d.get("messages",d.get("outbox",[]))))
except Exception: print("?")'; }
# silent socket (accepts, never answers) and garbage replier
python3 - <<'PY' &
import socket, threading
def serve(port, reply):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", port)); s.listen(64)
    keep = []
    while True:
        c, _ = s.accept(); keep.append(c)
        if reply: 
            try: c.recv(4096); c.sendall(reply)
            except Exception: pass
for p, r in [(16461, None), (16462, b"HTTP/1.1 200 OK\r\n\r\n\xff\xfe garbage\r\n"), (16463, b"-ERR nope\r\n"), (16464, b"$-5\r\n*9999999999\r\n")]:
    threading.Thread(target=serve, args=(p, r), daemon=True).start()
import time; time.sleep(400)
PY
FAKE=$!; sleep 0.5
n=0
for url in redis://127.0.0.1:1/0 redis://127.0.0.1:16461/0 redis://127.0.0.1:16462/0 redis://127.0.0.1:16463/0 redis://127.0.0.1:16464/0 "redis://:pw@127.0.0.1:16469/0"; do
 for idem in "" "--idempotency-key k-$RANDOM"; do for js in "" --json; do
  n=$((n+1)); before=$(outbox)
  s=$(date +%s.%N); timeout 120 $V $js start --provider telesign $T --to 4477009002$((10+n)) --purpose login --store $url $idem >/tmp/s.out 2>/tmp/s.err; rc=$?
  el=$(python3 -c "print(round($(date +%s.%N)-$s,1))"); after=$(outbox)
  check "start $js $idem store=$url (took ${el}s; outbox $before->$after)" 3 $rc
  [ "$before" != "$after" ] && { VIOL=$((VIOL+1)); echo "VIOLATION sent with store down: $url"; }
  grep -q store_unavailable /tmp/s.out /tmp/s.err || { [ $rc = 3 ] && echo "note: no store_unavailable text for $url"; }
  [ $rc != 3 ] && { head -c 300 /tmp/s.out; head -c 300 /tmp/s.err; }
  n=$((n+1)); timeout 120 $V $js check --provider telesign $T --to 447700900300 --purpose login --code 123456 --store $url >/tmp/s.out 2>/tmp/s.err; rc=$?
  check "check $js store=$url" 3 $rc; [ $rc != 3 ] && { head -c 300 /tmp/s.out; head -c 300 /tmp/s.err; }
 done; done
done
echo "outbox count now: $(outbox)"
# redis killed mid-run: stop it (SIGSTOP = never answers, then kill) while start is in flight
for mode in kill stop; do for idem in "" "--idempotency-key mid-$RANDOM"; do
  redis-server --save '' --appendonly no --daemonize no --port $RPORT >/dev/null & RP=$!; sleep 0.3
  before=$(outbox)
  # first run creates state; second run races with kill
  $V start --provider telesign $T --to 447700900401 --purpose login --store redis://127.0.0.1:$RPORT/0 $idem >/dev/null 2>&1
  ( timeout 120 $V start --provider telesign $T --to 447700900402 --purpose login --store redis://127.0.0.1:$RPORT/0 $idem --resend >/tmp/m.out 2>/tmp/m.err; echo $? > /tmp/m.rc ) &
  W=$!
  if [ $mode = kill ]; then kill -9 $RP; else kill -STOP $RP; fi
  wait $W; rc=$(cat /tmp/m.rc); after=$(outbox)
  RUNS=$((RUNS+1)); echo "mid-run $mode $idem: rc=$rc outbox $before->$after :: $(head -c 160 /tmp/m.err)"
  [ $mode = stop ] && { kill -CONT $RP; kill $RP; }
  wait $RP 2>/dev/null
done; done
kill $FAKE $SB_PID
echo "store_down runs=$RUNS violations=$VIOL"
