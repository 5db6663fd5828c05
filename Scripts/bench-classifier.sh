#!/usr/bin/env bash
# Benchmarks classify and train against scikit-learn on one core (see Scripts/bench_classifier.py).
# Usage: Scripts/bench-classifier.sh [--mb 60]
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib/sklearn-venv.sh
swift build -c release --product smugglewatch --scratch-path .build-release >&2
# One core for both sides; a current numpy is slowed by the OpenBLAS core-type settings.
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  taskset -c 0 "$SKLEARN_PYTHON" Scripts/bench_classifier.py --bin .build-release/release/smugglewatch "$@"
