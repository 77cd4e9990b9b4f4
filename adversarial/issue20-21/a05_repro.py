#!/usr/bin/env python3
"""Repros: purpose-only start sends while the store is down; corrected premium numbers; alpha-3 in deny list."""
from lib import *
start_redis(); start_sandbox()
B = ["--base-url", S, "--json"]
tmp = socket.socket(); tmp.bind(("127.0.0.1", 0)); DEAD = tmp.getsockname()[1]; tmp.close()
for i in range(3):
    clear(); num = f"44740500{i}456"
    r = run(["start", "--to", num, "--purpose", "login", "--store", f"redis://127.0.0.1:{DEAD}"] + B)
    c = run(["check", "--to", num, "--purpose", "login", "--code", "1234567", "--store", R] + B)
    finding(f"purpose-only start with unreachable Redis: refused exit 3, nothing sent (run {i})", r.rc == 3 and len(outbox(num)) == 0,
            f"outbox={len(outbox(num))} start={r!r} stderr={r.err!r} later check={c.out.strip()}")
for num in ["39899123456", "611900123456", "39892123456"]:
    clear(); r = run(["start", "--to", num, "--guard", "--store", R] + B)
    finding(f"premium {num} refused", r.rc == 3 and len(outbox(num)) == 0, f"rule={r.err_field('rule')} {r!r}")
RF = os.path.join(RUN, "rules.toml"); open(RF, "w").write('[countries]\ndeny = ["GBR"]\n')
clear(); r = run(["start", "--to", "447405100456", "--guard-rules", RF, "--store", R] + B)
finding("deny = [\"GBR\"] (alpha-3): refused as invalid rules (exit 2) or denies +44", r.rc in (2, 3), f"outbox={len(outbox())} {r!r}")
global_checks("a05")
sys.exit(summary())
