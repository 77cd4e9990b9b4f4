#!/bin/bash
# Attacks 4 (guard-rules country codes), 5 (sandbox --latency), 6 (blank credentials), 7 (/dev/full), odd args.
. "$(dirname "$0")/lib.sh"
start_sandbox
T="--customer-id $TS_CID --api-key $TS_KEY --base-url $SB_URL"
R=/tmp/adv5_rules.toml
rules() { printf '%s\n' "$1" > $R; $V telesign send $T --to 447700900123 --guard --guard-rules $R >/tmp/r.out 2>/tmp/r.err; echo $?; }
for c in '"GBR"' '"UK"' '""' '" GB "' '"001"' '"ＧＢ"' '"G B"' '"EU"' '"AA"' '"gB\u0000"'; do
  rc=$(rules "[countries]
deny = [$c]"); check "deny=$c refused" 2 $rc; echo "  deny=$c -> rc=$rc $(head -c 150 /tmp/r.err | tr '\n' ' ')"
done
rc=$(rules '[countries]
deny = ["gb"]'); check 'deny=["gb"] denies +44' 3 $rc
rc=$(rules '[countries]
deny = ["XK"]'); echo "  XK -> rc=$rc $(head -c 150 /tmp/r.err| tr '\n' ' ')"
rc=$(rules '[countries]
deny = ["ZZ","zz","GB","GB"]'); echo "  ZZ+dups -> rc=$rc $(head -c 150 /tmp/r.err| tr '\n' ' ')"
long=$(python3 -c 'print(",".join(["\"Q%d\"" % i for i in range(3000)]+["\"UK\"","\"GBR\""]))')
rc=$(rules "[countries]
allow = [$long]"); check "3002 bad allow entries" 2 $rc; echo "  long list: rc=$rc lines=$(wc -l < /tmp/r.err) mentions UK=$(grep -c '"UK"\|UK' /tmp/r.err) GBR=$(grep -c GBR /tmp/r.err)"
rc=$(rules '[countries.budgets]
UK = 5
"" = 1'); check "budgets bad keys" 2 $rc; echo "  budgets: $(head -c 200 /tmp/r.err| tr '\n' ' ')"
rc=$(rules '[global_spend.prices]
GBR = 0.1
"ＧＢ" = 0.2'); check "prices bad keys" 2 $rc; echo "  prices: $(head -c 250 /tmp/r.err| tr '\n' ' ')"
# 6 blank credentials
for cid in "" " " $'\t' "  "; do
  $V telesign send --customer-id "$cid" --api-key "$TS_KEY" --base-url $SB_URL --to 447700900123 >/dev/null 2>/tmp/b.err; check "ts blank cid '$cid'" 2 $?
  $V telesign send --customer-id "$TS_CID" --api-key="$cid" --base-url $SB_URL --to 447700900123 >/dev/null 2>/tmp/b.err; check "ts blank key '$cid'" 2 $?
  TELESIGN_CUSTOMER_ID="$TS_CID" TELESIGN_API_KEY="$cid" $V telesign send --base-url $SB_URL --to 447700900123 >/dev/null 2>&1; check "ts env blank key '$cid'" 2 $?
  $V dotdigital send --from A --username "$cid" --password "$DD_PASS" --base-url $SB_URL --to 447700900123 >/dev/null 2>&1; check "dd blank user '$cid'" 2 $?
  DOTDIGITAL_USERNAME=$DD_USER DOTDIGITAL_PASSWORD="$cid" $V dotdigital send --from A --base-url $SB_URL --to 447700900123 >/dev/null 2>&1; check "dd env blank pw '$cid'" 2 $?
  $V start --provider dotdigital --username "$DD_USER" --password "$cid" --dotdigital-base-url $SB_URL --to 447700900123 >/dev/null 2>&1; check "start dd blank pw '$cid'" 2 $?
done
echo "  sandbox messages after blank-cred runs: $(curl -s $SB_URL/_sandbox/messages | python3 -c 'import json,sys;print(len(json.load(sys.stdin)))')"
# 7 /dev/full
$V --help >/dev/full 2>/dev/null; check "--help >/dev/full" 4 $?
$V --version >/dev/full 2>/dev/null; check "--version >/dev/full" 4 $?
$V telesign send --help >/dev/full 2>/dev/null; check "telesign send --help >/dev/full" 4 $?
$V telesign send $T --to 447700900555 >/dev/full 2>/tmp/f.err; rc=$?; check "send >/dev/full" 4 $rc; echo "  send>/dev/full stderr: $(tr '\n' ' ' </tmp/f.err | head -c 250)"
$V --json telesign send $T --to 447700900556 >/dev/full 2>/tmp/f.err; rc=$?; check "send --json >/dev/full" 4 $rc; echo "  json: $(tr '\n' ' ' </tmp/f.err | head -c 250)"
# odd args: non-UTF-8
for a in $'\xff' $'--api-key=\xff\xfe12345678' $'\xc3('; do
  $V telesign send --customer-id "$TS_CID" --api-key "$a" --base-url $SB_URL --to 447700900123 >/dev/null 2>&1; rc=$?; RUNS=$((RUNS+1)); [ $rc = 101 ] && { VIOL=$((VIOL+1)); echo "VIOLATION panic on arg"; }
  $V telesign send $T --to "$a" >/dev/null 2>&1; rc=$?; RUNS=$((RUNS+1)); [ $rc = 101 ] && { VIOL=$((VIOL+1)); echo "VIOLATION panic on --to"; }
  $V "$a" >/dev/null 2>&1; [ $? = 101 ] && { VIOL=$((VIOL+1)); echo "VIOLATION panic on cmd"; }
done
kill $SB_PID
# 5 latency
for l in 0 -1 abc 1h1s 3601s 2h 99999999999999999999s "" 1.5.5s; do
  $V sandbox --listen 127.0.0.1:0 --latency "$l" >/dev/null 2>/tmp/l.err & P=$!; sleep 0.4
  if kill -0 $P 2>/dev/null; then kill $P; wait $P 2>/dev/null; echo "  latency '$l' accepted (running)"; RUNS=$((RUNS+1)); else wait $P; rc=$?; RUNS=$((RUNS+1)); echo "  latency '$l' -> rc=$rc names=$(grep -c -- --latency /tmp/l.err)"; fi
done
start_sandbox --latency 200ms
python3 - "$SB_URL" "$TS_CID" "$TS_KEY" <<'PY'
import subprocess, sys, time
u, c, k = sys.argv[1:]
t0 = time.time(); ps = []
for i in range(50):
    ps.append((time.time(), subprocess.Popen(["/tmp/adv5/verify", "telesign", "send", "--customer-id", c, "--api-key", k, "--base-url", u, "--to", "4477009%05d" % i], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    if len([p for _, p in ps if p.poll() is None]) >= 10:
        while len([p for _, p in ps if p.poll() is None]) >= 10: time.sleep(0.005)
res = []
for s, p in ps: p.wait(); res.append((p.returncode, time.time() - s))
bad = [r for r in res if r[0] != 0]
print(f"  latency 200ms: 50 sends, failures={len(bad)} {bad[:3]}, min wall={min(r[1] for r in res):.3f}s")
PY
kill $SB_PID
echo "misc runs=$RUNS violations=$VIOL"
