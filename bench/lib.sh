# bench/lib.sh: helpers for benchmarks. Source it.
#   full_data            make sure the full-size generated tables exist; prints their folder
#   measure OUT CMD...   run CMD once under /usr/bin/time; appends "seconds max_rss_kb" to OUT
#   median FILE COL      median of column COL (1-based) of FILE
set -euo pipefail
: "${ROOT:?}" "${CS:?}" "${BENCH_WORK:?}" "${BENCH_RUNS:?}"

full_data() {
  local d=$BENCH_WORK/full
  if [ ! -f "$d/.complete" ]; then
    "$CS" synth --out "$d" --seed 1 >&2
    touch "$d/.complete"
  fi
  echo "$d"
}

measure() {
  local out=$1; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$tf" "$@" >/dev/null
  cat "$tf" >> "$out"
  rm -f "$tf"
}

median() {
  sort -n -k"$2","$2" "$1" | awk -v c="$2" '{v[NR]=$c} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'
}
