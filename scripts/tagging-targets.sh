#!/usr/bin/env bash
# Checks the learned tagger against the quality and training-time targets of
# docs/tagging.md on test files this repository does not have: the held-out
# halves of BANKING77 and Review-Pulse. Each line prints the figure, the
# target and whether it is met, as `feedbackloop tagger eval` measures it.
#
#   THEMES=/path/to/shared/data/themes \
#   B77_TEST=/path/to/banking77_test.csv RP_TEST=/path/to/reviewpulse_test.csv \
#     scripts/tagging-targets.sh
#
# THEMES holds the training files (banking77_train.csv, reviewpulse_dev.csv).
# B77_TEST and RP_TEST are CSV files with the header text,labels; either may
# be left out to skip its lines. The 10-per-intent target trains on
# B77_SMALL when set (a file of 10 texts per intent), else on each of five
# fixed-seed draws of 10 per intent from banking77_train.csv, and prints
# every draw and their mean. Takes about 3 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
themes=${THEMES:-../shared/data/themes}
themes=$(cd "$themes" && pwd) || { echo "THEMES=$themes: no such folder" >&2; exit 1; }
b77test=${B77_TEST:-}
rptest=${RP_TEST:-}
if [ -z "$b77test" ] && [ -z "$rptest" ]; then
  echo "set B77_TEST and/or RP_TEST to the held-out test files (CSV text,labels)" >&2
  exit 1
fi
for f in "$b77test" "$rptest" ${B77_SMALL:-}; do
  [ -z "$f" ] || [ -f "$f" ] || { echo "$f: no such file" >&2; exit 1; }
done
go build -o bin/feedbackloop ./cmd/feedbackloop
work=$(mktemp -d)
said=$work/said # what train and eval print on stderr, shown at the end
# On a failure, show what train and eval said before it.
trap 'rc=$?; if [ $rc -ne 0 ] && [ -s "$said" ]; then cat "$said" >&2; fi; rm -rf "$work"; exit $rc' EXIT

# verdict FIGURE TARGET: "met" when FIGURE >= TARGET.
verdict() { awk -v f="$1" -v t="$2" 'BEGIN { print (f >= t ? "met" : "NOT met") }'; }

# field KEY: the number KEY holds in the JSON eval printed on stdin.
field() { sed -n "s/.*\"$1\":\([0-9.e-]*\).*/\1/p"; }

if [ -n "$b77test" ]; then
  tax=examples/banking77-intents.yaml
  [ -f "$themes/banking77_train.csv" ] || { echo "$themes/banking77_train.csv not found" >&2; exit 1; }
  start=$(date +%s.%N)
  bin/feedbackloop tagger train --taxonomy "$tax" --data "$themes/banking77_train.csv" --out "$work/b77.model" >/dev/null 2>>"$said"
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  acc=$(bin/feedbackloop tagger eval --format json --taxonomy "$tax" --model "$work/b77.model" --test "$b77test" 2>>"$said" | field accuracy)
  printf "BANKING77 accuracy:                    %.4f  target >= 0.92  %s\n" "$acc" "$(verdict "$acc" 0.92)"
  printf "BANKING77 training time:               %s s  target <= 60 s  %s\n" "$secs" "$(verdict 60 "$secs")"
  if [ -n "${B77_SMALL:-}" ]; then
    small=("$B77_SMALL")
  else
    FEEDBACKLOOP_THEMES_DATA=$themes LEARNED_SPLITS=$work/splits \
      go test -count=1 -run 'TestWriteSplits/banking77' ./enrich/learned/ >/dev/null
    small=("$work"/splits/b77s_all_{0,1,2,3,4}.train.csv)
  fi
  accs=()
  for f in "${small[@]}"; do
    accs+=("$(bin/feedbackloop tagger eval --format json --taxonomy "$tax" --train "$f" --test "$b77test" 2>>"$said" | field accuracy)")
  done
  mean=$(printf "%s\n" "${accs[@]}" | awk '{ s += $1 } END { printf "%.4f", s / NR }')
  draws=$(printf "%.4f " "${accs[@]}")
  printf "BANKING77 10 per intent, accuracy:     %.4f  target >= 0.75  %s  (each: %s)\n" "$mean" "$(verdict "$mean" 0.75)" "${draws% }"
fi

if [ -n "$rptest" ]; then
  [ -f "$themes/reviewpulse_dev.csv" ] || { echo "$themes/reviewpulse_dev.csv not found" >&2; exit 1; }
  alone=$(bin/feedbackloop tagger eval --format json --train "$themes/reviewpulse_dev.csv" --test "$rptest" 2>>"$said" | field micro_f1)
  rules=$(bin/feedbackloop tagger eval --format json --taxonomy examples/app-review-issues.yaml \
    --train "$themes/reviewpulse_dev.csv" --test "$rptest" 2>>"$said" | field micro_f1)
  printf "Review-Pulse micro-F1, model alone:    %.4f  target >= 0.50  %s\n" "$alone" "$(verdict "$alone" 0.50)"
  printf "  with examples/app-review-issues.yaml keyword rules: %.4f  %s\n" "$rules" "$(verdict "$rules" 0.50)"
fi

if [ -s "$said" ]; then
  echo
  echo "train and eval also said:"
  sort -u "$said"
fi
