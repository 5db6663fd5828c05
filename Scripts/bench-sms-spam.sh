#!/usr/bin/env bash
# Spam model on the SMS Spam Collection beside scikit-learn's MultinomialNB (Scripts/bench_sms_spam.py).
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/lib/sklearn-venv.sh
data=${SMS_DATA:-../shared/external/sms-spam-collection/SMSSpamCollection}
[ -f "$data" ] || { echo "no SMS Spam Collection at $data (set SMS_DATA)" >&2; exit 1; }
bin=${SMUGGLEWATCH_BIN:-}
if [ -z "$bin" ]; then swift build --product smugglewatch >&2; bin=.build/debug/smugglewatch; fi
exec "$SKLEARN_PYTHON" Scripts/bench_sms_spam.py --bin "$bin" --data "$data" "$@"
