V=/tmp/adv5/verify
RPORT=16457
start_sandbox() { # $1 = extra args; sets SB_PID, SB_URL, TS_CID, TS_KEY, DD_USER, DD_PASS
  local f=$(mktemp); $V sandbox --listen 127.0.0.1:0 --json "$@" > $f 2>/dev/null & SB_PID=$!
  for i in $(seq 50); do [ -s $f ] && break; sleep 0.1; done
  local l=$(head -1 $f)
  SB_URL=$(echo "$l" | python3 -c 'import json,sys;print(json.load(sys.stdin)["base_url"])')
  TS_CID=$(echo "$l" | python3 -c 'import json,sys;print(json.load(sys.stdin)["telesign_customer_id"])')
  TS_KEY=$(echo "$l" | python3 -c 'import json,sys;print(json.load(sys.stdin)["telesign_api_key"])')
  DD_USER=$(echo "$l" | python3 -c 'import json,sys;print(json.load(sys.stdin)["dotdigital_username"])')
  DD_PASS=$(echo "$l" | python3 -c 'import json,sys;print(json.load(sys.stdin)["dotdigital_password"])')
}
RUNS=0; VIOL=0
check() { # label expected_rc actual_rc [extra condition msg]
  RUNS=$((RUNS+1)); if [ "$2" != "$3" ]; then VIOL=$((VIOL+1)); echo "VIOLATION $1: expected rc=$2 got rc=$3"; fi
}
