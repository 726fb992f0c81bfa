#!/usr/bin/env bash
# The big-file bars (SPEC §8, issue 13), each measured as a ratio in one run and printed next to
# its bar with "met" or "NOT met":
#   1. fix-config --dry-run linear whatever the layout: minified within 1.5× of pretty
#   2. a real fix-config (backup included) within 1.5× of `sh -c 'cp F T && sync T && mv T F'`
#   3. fix-config's peak memory ≤ 1.2× the file; check's, list's and doctor's < 32 MB on every layout
#   4. check within 4× of `cat F >/dev/null`
#   5. (with two sizes) every figure of the larger within 4.5× of the smaller's, per 4× the size
# and the first release's bars on the pretty file: check ≤ 100 ms and ≥ 10× node JSON.parse.
# Bars 1, 2, 4 and the first release's are set for 64 MB, 3's ratio for 64 MB and up, 5 from
# 64 MB to the largest size: at other sizes the ratios are shown for information.
#
# Usage: bench/run.sh [SIZE_MB ...]   (default 64; e.g. `bench/run.sh 1 64 256`; honours
# CARGO_TARGET_DIR). Layouts: pretty, minified, non-ascii (bench/gen_claude_json.py).
# Times are medians of rounds that run every command once in turn (bench/interleave.py), so that
# a slow spell of the machine lands on a whole round rather than on one command's series; their
# samples go to bench/results/. Needs python3 and node; installs GNU time (`time` package) if
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
sizes=("${@:-64}")

if ! [ -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq time
fi
command -v node >/dev/null || { echo "run.sh: node is needed for the comparison" >&2; exit 1; }

cargo build --release --locked --quiet --bin mcpcfg
bin=${CARGO_TARGET_DIR:-$repo/target}/release/mcpcfg

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/project" "$repo/bench/results"
cat > "$work/bin/tsh" <<'TSH'
#!/bin/sh
echo "Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7"
TSH
chmod +x "$work/bin/tsh"
results=$work/results.tsv
: > "$results"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$results"; } # size layout what value

peak_kb() { # peak resident set, in kB, of one run of "$@"
  /usr/bin/time -f '%M' -o "$work/time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/time" # a failing command adds a "Command exited" line first
}
median_of() { # median seconds of bench/interleave.py's export $1, command named $2
  python3 -c 'import json,sys; print(next(x["median"] for x in json.load(open(sys.argv[1]))["results"] if x["command"] == sys.argv[2]))' "$1" "$2"
}

for size in "${sizes[@]}"; do
  for layout in pretty minified non-ascii; do
    home=$work/home-$size-$layout
    mkdir -p "$home"
    master=$work/master-$size-$layout.json
    python3 bench/gen_claude_json.py "$master" --size-mb "$size" --seed 1 --layout "$layout" >/dev/null
    file=$home/.claude.json
    cp "$master" "$file"
    bytes=$(stat -c %s "$file")
    record "$size" "$layout" bytes "$bytes"
    export PATH="$work/bin:/usr/bin:/bin"
    cd "$work/project"
    out=$repo/bench/results/claude-json-$size-$layout.json
    restore="cp $master $file"
    node=()
    if [ "$layout" = pretty ]; then
      node=("node=node -e 'JSON.parse(require(\"fs\").readFileSync(\"$file\",\"utf8\"))'")
    fi
    # Every round starts from the master copy (fix-config repairs the file; the floor copies
    # it); fix-config and the durable-copy floor each get a fresh copy.
    python3 "$repo/bench/interleave.py" "$out" 10 2 \
      "check@$restore=$bin check --home $home" \
      "dry-run=$bin fix-config --dry-run --home $home" \
      "cat=cat $file" \
      "fix@$restore=$bin fix-config --home $home" \
      "floor@$restore=sh -c 'cp $file $file.T && sync $file.T && mv $file.T $file'" \
      "${node[@]}" >/dev/null
    for what in check dry-run cat fix floor ${node:+node}; do
      record "$size" "$layout" "$what" "$(median_of "$out" "$what")"
    done
    cp "$master" "$file"
    record "$size" "$layout" fix-rss "$(peak_kb "$bin" fix-config --home "$home")"
    record "$size" "$layout" check-rss "$(peak_kb "$bin" check --home "$home")"
    record "$size" "$layout" dry-run-rss "$(peak_kb "$bin" fix-config --dry-run --home "$home")"
    record "$size" "$layout" list-rss "$(peak_kb "$bin" list --home "$home")"
    record "$size" "$layout" doctor-rss "$(peak_kb "$bin" doctor --home "$home")"
    rm -rf "$home" "$master"
    cd "$repo"
  done
done

python3 - "$results" <<'PY'
import sys
from collections import defaultdict
r = defaultdict(dict)
for line in open(sys.argv[1]):
    size, layout, what, value = line.rstrip("\n").split("\t")
    r[(int(size), layout)][what] = float(value)
sizes = sorted({s for s, _ in r})
rows = []
def bar(name, value, limit, fmt, smaller=True, set_for=None):
    """A ratio next to its bar; `set_for` names the sizes of a bar set for others than this one,
    whose ratio is then shown for information only."""
    ok = value <= limit if smaller else value >= limit
    verdict = "(info: set for %s)" % set_for if set_for else "met" if ok else "NOT met"
    rows.append((name, fmt % value, ("≤ " if smaller else "≥ ") + fmt % limit, verdict))
# The goals are set for 64 MB (1, 2, 4, and the first release's bars) and for 64 MB and up (3's
# fix-config ratio: below that, the few MB every run holds outweigh the file). Smaller files
# are measured and shown all the same.
for s in sizes:
    p, m, w = r[(s, "pretty")], r[(s, "minified")], r[(s, "non-ascii")]
    print("%d MB: pretty %.1f MB, minified %.1f MB, non-ascii %.1f MB" % (s, p["bytes"] / 2**20, m["bytes"] / 2**20, w["bytes"] / 2**20))
    for name, x in (("pretty", p), ("minified", m), ("non-ascii", w)):
        print("  %-9s check %6.1f ms (cat %5.1f)  dry-run %6.1f ms  fix-config %6.1f ms (floor %6.1f)  peak RSS: check %5.1f MB, dry-run %6.1f MB, fix-config %6.1f MB"
              % (name, x["check"] * 1e3, x["cat"] * 1e3, x["dry-run"] * 1e3, x["fix"] * 1e3, x["floor"] * 1e3,
                 x["check-rss"] / 1024, x["dry-run-rss"] / 1024, x["fix-rss"] / 1024))
    at64 = None if s == 64 else "64 MB"
    big = None if s >= 64 else "64 MB and up"
    bar("%d MB 1. dry-run minified / pretty" % s, m["dry-run"] / p["dry-run"], 1.5, "%.2f×", set_for=at64)
    for name, x in (("pretty", p), ("minified", m), ("non-ascii", w)):
        bar("%d MB 2. fix-config / floor, %s" % (s, name), x["fix"] / x["floor"], 1.5, "%.2f×", set_for=at64)
        bar("%d MB 3. fix-config peak / file, %s" % (s, name), x["fix-rss"] * 1024 / x["bytes"], 1.2, "%.2f×", set_for=big)
        for what in ("check", "list", "doctor"):
            bar("%d MB 3. %s peak MB, %s" % (s, what, name), x[what + "-rss"] / 1024, 32, "%.1f")
        bar("%d MB 4. check / cat, %s" % (s, name), x["check"] / x["cat"], 4, "%.2f×", set_for=at64)
    # The first release's bars are set for a 64 MB file.
    if s == 64:
        bar("%d MB check on pretty, ms" % s, p["check"] * 1e3, 100, "%.1f")
        bar("%d MB node / check on pretty" % s, p["node"] / p["check"], 10, "%.1f×", smaller=False)
# Growth: from 64 MB to the largest size (from the smallest when 64 MB was not measured).
grown = [x for x in sizes if x > 64]
if len(sizes) > 1 and (64 not in sizes or grown):
    small, big = (64 if 64 in sizes else sizes[0]), sizes[-1]
    for layout in ("pretty", "minified", "non-ascii"):
        for what in ("check", "dry-run", "fix"):
            growth = r[(big, layout)][what] / r[(small, layout)][what]
            scale = r[(big, layout)]["bytes"] / r[(small, layout)]["bytes"]
            bar("5. %s %s: %d MB / %d MB (size ×%.1f)" % (what, layout, big, small, scale), growth, 4.5 * scale / 4, "%.2f×")
print()
width = max(len(x[0]) for x in rows)
for name, value, limit, verdict in rows:
    print("%-*s  %9s  %9s  %s" % (width, name, value, limit, verdict))
PY
