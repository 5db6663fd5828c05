#!/usr/bin/env python3
"""Spam model on the SMS Spam Collection, beside scikit-learn's MultinomialNB, same folds.

De-duplicates messages (exact text), makes a stratified 5-fold split with a fixed seed, and
for each fold trains and evaluates:
  * smugglewatch: `train` (flags from the labels: here `spam`) and `eval --json`
  * scikit-learn: CountVectorizer() + MultinomialNB() with default settings
Prints spam precision / recall / F1 per fold and the means.

    Scripts/bench-sms-spam.sh [--data ../shared/external/sms-spam-collection/SMSSpamCollection]
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--train-args", default="", help="extra arguments for smugglewatch train")
    args = ap.parse_args()
    seen, texts, labels = set(), [], []
    for line in open(args.data, encoding="utf-8"):
        label, text = line.rstrip("\n").split("\t", 1)
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
        labels.append(1 if label == "spam" else 0)
    y = np.array(labels)
    print(f"{len(texts)} distinct messages ({y.sum()} spam), stratified 5-fold, seed {args.seed}")
    work = tempfile.mkdtemp(prefix="sw-sms-")
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=args.seed)
    rows = []
    for k, (tr, te) in enumerate(folds.split(texts, y)):
        paths = {}
        for name, idx in (("train", tr), ("test", te)):
            paths[name] = os.path.join(work, f"fold{k}-{name}.jsonl")
            with open(paths[name], "w", encoding="utf-8") as f:
                for i in idx:
                    f.write(json.dumps({"id": f"sms:{i}", "description": texts[i], "labels": ["spam"] if y[i] else []}, ensure_ascii=False) + "\n")
        model = os.path.join(work, f"fold{k}-model")
        subprocess.run([args.bin, "train", "--input", paths["train"], "--out", model] + args.train_args.split(),
                       check=True, stderr=subprocess.DEVNULL)
        out = subprocess.run([args.bin, "eval", "--model", model, "--input", paths["test"], "--json"],
                             check=True, capture_output=True, text=True).stdout
        m = next(f for f in json.loads(out)["flags"] if f["flag"] == "spam")["confusion"]
        tp, fp, fn = m["truePositives"], m["falsePositives"], m["falseNegatives"]
        ours = (tp / max(tp + fp, 1), tp / max(tp + fn, 1))
        ours = ours + (2 * ours[0] * ours[1] / max(ours[0] + ours[1], 1e-12),)
        vec = CountVectorizer()
        clf = MultinomialNB().fit(vec.fit_transform([texts[i] for i in tr]), y[tr])
        pred = clf.predict(vec.transform([texts[i] for i in te]))
        theirs = (precision_score(y[te], pred), recall_score(y[te], pred), f1_score(y[te], pred))
        rows.append((ours, theirs))
        print(f"fold {k}: smugglewatch P {ours[0]:.3f} R {ours[1]:.3f} F1 {ours[2]:.3f} | scikit-learn P {theirs[0]:.3f} R {theirs[1]:.3f} F1 {theirs[2]:.3f}")
    mean = lambda side, j: sum(r[side][j] for r in rows) / len(rows)
    print(f"mean:   smugglewatch P {mean(0,0):.3f} R {mean(0,1):.3f} F1 {mean(0,2):.3f} | scikit-learn P {mean(1,0):.3f} R {mean(1,1):.3f} F1 {mean(1,2):.3f}")

if __name__ == "__main__":
    main()
