#!/usr/bin/env python3
"""Side-by-side benchmark: smugglewatch classify/train against scikit-learn on the same JSONL.

Generates a corpus by re-mixing the labelled fixtures (new ids, sentences recombined and
words shuffled so texts do not repeat), then on one core:
  * classify: `smugglewatch classify` vs json.loads + HashingVectorizer + MultinomialNB.predict_proba
  * train:    `smugglewatch train --folds 0 --threads 1` vs json.loads + HashingVectorizer + MultinomialNB.fit,
              then `train` on every core (its default), which scikit-learn's fit cannot match
  * model load time for a model with --load-features features (default 1,000,000)
  * training peak memory for the corpus and for 4x the corpus with the same vocabulary
Each side runs --repeat times (5), taking turns, and the best run counts. Prints MB/s, the
ratios and the figures; timings are informative, never pass/fail.

    Scripts/bench-classifier.sh [--mb 60]
"""
import argparse, json, os, random, resource, subprocess, sys, tempfile, time

def read_posts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]

def generate(path, source, target_mb, seed=42):
    rng = random.Random(seed)
    written = 0
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target_mb * 1_000_000:
            p = dict(rng.choice(source))
            n += 1
            p["id"] = f"bench:{n}"
            for key in ("title", "description"):
                if p.get(key):
                    words = p[key].split(" ")
                    if len(words) > 3:
                        i = rng.randrange(len(words))
                        words[i], words[-1] = words[-1], words[i]
                    p[key] = " ".join(words)
            if p.get("captions"):
                p["captions"] = [dict(c) for c in p["captions"]]
                rng.shuffle(p["captions"])
            line = json.dumps(p, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
    return n, written

def text_of(p):
    parts = [p.get("title") or "", p.get("description") or "", " ".join(p.get("hashtags") or [])]
    parts += [c.get("text", "") for c in p.get("captions") or []]
    return " ".join(parts)

def sklearn_classify(path, model, vectorizer, batch=20000):
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            texts.append(text_of(json.loads(line)))
            if len(texts) == batch:
                model.predict_proba(vectorizer.transform(texts)); texts = []
    if texts:
        model.predict_proba(vectorizer.transform(texts))

def sklearn_train(path, vectorizer):
    from sklearn.naive_bayes import MultinomialNB
    import numpy as np
    texts, ys = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            texts.append(text_of(p)); ys.append(1 if "guidance" in (p.get("labels") or []) else 0)
    X = vectorizer.transform(texts)
    MultinomialNB(alpha=1.0).fit(X, np.array(ys))

# Each run gives (wall seconds, CPU seconds). On a shared machine the core is time-sliced with
# other work: CPU seconds (user + system) leave out the time spent waiting for it.
def timed(fn):
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def run(cmd, **kw):
    t, c = time.perf_counter(), children_cpu()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    dt, dc = time.perf_counter() - t, children_cpu() - c
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr}")
    return (dt, dc), r.stderr

def best(runs):
    """The fastest of repeated runs by wall time and by CPU time."""
    return min(w for w, _ in runs), min(c for _, c in runs)

def report(name, mb, ours, theirs, what):
    (ow, oc), (tw, tc) = ours, theirs
    print(f"{name} smugglewatch {mb / ow:7.1f} MB/s ({ow:.2f} s) | scikit-learn {what} {mb / tw:6.1f} MB/s ({tw:.2f} s) | ratio {tw / ow:.1f}x")
    print(f"{'':10}per CPU-second: smugglewatch {mb / oc:7.1f} MB/s | scikit-learn {mb / tc:6.1f} MB/s | ratio {tc / oc:.1f}x")

def peak_rss_kb(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--mb", type=float, default=60)
    ap.add_argument("--load-features", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.naive_bayes import MultinomialNB
    import numpy as np

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    source = read_posts(os.path.join(root, "Fixtures/corpus/train.jsonl")) + read_posts(os.path.join(root, "Fixtures/corpus/test.jsonl"))
    work = tempfile.mkdtemp(prefix="sw-bench-")
    corpus = os.path.join(work, "posts.jsonl")
    n, size = generate(corpus, source, args.mb)
    mb = size / 1e6
    print(f"corpus: {n} posts, {mb:.1f} MB (generated from the fixtures, seed 42)")

    model_dir = os.path.join(work, "model")
    run([args.bin, "train", "--input", os.path.join(root, "Fixtures/corpus/train.jsonl"), "--out", model_dir, "--folds", "0"])
    vectorizer = HashingVectorizer(n_features=2**20, alternate_sign=False, norm=None, ngram_range=(1, 2))
    train_texts = [text_of(p) for p in source]
    sk_model = MultinomialNB().fit(vectorizer.transform(train_texts), np.array([1 if "guidance" in p["labels"] else 0 for p in source]))

    # The two sides take turns, run by run: the shared cores speed up and slow down over
    # seconds, and a side timed all in one stretch would get one phase only.
    def alternate(ours_fn, theirs_fn):
        runs = [(ours_fn(), theirs_fn()) for _ in range(args.repeat)]
        return best([o for o, _ in runs]), best([t for _, t in runs])

    ours, theirs = alternate(lambda: run([args.bin, "classify", "--model", model_dir, corpus])[0],
                             lambda: timed(lambda: sklearn_classify(corpus, sk_model, vectorizer)))
    report("classify:", mb, ours, theirs, "HashingVectorizer+MultinomialNB")

    train = [args.bin, "train", "--input", corpus, "--out", os.path.join(work, "m2"), "--folds", "0"]
    ours_t, theirs_t = alternate(lambda: run(train + ["--threads", "1"])[0], lambda: timed(lambda: sklearn_train(corpus, vectorizer)))
    report("train:   ", mb, ours_t, theirs_t, "HashingVectorizer+MultinomialNB.fit")
    # `train` uses one thread per core by default: the same model, on every core of the machine
    # (this script runs on core 0; taskset gives the run all of them). scikit-learn's fit has no
    # threads to add, so this line has no ratio.
    cores = os.cpu_count() or 1
    if cores > 1:
        w, c = best([run(["taskset", "-c", f"0-{cores - 1}"] + train + ["--threads", str(min(cores, 8))])[0] for _ in range(args.repeat)])
        print(f"train on {min(cores, 8)} threads ({cores} cores): smugglewatch {mb / w:7.1f} MB/s ({w:.2f} s, {c:.2f} CPU-s)")

    # Training memory: the same vocabulary four times over should cost about the same memory.
    quad = os.path.join(work, "posts4.jsonl")
    with open(quad, "w", encoding="utf-8") as out:
        for k in range(4):
            for line in open(corpus, encoding="utf-8"):
                p = json.loads(line); p["id"] = f"{p['id']}:{k}"
                out.write(json.dumps(p, ensure_ascii=False) + "\n")
    rss1 = peak_rss_kb([args.bin, "train", "--input", corpus, "--out", os.path.join(work, "m3"), "--folds", "0", "--threads", "1"])
    rss4 = peak_rss_kb([args.bin, "train", "--input", quad, "--out", os.path.join(work, "m4"), "--folds", "0", "--threads", "1"])
    print(f"train peak memory: {rss1 / 1024:.0f} MiB for {mb:.0f} MB, {rss4 / 1024:.0f} MiB for {4 * mb:.0f} MB of posts with the same vocabulary")
    if cores > 1:
        rss_t = peak_rss_kb([args.bin, "train", "--input", quad, "--out", os.path.join(work, "m5"), "--folds", "0", "--threads", str(min(cores, 8))])
        print(f"train peak memory on {min(cores, 8)} threads: {rss_t / 1024:.0f} MiB for {4 * mb:.0f} MB (a count table per thread)")

    # A model with about a million features: unique tokens, one post each.
    big = os.path.join(work, "big.jsonl")
    rng = random.Random(7)
    with open(big, "w") as out:
        per = 200
        for k in range(args.load_features // (2 * per) + 1):
            words = ["w%x" % rng.getrandbits(40) for _ in range(per)]
            out.write(json.dumps({"id": f"big:{k}", "description": " ".join(words), "labels": ["guidance"] if k % 2 else []}) + "\n")
    run([args.bin, "train", "--input", big, "--out", os.path.join(work, "big-model"), "--folds", "0"])
    _, info = run([args.bin, "models", "show", os.path.join(work, "big-model"), "--load-runs", "5"])
    print("model load: " + info.strip().splitlines()[-1])
    print(f"(work files in {work})")

if __name__ == "__main__":
    main()
