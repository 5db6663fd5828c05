#!/usr/bin/env python3
"""Fit scikit-learn's MultinomialNB / ComplementNB on count vectors and print log-probabilities.

Input (JSON file named on the command line): {"kind": "multinomial"|"complement", "alpha": a,
"fit_prior": bool, "n_features": V, "train": [[[index, count], ...], ...], "test": [...],
"labels": {flag: [0/1 per training row]}}.
Output (stdout, JSON): {flag: {"log_proba": [[neg, pos] per test row], "feature_log_prob": [[...], [...]]}}.
Used by BayesTests/SklearnParityTests.swift, which compares them with SmuggleWatch's to 1e-9.
"""
import json, sys
import numpy as np
from scipy.sparse import csr_matrix
from sklearn.naive_bayes import ComplementNB, MultinomialNB

def matrix(rows, n):
    data, indices, indptr = [], [], [0]
    for row in rows:
        for i, c in row:
            indices.append(i)
            data.append(c)
        indptr.append(len(indices))
    return csr_matrix((np.array(data, dtype=np.float64), np.array(indices), np.array(indptr)), shape=(len(rows), n))

spec = json.load(open(sys.argv[1]))
X = matrix(spec["train"], spec["n_features"])
T = matrix(spec["test"], spec["n_features"])
out = {}
for flag, y in spec["labels"].items():
    if spec["kind"] == "complement":
        model = ComplementNB(alpha=spec["alpha"], fit_prior=spec["fit_prior"], force_alpha=True)
    else:
        model = MultinomialNB(alpha=spec["alpha"], fit_prior=spec["fit_prior"], force_alpha=True)
    model.fit(X, np.array(y))
    out[flag] = {"log_proba": model.predict_log_proba(T).tolist(),
                 "feature_log_prob": model.feature_log_prob_.tolist()}
json.dump(out, sys.stdout)
