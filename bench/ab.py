#!/usr/bin/env python3
"""Two builds of mcpcfg on one big ~/.claude.json, run in turn with the floor and `cat`, so that
a noisy machine slows both alike (bench/interleave.py, as bench/run.sh does for one build).

Usage: bench/ab.py OLD_BIN NEW_BIN FILE [ROUNDS]
  FILE is copied into a temporary home as .claude.json before every run (fix-config repairs it);
  a fake tsh that prints a real `tsh version` line is put first on PATH. Prints the minimum and
  the median wall time of each command, and the issue 13 ratios (goal 2: fix-config / floor,
  goal 4: check / cat) of both builds.
"""
import os
import shlex
import shutil
import statistics
import sys
import tempfile

from interleave import run_rounds


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    old, new, master = (os.path.abspath(a) for a in sys.argv[1:4])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    work = tempfile.mkdtemp()
    try:
        home, bindir = os.path.join(work, "home"), os.path.join(work, "bin")
        os.makedirs(home)
        os.makedirs(bindir)
        tsh = os.path.join(bindir, "tsh")
        with open(tsh, "w") as f:
            f.write('#!/bin/sh\necho "Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7"\n')
        os.chmod(tsh, 0o755)
        env = dict(os.environ, PATH=bindir + ":/usr/bin:/bin")
        target = os.path.join(home, ".claude.json")
        commands = {
            "fix old": [old, "fix-config", "--home", home],
            "fix new": [new, "fix-config", "--home", home],
            "floor": ["sh", "-c", f"cp {target} {target}.T && sync {target}.T && mv {target}.T {target}"],
            "check old": [old, "check", "--home", home],
            "check new": [new, "check", "--home", home],
            "cat": ["cat", target],
        }
        # Every command starts from the master copy (fix-config repairs it; the floor copies it).
        restore = "cp %s %s" % (shlex.quote(master), shlex.quote(target))
        times = run_rounds([(name, restore, argv) for name, argv in commands.items()], rounds, 0, env=env, cwd=work)
    finally:
        shutil.rmtree(work)
    for name, t in times.items():
        print("%-9s min %7.1f ms  median %7.1f ms" % (name, min(t) * 1e3, statistics.median(t) * 1e3))
    for label, pick in (("min", min), ("median", statistics.median)):
        x = {name: pick(t) for name, t in times.items()}
        print(
            "%-6s  2. fix-config / floor: old %.2f×, new %.2f× (bar 1.5×)   4. check / cat: old %.2f×, new %.2f× (bar 4×)"
            % (label, x["fix old"] / x["floor"], x["fix new"] / x["floor"], x["check old"] / x["cat"], x["check new"] / x["cat"])
        )


if __name__ == "__main__":
    main()
