#!/usr/bin/env python3
"""Split labelled post JSONL files into train and held-out test files.

Stratified by corpus tag and source file: within each group, posts are ordered by a hash of
their id and every fifth goes to test, so the split is fixed and needs no random seed.

    python3 Scripts/split-corpus.py Fixtures/corpus/src/*.jsonl --out Fixtures/corpus
"""
import argparse, collections, hashlib, json, pathlib, sys

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out", required=True)
    ap.add_argument("--test-every", type=int, default=5)
    args = ap.parse_args()
    groups = collections.defaultdict(list)
    for path in args.inputs:
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            post = json.loads(line)
            # Drop empty optional fields so files follow the JSONL contract's compact form.
            for key in ("title", "description"):
                if post.get(key) == "":
                    del post[key]
            for key in ("hashtags", "captions"):
                if post.get(key) == []:
                    del post[key]
            tag = (post.get("tags") or ["untagged"])[0]
            groups[(path, tag)].append(post)
    train, test = [], []
    for key in sorted(groups):
        posts = sorted(groups[key], key=lambda p: hashlib.sha256(p["id"].encode()).hexdigest())
        for i, p in enumerate(posts):
            (test if i % args.test_every == 0 else train).append(p)
    out = pathlib.Path(args.out)
    for name, posts in (("train.jsonl", train), ("test.jsonl", test)):
        posts.sort(key=lambda p: p["id"])
        with open(out / name, "w", encoding="utf-8") as f:
            for p in posts:
                f.write(json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"train: {len(train)} posts, test: {len(test)} posts", file=sys.stderr)

if __name__ == "__main__":
    main()
