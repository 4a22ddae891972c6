#!/usr/bin/env bash
# Does `ftx run`'s live display slow training? W1 (bench/workloads/w1.ftx) run PAIRS times
# each way, alternating which goes first: (a) text on a pseudo-terminal (a detached tmux
# pane, so the live display draws) and (b) `--log-format json` to a file. Prints each run's
# train steps/s (steps ÷ the train task's seconds, as bench/harness.py computes W1) and the
# live/json ratio of medians and of bests. Both sides are started from the same pane's
# shell: with the kernel's scheduler autogroups a pane (a session of its own) gets another
# CPU share than this script's session, which on a busy machine made W1 twice as fast there.
#   bench/progress_overhead.sh [PAIRS]        FTX=path/to/ftx skips the build
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-10}
FTX=${FTX:-}
if [[ -z "$FTX" ]]; then swift build -c release --product ftx >&2; FTX="$(swift build -c release --show-bin-path)/ftx"; fi
EXP=$PWD/bench/workloads/w1.ftx
WORK=$(mktemp -d)
SESSION=ftx-overhead-$$
tmux new-session -d -s "$SESSION" -x 160 -y 40
trap 'tmux kill-session -t "$SESSION" 2>/dev/null; rm -rf "$WORK"' EXIT

# The train task's steps/s from its end line: `… train KEY: done in S s (N steps in …`.
rate_text() { sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" | python3 -c '
import re, sys
m = re.search(r" train [0-9a-f]+: done in ([0-9.]+)s \(([0-9]+) steps", sys.stdin.read())
print("%.1f" % (int(m.group(2)) / float(m.group(1))))'; }
rate_json() { python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "finished" and e["kind"] == "train": print("%.1f" % (e["steps"] / e["seconds"]))' "$1"; }

live() {
  local store="$WORK/live-$1" log="$WORK/live-$1.log"
  tmux pipe-pane -t "$SESSION" "cat > $log"
  tmux send-keys -t "$SESSION" "'$FTX' run --store '$store' '$EXP'; tmux wait-for -S ftx-done-$$" Enter
  tmux wait-for "ftx-done-$$"
  tmux pipe-pane -t "$SESSION"
  sleep 0.2
  rate_text "$log"
}
json() {
  local store="$WORK/json-$1" log="$WORK/json-$1.jsonl"
  tmux send-keys -t "$SESSION" "'$FTX' run --log-format json --store '$store' '$EXP' > '$log'; tmux wait-for -S ftx-done-$$" Enter
  tmux wait-for "ftx-done-$$"
  rate_json "$log"
}

LIVE=() JSON=()
for i in $(seq 1 "$PAIRS"); do
  if (( i % 2 )); then l=$(live "$i"); j=$(json "$i"); else j=$(json "$i"); l=$(live "$i"); fi
  LIVE+=("$l"); JSON+=("$j")
  echo "pair $i: live $l  json $j steps/s  ratio $(python3 -c "print('%.3f' % ($l / $j))")"
done
python3 - "${LIVE[*]}" "${JSON[*]}" <<'PY'
import statistics, sys
live = [float(x) for x in sys.argv[1].split()]; js = [float(x) for x in sys.argv[2].split()]
ratios = [a / b for a, b in zip(live, js)]
print(f"live: median {statistics.median(live):.1f} best {max(live):.1f} min {min(live):.1f} steps/s")
print(f"json: median {statistics.median(js):.1f} best {max(js):.1f} min {min(js):.1f} steps/s")
print(f"live/json: ratio of medians {statistics.median(live) / statistics.median(js):.3f}, of bests {max(live) / max(js):.3f}; "
      f"per pair median {statistics.median(ratios):.3f} (range {min(ratios):.3f}–{max(ratios):.3f})")
PY
