# lib.sh: helpers for end-to-end tests. Source it; it provides:
#   $CS          the creditscore binary (set by scripts/test.sh, defaults to build/creditscore)
#   $T           a fresh temporary folder, removed on exit
#   $SAMPLE      the real Home Credit sample folder (may not exist: use need_sample)
#   ok NAME / fail NAME MSG / skip NAME WHY     print one result line
#   check NAME CMD...          ok when CMD exits 0
#   check_fails NAME CODE CMD...   ok when CMD exits with CODE (non-zero expected)
#   check_grep NAME PATTERN FILE   ok when FILE matches PATTERN (grep -E)
set -u
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CS=${CS:-$ROOT/build/creditscore}
SAMPLE=${CS_SAMPLE_DIR:-$ROOT/../shared/data/homecredit-sample}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok()   { echo "ok - $1"; }
fail() { echo "not ok - $1${2:+: $2}"; }
skip() { echo "skip - $1${2:+ ($2)}"; }

check() {
  local name=$1; shift
  if "$@" >"$T/.out" 2>&1; then ok "$name"; else fail "$name" "exit $? from: $*"; tail -5 "$T/.out"; fi
}

check_fails() {
  local name=$1 code=$2; shift 2
  "$@" >"$T/.out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$code" ]; then ok "$name"; else fail "$name" "expected exit $code, got $rc from: $*"; tail -5 "$T/.out"; fi
}

check_grep() {
  local name=$1 pat=$2 file=$3
  if grep -Eq -- "$pat" "$file"; then ok "$name"; else fail "$name" "no /$pat/ in $file"; head -5 "$file"; fi
}
