#!/usr/bin/env bash
# The unit and integration tests on the Windows build (x86_64-pc-windows-gnu), run under Wine:
#   bash tests/windows/run.sh [cargo test arguments before `--`, e.g. a test name]
# Installs what a fresh Debian machine lacks (the Rust target, the mingw-w64 linker, wine64),
# keeps its Wine prefix in ~/.cache/mcpcfg/wine (XDG_CACHE_HOME when set), and ends with the
# counts: passed, failed, and marked not-on-Windows with each reason.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-pc-windows-gnu
need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need x86_64-w64-mingw32-gcc || missing+=(gcc-mingw-w64-x86-64)
need wine || missing+=(wine64)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
fi
rustup target list --installed | grep -qx "$target" || rustup target add "$target"

cache="${XDG_CACHE_HOME:-$HOME/.cache}/mcpcfg/wine"
export WINEPREFIX="$cache/prefix"
export WINEDEBUG=-all
# No Mono or Gecko: the tests run console programs only, and Wine would offer to download them.
export WINEDLLOVERRIDES="mscoree=;mshtml="
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
  mkdir -p "$cache"
  wineboot --init >/dev/null 2>&1
  wineserver --wait
fi
# Wine 8's bcryptprimitives.dll has no ProcessPrng, which Rust's std calls at start-up; the
# shim (tests/windows/processprng.c) gives it. Newer Wine has its own: then none is installed.
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
if ! cmp -s <(cat tests/windows/processprng.c tests/windows/processprng.def) "$cache/shim.src" 2>/dev/null ||
  [ ! -f "$shim" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$cache/bcryptprimitives.dll" \
    tests/windows/processprng.c tests/windows/processprng.def -ladvapi32
  cp "$cache/bcryptprimitives.dll" "$shim"
  cat tests/windows/processprng.c tests/windows/processprng.def >"$cache/shim.src"
fi

# The Ctrl-C tests raise a console Ctrl-C with this small program (tests/windows/ctrlc.c).
if [ ! -f "$cache/ctrlc.exe" ] || [ tests/windows/ctrlc.c -nt "$cache/ctrlc.exe" ]; then
  x86_64-w64-mingw32-gcc -O2 -o "$cache/ctrlc.exe" tests/windows/ctrlc.c
fi
MCPCFG_TEST_CTRL_C="$(winepath -w "$cache/ctrlc.exe" 2>/dev/null)"
export MCPCFG_TEST_CTRL_C

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
# The Windows-only code is linted too.
cargo clippy --locked --target "$target" --all-targets -- -D warnings
log="$(mktemp)"
# A fresh Wine session, and none left behind: Wine 8 cannot end a process tree (its taskkill has
# no /T), so a test that fails midway may leave a fake server running.
wineserver --kill 2>/dev/null || true
trap 'wineserver --kill 2>/dev/null || true; rm -f "$log"' EXIT
status=0
# One test at a time, and bounded: under Wine a probe with a live MCP session has been seen to
# hang for ever with no process left (those tests are marked; not understood yet, see the
# README), more often when tests run in parallel.
# Into a file, not a pipe: Wine's own services inherit the output of the session's first
# program, and would hold a pipe open (and this script waiting) for as long as anything a
# failed test left running keeps the session alive. The log is shown as it grows.
tail -n +1 -s 0.2 -f "$log" &
tailer=$!
timeout 1800 cargo test --locked --no-fail-fast --target "$target" --lib --test cli "$@" -- --test-threads=1 \
  >"$log" 2>&1 </dev/null || status=$?
sleep 0.5
kill "$tailer" 2>/dev/null || true

echo
echo "Windows build under Wine ($(wine --version)):"
grep -E '^test result:' "$log" | sed 's/^/  /' || true
if grep -q ' \.\.\. ignored, ' "$log"; then
  echo "  marked not-on-Windows, by reason:"
  grep -o ' \.\.\. ignored, .*' "$log" | sed 's/ \.\.\. ignored, //' | sort | uniq -c | sort -rn | sed 's/^/  /'
fi
exit "$status"
