#!/usr/bin/env bash
# The Jamf extension attribute on Linux: macOS's stat, dscl, sudo and plutil are stood in for
# by small scripts (plutil's JSON reading by python3), mcpcfg and the fake tsh are the real
# debug builds. Each case checks the one <result> line Jamf reads.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --locked --bins
target="${CARGO_TARGET_DIR:-$PWD/target}/debug"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stubs" "$work/Users/alice/.cursor" "$work/bin"
cat >"$work/stubs/stat" <<SH
#!/bin/sh
echo "\${CONSOLE_USER:-alice}"
SH
cat >"$work/stubs/dscl" <<SH
#!/bin/sh
echo "NFSHomeDirectory: $work/Users/alice"
SH
cat >"$work/stubs/sudo" <<'SH'
#!/bin/sh
# sudo -u USER CMD...: run CMD as this user.
shift 2
exec "$@"
SH
cat >"$work/stubs/plutil" <<'SH'
#!/bin/sh
# plutil -extract KEY raw -o - -: KEY's value in the JSON on stdin.
exec python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$2"
SH
chmod +x "$work"/stubs/*
cp "$target/mcpcfg-fake-tsh" "$work/bin/tsh"
echo "version=18.3.0" >"$work/bin/tsh.fake"

ea() {
  PATH="$work/stubs:$work/bin:/usr/bin:/bin" MCPCFG="${USE_MCPCFG:-$target/mcpcfg}" PLUTIL="$work/stubs/plutil" \
    sh contrib/jamf/mcpcfg-extension-attribute.sh
}
expect() {
  local got
  got="$(ea)"
  if [ "$got" != "$1" ]; then
    echo "jamf extension attribute: expected $1, got $got" >&2
    exit 1
  fi
}

echo '{"mcpServers": {}}' >"$work/Users/alice/.cursor/mcp.json"
expect "<result>healthy</result>"
echo "{\"mcpServers\": {\"teleport-mcp-a\": {\"command\": \"$work/gone/tsh\", \"args\": [\"mcp\", \"connect\", \"a\"]}}}" \
  >"$work/Users/alice/.cursor/mcp.json"
expect "<result>errors 1, warnings 0: tsh-missing</result>"
echo '{"mcpServers": ' >"$work/Users/alice/.cursor/mcp.json"
expect "<result>errors 1, warnings 0: config-malformed</result>"
CONSOLE_USER=loginwindow expect "<result>no user logged in</result>"
USE_MCPCFG=/nonexistent expect "<result>mcpcfg not installed</result>"
rm -rf "$work/Users/alice"
expect "<result>no home folder for alice</result>"
echo "jamf extension attribute: every case held"
