# demo_lib.sh: what demo.sh and demo_lender.sh share (sourced, not run): stopping the servers
# a previous demo left running, and starting one in the background until it says it listens.

# demo_stop DIR NAME...: stop the server DIR/NAME.pid names, when it still runs.
demo_stop() {
  local dir=$1 name pid
  shift
  for name in "$@"; do
    pid=$(cat "$dir/$name.pid" 2>/dev/null) || continue
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; sleep 1; fi
  done
}

# demo_start DIR NAME PATTERN COMMAND...: run COMMAND in the background (standard output in
# DIR/NAME.out, errors in DIR/NAME.log, its pid in DIR/NAME.pid) and wait, up to 30 s, until
# its output shows PATTERN. Fails, showing its log, when it exits first or never says so.
demo_start() {
  local dir=$1 name=$2 pattern=$3
  shift 3
  nohup "$@" >"$dir/$name.out" 2>"$dir/$name.log" &
  echo $! >"$dir/$name.pid"
  for _ in $(seq 1 300); do
    grep -q "$pattern" "$dir/$name.out" 2>/dev/null && return 0
    kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null || { cat "$dir/$name.log" >&2; return 1; }
    sleep 0.1
  done
  echo "demo: $name did not start within 30 s (log: $dir/$name.log)" >&2
  return 1
}
