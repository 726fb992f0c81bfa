#!/usr/bin/env bash
# SPEC §8 bar: `mcpcfg check` on a home with the four clients configured and one fake tsh, against
# a shell that reads the same files and runs that tsh once. Needs hyperfine (installed if missing).
# Usage: bench/home.sh   (prints hyperfine's table; exports bench/results/home.json)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --locked --quiet --bin mcpcfg
bin=$PWD/target/release/mcpcfg
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$work/bin" "$home/.cursor" "$home/.config/Claude" "$home/.config/Code/User" "$work/project"
cat > "$work/bin/tsh" <<'TSH'
#!/bin/sh
echo "Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7"
TSH
chmod +x "$work/bin/tsh"
entry() { printf '{"command": "%s", "args": ["mcp", "connect", "%s"], "env": {"TELEPORT_HOME": "%s/.tsh"}}' "$work/bin/tsh" "$1" "$home"; }
printf '{\n  "mcpServers": {\n    "teleport-mcp-a": %s,\n    "teleport-mcp-b": %s\n  }\n}\n' "$(entry a)" "$(entry b)" > "$home/.config/Claude/claude_desktop_config.json"
printf '{\n  // Cursor\n  "mcpServers": {\n    "teleport-mcp-a": %s,\n  }\n}\n' "$(entry a)" > "$home/.cursor/mcp.json"
printf '{\n  // VS Code\n  "servers": {\n    "teleport-mcp-a": %s,\n    "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}\n  }\n}\n' "$(entry a)" > "$home/.config/Code/User/mcp.json"
printf '{"numStartups": 40, "projects": {"/src/a": {"history": [], "mcpServers": {"teleport-mcp-a": %s}}}, "mcpServers": {}}\n' "$(entry a)" > "$home/.claude.json"
files="$home/.config/Claude/claude_desktop_config.json $home/.cursor/mcp.json $home/.config/Code/User/mcp.json $home/.claude.json"
export PATH="$work/bin:/usr/bin:/bin"
cd "$work/project"
"$bin" check --home "$home" >/dev/null   # healthy: exit 0
mkdir -p "$OLDPWD/bench/results"
hyperfine -N --warmup 20 --runs 200 \
  --export-json "$OLDPWD/bench/results/home.json" \
  "$bin check --home $home" \
  "sh -c 'cat $files >/dev/null; tsh version --client >/dev/null'"
