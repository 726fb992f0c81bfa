#!/usr/bin/env sh
# Builds mcpcfg in release mode and installs it under $PREFIX (default ~/.local):
#   $PREFIX/bin/mcpcfg
#   $PREFIX/share/man/man1/mcpcfg.1 and mcpcfg-COMMAND.1 for each command
#   $PREFIX/share/bash-completion/completions/mcpcfg
#   $PREFIX/share/zsh/site-functions/_mcpcfg
#   $PREFIX/share/fish/vendor_completions.d/mcpcfg.fish
# Safe to run again: a file is replaced only when the new one differs, and each line says what
# happened to it. A relative PREFIX is taken from the folder you run this in.
# MCPCFG_BIN=PATH installs that binary instead of building one (the tests use it).
set -eu
PREFIX="${PREFIX:-$HOME/.local}"
case "$PREFIX" in
  /*) ;;
  *) PREFIX="$(pwd)/$PREFIX" ;;
esac
cd "$(dirname "$0")"

if [ -n "${MCPCFG_BIN:-}" ]; then
  src="$MCPCFG_BIN"
else
  if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo is not installed. Install Rust first: https://rustup.rs (then run this again)" >&2
    exit 1
  fi
  echo "building mcpcfg (release; the first build takes a few minutes)..."
  cargo build --release --locked --quiet --bin mcpcfg
  src=target/release/mcpcfg
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# put FILE DEST MODE WHAT: installs FILE as DEST unless DEST already holds the same bytes. The
# copy goes beside DEST and is renamed over it, so a running mcpcfg is never half-replaced.
put() {
  mkdir -p "$(dirname "$2")"
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    echo "up to date: $4 $2"
  else
    cp "$1" "$2.tmp.$$"
    chmod "$3" "$2.tmp.$$"
    mv -f "$2.tmp.$$" "$2"
    echo "installed:  $4 $2"
  fi
}

# The man page and completions come from the binary itself, so they always match it.
mkdir "$work/man"
"$src" man "$work/man"
"$src" completions bash >"$work/mcpcfg.bash"
"$src" completions zsh >"$work/_mcpcfg"
"$src" completions fish >"$work/mcpcfg.fish"

put "$src" "$PREFIX/bin/mcpcfg" 755 "binary         "
for page in "$work"/man/*.1; do
  put "$page" "$PREFIX/share/man/man1/$(basename "$page")" 644 "man page       "
done
put "$work/mcpcfg.bash" "$PREFIX/share/bash-completion/completions/mcpcfg" 644 "bash completion"
put "$work/_mcpcfg" "$PREFIX/share/zsh/site-functions/_mcpcfg" 644 "zsh completion "
put "$work/mcpcfg.fish" "$PREFIX/share/fish/vendor_completions.d/mcpcfg.fish" 644 "fish completion"

case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "note: $PREFIX/bin is not on your PATH; add it, e.g. export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
# bash-completion and man look beside each PATH folder (../share/…), fish in ~/.local/share and
# XDG_DATA_DIRS; zsh only in its fpath, which holds /usr/local/share/zsh/site-functions alone.
case "$PREFIX" in
  /usr | /usr/local) ;;
  *) echo "note: for zsh, add fpath+=($PREFIX/share/zsh/site-functions) before compinit in ~/.zshrc" ;;
esac
