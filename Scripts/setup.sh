#!/usr/bin/env bash
# First command of the README: install what is missing, build, and run the main job on the
# bundled demo data with the bundled default model.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-system-packages.sh
swift build --product smugglewatch
bin=.build/debug/smugglewatch
echo
echo "== classify the bundled demo posts (Fixtures/demo/posts.jsonl) with Models/default"
"$bin" classify --explain Fixtures/demo/posts.jsonl > .build/demo-scores.jsonl
python3 - .build/demo-scores.jsonl Fixtures/demo/posts.jsonl <<'PY'
import json, sys
posts = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2], encoding="utf-8")}
for line in open(sys.argv[1], encoding="utf-8"):
    s = json.loads(line)
    flags = [f for f, d in s["decision"].items() if d != "clear"]
    p = posts[s["id"]]
    text = (p.get("title") or p.get("description") or "")[:60].replace("\n", " ")
    mark = ", ".join(f"{f}:{s['decision'][f]}" for f in flags) or "clear"
    print(f"{s['id']:<18} {mark:<34} {text}")
PY
echo
echo "full score lines with evidence: .build/demo-scores.jsonl"
