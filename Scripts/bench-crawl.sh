#!/usr/bin/env bash
# Crawl benchmark (issue 4 "Crawl"): `smugglewatch crawl --once` over 10,000 generated posts
# served by the local test server (Tests/Support/test_http_server.py) as post JSONL pages, every
# post classified with Models/default, stored with its prediction and evidence, and routed; on
# SQLite and on PostgreSQL side by side. Target: >= 1,000 posts/s (SQLite).
#
#   Scripts/bench-crawl.sh [--posts 10000] [--per-page 100] [--debug]
#
# PostgreSQL: $SMUGGLEWATCH_TEST_POSTGRES_URL, or a throwaway server started with Scripts/pg-up.sh
# (PGPORT, default 55441) and stopped afterwards. posts/s is wall time of the whole command
# (process start and model load included) and the crawler's own figure (rounds only). A second
# crawl is all 304; a third serves the same posts in new bytes (all unchanged, none classified).
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib/bench-postgres.sh

posts=10000
per_page=100
config=release
while [ $# -gt 0 ]; do
    case "$1" in
        --posts) posts="$2"; shift 2 ;;
        --per-page) per_page="$2"; shift 2 ;;
        --debug) config=debug; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "Error: unknown option '$1'. Usage: Scripts/bench-crawl.sh [--posts N] [--per-page N] [--debug]" >&2; exit 2 ;;
    esac
done

echo "Building smugglewatch ($config)…" >&2
swift build -c "$config" --product smugglewatch >/tmp/smugglewatch-bench-crawl-build.log 2>&1 || {
    echo "Error: build failed; see /tmp/smugglewatch-bench-crawl-build.log" >&2
    tail -20 /tmp/smugglewatch-bench-crawl-build.log >&2
    exit 1
}
BIN="$(swift build -c "$config" --show-bin-path)/smugglewatch"

work=$(mktemp -d /tmp/smugglewatch-bench-crawl.XXXXXX)
started_pg=""
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    if [ -n "$started_pg" ]; then Scripts/pg-down.sh "$started_pg" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# 10,000 posts as JSONL pages, text cycled from the demo posts (LABELING.md-safe), ids unique.
python3 - "$work/www" "$posts" "$per_page" <<'PY'
import json, os, sys
out, total, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
demo = [json.loads(l) for l in open("Fixtures/demo/posts.jsonl", encoding="utf-8") if l.strip()]
pages = (total + per - 1) // per
for p in range(pages):
    with open(os.path.join(out, "p%04d.jsonl" % p), "w", encoding="utf-8") as f:
        for k in range(p * per, min(total, (p + 1) * per)):
            post = dict(demo[k % len(demo)])
            post["id"] = "bench:%06d" % k
            post["description"] = (post.get("description") or "") + " (#%d)" % k
            f.write(json.dumps(post, ensure_ascii=False) + "\n")
print(pages)
PY
pages=$(ls "$work/www" | wc -l)

python3 Tests/Support/test_http_server.py "$work/www" --no-stdin-watch >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 200); do grep -q '^PORT ' "$work/server.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^PORT //p' "$work/server.out")
[ -n "$port" ] || { echo "Error: the test server did not start; see $work/server.out" >&2; exit 1; }

{
    echo '[defaults]'
    echo 'rate_limit = "0"'
    echo 'every = "1h"'
    for f in $(ls "$work/www"); do
        printf '[[source]]\nname = "%s"\nkind = "jsonl"\nurl = "http://127.0.0.1:%s/%s"\n' "$f" "$port" "$f"
    done
} > "$work/sources.toml"

run() {  # run NAME DB → prints "wall_seconds<TAB>total-json"
    local start end out
    start=$(date +%s.%N)
    out=$("$BIN" crawl --once --json --sources "$work/sources.toml" --db "$2" --clear-sample 0.02 "${@:3}" | tail -1)
    end=$(date +%s.%N)
    printf '%s\t%s\n' "$(python3 -c "print($end - $start)")" "$out"
}

echo "SQLite: first crawl…" >&2
sqlite_first=$(run sqlite "$work/bench.sqlite")
echo "SQLite: second crawl (all 304)…" >&2
sqlite_again=$(run sqlite "$work/bench.sqlite" --all)
# Third crawl: every page's bytes change (lines reversed), its posts do not: no 304, every post
# read and looked up, none classified again (PostRouter skips unchanged posts).
for f in "$work"/www/*.jsonl; do tac "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done
echo "SQLite: third crawl (new bytes, same posts)…" >&2
sqlite_same=$(run sqlite "$work/bench.sqlite" --all)
for f in "$work"/www/*.jsonl; do tac "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done

dbname="sw_bench_crawl_$$"
bench_postgres_database "$work" "$dbname" 55441
echo "PostgreSQL: first crawl…" >&2
pg_first=$(run pg "$pg_url")
echo "PostgreSQL: second crawl (all 304)…" >&2
pg_again=$(run pg "$pg_url" --all)
for f in "$work"/www/*.jsonl; do tac "$f" > "$f.tmp" && mv "$f.tmp" "$f"; done
echo "PostgreSQL: third crawl (new bytes, same posts)…" >&2
pg_same=$(run pg "$pg_url" --all)
psql -q "$base_url" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null || true

python3 - "$posts" "$pages" "$sqlite_first" "$sqlite_again" "$pg_first" "$pg_again" "$sqlite_same" "$pg_same" <<'PY'
import json, os, sys
posts, pages = int(sys.argv[1]), int(sys.argv[2])
def parse(s):
    wall, js = s.split("\t", 1)
    return float(wall), json.loads(js)
runs = [parse(a) for a in sys.argv[3:]]
(sw, s), (sw2, s2), (pw, p), (pw2, p2), (sw3, s3), (pw3, p3) = runs
print(f"crawl of {posts:,} posts in {pages} JSONL pages from the local server, classified (Models/default) and stored")
print(f"{'':42}{'SQLite':>18}{'PostgreSQL':>18}")
print(f"{'posts new / flagged / queued':42}{'%d/%d/%d' % (s['new'], s['flagged'], s['queued']):>18}{'%d/%d/%d' % (p['new'], p['flagged'], p['queued']):>18}")
print(f"{'first crawl, wall seconds (whole command)':42}{sw:>18.2f}{pw:>18.2f}")
print(f"{'first crawl, posts/s (whole command)':42}{posts / sw:>18,.0f}{posts / pw:>18,.0f}")
print(f"{'first crawl, posts/s (crawl round only)':42}{s['postsPerSecond']:>18,.0f}{p['postsPerSecond']:>18,.0f}")
print(f"{'second crawl (all 304), wall seconds':42}{sw2:>18.2f}{pw2:>18.2f}")
print(f"{'third crawl (same posts, new bytes), s':42}{sw3:>18.2f}{pw3:>18.2f}")
print(f"{'third crawl, posts/s (whole command)':42}{posts / sw3:>18,.0f}{posts / pw3:>18,.0f}")
with open("/proc/loadavg") as f: load = f.read().split()[0]
print(f"(load average {load} on {os.cpu_count()} cores)")
if s["new"] != posts or p["new"] != posts or s2["notModified"] != pages or p2["notModified"] != pages:
    print("MISSED: not every post was stored, or the second crawl was not all 304"); sys.exit(1)
if s3["unchanged"] != posts or p3["unchanged"] != posts:
    print("MISSED: the third crawl should find every post unchanged"); sys.exit(1)
if posts / sw < 1000:
    print(f"SQLite MISSED the target: {posts / sw:,.0f} posts/s < 1,000"); sys.exit(1)
print("SQLite target met: >= 1,000 posts/s.")
PY
