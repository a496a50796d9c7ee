#!/usr/bin/env bash
# Counts the instructions the learned tagger spends per 300-character text
# (docs/tagging-research.md, "Tagging speed"), a measure that, unlike a timing, does
# not move with the machine's load. Trains the three models BenchmarkTag
# uses (BANKING77 with and without its network, Review-Pulse), then runs
# BenchmarkTagSaved under cachegrind for 1 and 3,001 texts and prints the
# difference per text. Needs valgrind; takes about 5 minutes.
#
#   THEMES=/path/to/shared/data/themes scripts/tagging-instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found: apt-get install valgrind" >&2; exit 1; }
themes=${THEMES:-../shared/data/themes}
themes=$(cd "$themes" && pwd) || { echo "THEMES=$themes: no such folder" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o bin/feedbackloop ./cmd/feedbackloop
go test -c -o "$work/learned.test" ./enrich/learned/

# instructions MODEL DATA TEXTS: what cachegrind counts for the whole run.
instructions() {
  FEEDBACKLOOP_THEMES_DATA=$themes FEEDBACKLOOP_TAG_MODEL=$1 FEEDBACKLOOP_TAG_DATA=$2 \
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$work/learned.test" -test.run '^$' -test.bench BenchmarkTagSaved -test.cpu 1 -test.benchtime "$3x" 2>&1 |
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}

for run in "banking77_train.csv default" "banking77_train.csv no-network" "reviewpulse_dev.csv default"; do
  set -- $run
  model=$work/${1%.csv}-$2.model
  flags=()
  [ "$2" = no-network ] && flags=(--network=false)
  bin/feedbackloop tagger train --data "$themes/$1" --out "$model" "${flags[@]}" >/dev/null 2>&1
  one=$(instructions "$model" "$1" 1)
  many=$(instructions "$model" "$1" 3001)
  printf '%-20s %-11s %d instructions per text\n' "$1" "$2" $(( (many - one) / 3000 ))
done
