#!/usr/bin/env sh
# Builds mcpcfg in release mode and installs it as $PREFIX/bin/mcpcfg (default PREFIX: ~/.local).
# Safe to run again: it replaces the binary only when the new one differs.
set -eu
cd "$(dirname "$0")"
PREFIX="${PREFIX:-$HOME/.local}"
if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo is not installed. Install Rust first: https://rustup.rs (then run this again)" >&2
  exit 1
fi
echo "building mcpcfg (release)..."
cargo build --release --locked --quiet --bin mcpcfg
src=target/release/mcpcfg
dest="$PREFIX/bin/mcpcfg"
mkdir -p "$PREFIX/bin"
if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
  echo "mcpcfg is already up to date at $dest"
else
  # Copy beside the target, then rename: a running mcpcfg is never left half-replaced.
  cp "$src" "$dest.tmp.$$"
  chmod 755 "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  echo "installed mcpcfg to $dest"
fi
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "note: $PREFIX/bin is not on your PATH; add it, e.g. export PATH=\"$PREFIX/bin:\$PATH\"" ;;
esac
