#!/usr/bin/env bash
# SPEC §8 bar: `--scan` of a tree of 200k files, against `fdfind -H -u` looking for the same names
# and, like mcpcfg, skipping .git, node_modules and target (like for like: fd would otherwise walk
# the two thirds of the tree mcpcfg never enters).
# Installs hyperfine and fd-find if missing. Usage: bench/scan.sh [FILES] (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-200000}
need() { command -v "$1" >/dev/null; }
if ! need hyperfine || ! need fdfind; then apt-get update -qq && apt-get install -y -qq hyperfine fd-find; fi
cargo build --release --locked --quiet --bin mcpcfg
bin=$PWD/target/release/mcpcfg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/src" "$files" <<'PY'
import os, random, sys
root, total = sys.argv[1], int(sys.argv[2])
random.seed(7)
made = 0
p = 0
while made < total:
    proj = os.path.join(root, f"team{p % 40}", f"proj{p}")
    for d in ["src/a/b", "src/c", "docs", ".git/objects/aa", "node_modules/pkg/lib", "target/debug"]:
        os.makedirs(os.path.join(proj, d), exist_ok=True)
    for i in range(90):
        d = ["src/a/b", "src/c", "docs", ".git/objects/aa", "node_modules/pkg/lib", "target/debug"][i % 6]
        open(os.path.join(proj, d, f"f{i}.txt"), "w").close()
    made += 90
    if p % 10 == 0:
        os.makedirs(os.path.join(proj, ".vscode"), exist_ok=True)
        with open(os.path.join(proj, ".vscode", "mcp.json"), "w") as f:
            f.write('{"servers": {"teleport-mcp-a": {"command": "tsh", "args": ["mcp", "connect", "a"]}}}\n')
        with open(os.path.join(proj, ".mcp.json"), "w") as f:
            f.write('{"mcpServers": {}}\n')
        made += 2
    p += 1
PY
mkdir -p "$work/home"
names='^(mcp\.json|\.mcp\.json|settings\.json|config\.toml)$'
echo "tree: $(find "$work/src" -type f | wc -l) files; configs found by mcpcfg: $("$bin" list --home "$work/home" --project "$work/home" --scan "$work/src" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["configs"])')"
mkdir -p bench/results
hyperfine --warmup 3 --runs 20 --export-json bench/results/scan.json \
  "$bin list --home $work/home --project $work/home --scan $work/src --format json" \
  "fdfind -H -u -E .git -E node_modules -E target '$names' $work/src"
