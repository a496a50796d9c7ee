#!/usr/bin/env bash
# Reproduces the learned tagger's quality figures in docs/tagging.md: writes
# the fixed-seed 5-fold splits of the development data, then trains and
# measures on each fold with `feedbackloop tagger eval`, and prints every
# fold's figure and their mean.
#
#   THEMES=/path/to/shared/data/themes scripts/tagging-figures.sh
#   THEMES=/path/to/shared/data/themes scripts/tagging-figures.sh curves
#   THEMES=/path/to/shared/data/themes scripts/tagging-figures.sh clinc
#
# With "curves" it prints learning curves instead: the mean figure when
# training on 50, 70 and 85 percent of each training fold (docs/tagging.md,
# "How the figures may move on the held-out halves"; ~9 minutes). BANKING77
# uses one random subset per fold and share unless B77_DRAWS lists more
# (B77_DRAWS="0 1 2": three, about 40 minutes).
#
# With "clinc" it measures CLINC150 (clinc150_train.csv, no target: a
# check on data no setting was chosen on; ~6 minutes).
#
# THEMES is the folder holding banking77_train.csv and reviewpulse_dev.csv,
# and for "clinc" clinc150_train.csv (not part of this repository). Takes
# about 6 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
themes=${THEMES:-../shared/data/themes}
themes=$(cd "$themes" && pwd) || { echo "THEMES=$themes: no such folder" >&2; exit 1; }
needed="banking77_train.csv reviewpulse_dev.csv"
[ "${1:-}" = clinc ] && needed=clinc150_train.csv
for f in $needed; do
  [ -f "$themes/$f" ] || { echo "$themes/$f not found: set THEMES to the folder that holds it" >&2; exit 1; }
done
go build -o bin/feedbackloop ./cmd/feedbackloop
splits=$(mktemp -d)
trap 'rm -rf "$splits"' EXIT
FEEDBACKLOOP_THEMES_DATA=$themes LEARNED_SPLITS=$splits go test -count=1 -run TestWriteSplits ./enrich/learned/ >/dev/null

# BANKING77 is measured with --taxonomy, as README.md runs eval, which also
# checks every label; the taxonomy has no keywords or parents, so the
# figures are the model's alone.
b77tax=examples/banking77-intents.yaml

# figure KEY ARGS...: runs tagger eval on the 5 folds, printing KEY of each
# and the mean. {f} in ARGS is the fold number; {d} is each draw DRAWS
# lists (default 0).
figure() {
  local key=$1; shift
  local f d args
  for f in 0 1 2 3 4; do
    for d in ${DRAWS:-0}; do
      args=("${@//\{f\}/$f}")
      bin/feedbackloop tagger eval --format json "${args[@]//\{d\}/$d}" 2>/dev/null |
        sed -n "s/.*\"$key\":\([0-9.e-]*\).*/\1/p"
    done
  done | awk '{ s += $1; printf "%.4f ", $1 } END { printf "mean %.4f\n", s / NR }'
}

if [ "${1:-}" = clinc ]; then
  echo -n "CLINC150 accuracy:                    "; figure accuracy --train "$splits/clinc_{f}.train.csv" --test "$splits/clinc_{f}.test.csv"
  echo -n "CLINC150 accuracy, --network=false:   "; figure accuracy --network=false --train "$splits/clinc_{f}.train.csv" --test "$splits/clinc_{f}.test.csv"
  echo -n "CLINC150 10 per intent, accuracy:     "; figure accuracy --train "$splits/clincs_{f}.train.csv" --test "$splits/clinc_{f}.test.csv"
  exit 0
fi

if [ "${1:-}" = curves ]; then
  for q in 50 70 85; do
    echo -n "BANKING77 accuracy, $q% of each training fold: "
    DRAWS=${B77_DRAWS:-0} figure accuracy --taxonomy "$b77tax" --train "$splits/b77_{f}.train.$q-{d}.csv" --test "$splits/b77_{f}.test.csv"
  done
  for q in 50 70 85; do
    echo -n "BANKING77 accuracy with --network=false, $q% of each training fold: "
    DRAWS=${B77_DRAWS:-0} figure accuracy --taxonomy "$b77tax" --network=false --train "$splits/b77_{f}.train.$q-{d}.csv" --test "$splits/b77_{f}.test.csv"
  done
  for q in 50 70 85; do
    echo -n "Review-Pulse micro-F1, model alone, $q% (4 draws per fold): "
    DRAWS="0 1 2 3" figure micro_f1 --train "$splits/rp_{f}.train.$q-{d}.csv" --test "$splits/rp_{f}.test.csv"
  done
  exit 0
fi
tax=examples/app-review-issues.yaml
echo -n "BANKING77 accuracy:                 "; figure accuracy --taxonomy "$b77tax" --train "$splits/b77_{f}.train.csv" --test "$splits/b77_{f}.test.csv"
echo -n "BANKING77 accuracy, --network=false: "; figure accuracy --taxonomy "$b77tax" --network=false --train "$splits/b77_{f}.train.csv" --test "$splits/b77_{f}.test.csv"
echo -n "BANKING77 10 per intent, accuracy:  "; figure accuracy --taxonomy "$b77tax" --train "$splits/b77s_{f}.train.csv" --test "$splits/b77_{f}.test.csv"
echo -n "Review-Pulse micro-F1, model alone: "; figure micro_f1 --train "$splits/rp_{f}.train.csv" --test "$splits/rp_{f}.test.csv"
echo -n "Review-Pulse micro-F1, with $tax keyword rules: "
figure micro_f1 --taxonomy "$tax" --train "$splits/rp_{f}.train.csv" --test "$splits/rp_{f}.test.csv"
