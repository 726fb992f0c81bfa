#!/usr/bin/env bash
# SPEC §8 bar for big files: `mcpcfg check` on a 64 MB Claude Code `~/.claude.json` must take
# ≤ 100 ms whole process, be ≥ 10× faster than `node -e 'JSON.parse(…)'` on the same file, and
# peak at ≤ 2× the file size in memory.
#
# Usage: bench/run.sh [SIZE_MB]   (default 64; honours CARGO_TARGET_DIR)
# Prints hyperfine's table and the peak RSS of each command; exports bench/results/claude-json.json.
# Needs python3 and node; installs hyperfine and GNU time (`time` package) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
size_mb=${1:-64}

if ! command -v hyperfine >/dev/null || ! [ -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq hyperfine time
fi
command -v node >/dev/null || { echo "run.sh: node is needed for the comparison" >&2; exit 1; }

cargo build --release --locked --quiet --bin mcpcfg
bin=${CARGO_TARGET_DIR:-$repo/target}/release/mcpcfg

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$work/bin" "$home" "$work/project"
cat > "$work/bin/tsh" <<'TSH'
#!/bin/sh
echo "Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7"
TSH
chmod +x "$work/bin/tsh"
file=$home/.claude.json
python3 bench/gen_claude_json.py "$file" --size-mb "$size_mb" --seed 1
size=$(stat -c %s "$file")

export PATH="$work/bin:/usr/bin:/bin"
cd "$work/project"
# Exit 1 is expected: the file points at stale managed-update copies of tsh.
"$bin" check --home "$home" >/dev/null || [ $? -eq 1 ]

check="$bin check --home $home"
node_parse="node -e 'JSON.parse(require(\"fs\").readFileSync(\"$file\",\"utf8\"))'"
mkdir -p "$repo/bench/results"
hyperfine -N --warmup 3 -i \
  --export-json "$repo/bench/results/claude-json.json" \
  --command-name "mcpcfg check" "$check" \
  --command-name "mcpcfg fix-config --dry-run" "$bin fix-config --dry-run --home $home" \
  --command-name "node JSON.parse" "$node_parse"

echo
echo "file: $file, $size bytes"
peak() { # peak resident set, in kB, of one run of "$@"
  /usr/bin/time -f '%M' -o "$work/time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/time"   # a failing command adds a "Command exited" line first
}
for name in check fix node; do
  case $name in
    check) kb=$(peak "$bin" check --home "$home") ;;
    fix) kb=$(peak "$bin" fix-config --dry-run --home "$home") ;;
    node) kb=$(peak node -e "JSON.parse(require('fs').readFileSync('$file','utf8'))") ;;
  esac
  awk -v n="$name" -v kb="$kb" -v size="$size" \
    'BEGIN { printf "peak RSS %-6s %7.1f MB  (%.2f× the file)\n", n, kb / 1024, kb * 1024 / size }'
done

python3 - "$repo/bench/results/claude-json.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
check, node, fix = r["mcpcfg check"], r["node JSON.parse"], r["mcpcfg fix-config --dry-run"]
print("fix-config --dry-run: mean %.1f ms, median %.1f ms (bar ≤ 150 ms)" % (fix["mean"] * 1e3, fix["median"] * 1e3))
print("check: mean %.1f ms, median %.1f ms (bar ≤ 100 ms); node: mean %.1f ms; node/check %.1f× (bar ≥ 10×)"
      % (check["mean"] * 1e3, check["median"] * 1e3, node["mean"] * 1e3, node["mean"] / check["mean"]))
PY
