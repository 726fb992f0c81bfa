#!/usr/bin/env bash
# The fleet integrations' tests: shellcheck on every shell script of the repository, the Jamf
# extension attribute against stand-ins for macOS's tools, and the Ansible module with
# ansible-core from PyPI (cached under ~/.cache/mcpcfg/ansible) against localhost.
# The Intune scripts are PowerShell: no PowerShell runs here, so they are read, not run.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t scripts < <(git ls-files '*.sh' .ci/run)
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
bash contrib/jamf/test.sh
bash contrib/ansible/tests/run.sh
