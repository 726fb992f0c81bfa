#!/usr/bin/env bash
# The Ansible module's test: ansible-core from PyPI (pinned, in a virtualenv under ~/.cache, so
# later runs are offline) runs tests/playbook.yml against localhost with a temporary home that
# holds a Cursor config on a deleted managed-update copy of tsh, and the test suite's fake tsh.
# Needs python3 with venv (or $PYTHON); it builds the debug binaries itself.
set -euo pipefail
cd "$(dirname "$0")/../../.."
version=2.19.14
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mcpcfg/ansible/$version"
if [ ! -x "$cache/bin/ansible-playbook" ]; then
  echo "installing ansible-core $version into $cache"
  rm -rf "$cache"
  "${PYTHON:-python3}" -m venv "$cache"
  "$cache/bin/pip" install --quiet "ansible-core==$version"
fi
cargo build --quiet --locked --bins
target="${CARGO_TARGET_DIR:-$PWD/target}/debug"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home/.cursor" "$work/bin"
cp "$target/mcpcfg-fake-tsh" "$work/bin/tsh"
echo "version=18.3.0" >"$work/bin/tsh.fake"
gone="$work/home/.tsh/bin/1c2d-update-pkg-v2/tsh"
cat >"$work/home/.cursor/mcp.json" <<JSON
{
  // written by tsh mcp config before 18.2.3
  "mcpServers": {
    "teleport-mcp-demo": {"command": "$gone", "args": ["mcp", "connect", "demo"]}
  }
}
JSON

ANSIBLE_LIBRARY="$PWD/contrib/ansible" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_HOME="$work/ansible" \
  "$cache/bin/ansible-playbook" -i localhost, contrib/ansible/tests/playbook.yml \
  -e "home=$work/home" -e "mcpcfg=$target/mcpcfg" -e "stable_tsh=$work/bin/tsh" \
  -e "test_path=$work/bin:/usr/bin:/bin" -e "ansible_python_interpreter=$cache/bin/python"
echo "ansible module: every assertion held"
