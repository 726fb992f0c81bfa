#!/usr/bin/env python3
"""Wall times of several commands run in turn, round after round, so that a slow spell of the
machine slows every command of a round alike (hyperfine runs each command's series one after
the other, and one slow spell then skews a ratio: `cat` once took 24 ms instead of 13).

Usage: bench/interleave.py OUT.json ROUNDS WARMUP NAME=COMMAND [NAME=COMMAND ...]
  COMMAND is split as a shell would split it (shlex) and run without a shell, its output
  discarded. A NAME given as `NAME@PREPARE` runs PREPARE (through `sh -c`, untimed) before each
  of its runs, then `sync`, so that the flush of what PREPARE wrote does not land in the timing.
  Each round runs every command once, in the order given; WARMUP rounds come first, untimed.
Prints each command's median and minimum; writes every time, in seconds, to OUT.json as
{"results": [{"command": NAME, "median": s, "min": s, "times": [s, ...]}, ...]}.
"""
import json
import shlex
import statistics
import subprocess
import sys
import time


def run_rounds(commands, rounds, warmup, env=None, cwd=None):
    """Runs `commands` ((name, prepare, argv) each; prepare a shell command or "") in turn,
    `warmup` untimed rounds then `rounds` timed ones: each command's wall times, in seconds."""
    times = {name: [] for name, _, _ in commands}
    for r in range(warmup + rounds):
        for name, prepare, argv in commands:
            if prepare:
                subprocess.run(["sh", "-c", prepare], check=True)
                subprocess.run(["sync"], check=True)
            start = time.perf_counter()
            # A non-zero status is expected (the bench file names stale copies of tsh).
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
            took = time.perf_counter() - start
            if r >= warmup:
                times[name].append(took)
    return times


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out, rounds, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    commands = []
    for arg in sys.argv[4:]:
        name, sep, command = arg.partition("=")
        if not sep:
            sys.exit("interleave.py: %r is not NAME=COMMAND" % arg)
        name, _, prepare = name.partition("@")
        commands.append((name, prepare, shlex.split(command)))
    times = run_rounds(commands, rounds, warmup)
    results = [
        {"command": name, "median": statistics.median(t), "min": min(t), "times": t} for name, t in times.items()
    ]
    with open(out, "w") as f:
        json.dump({"results": results}, f, indent=1)
    for x in results:
        print("%-12s median %8.1f ms  min %8.1f ms" % (x["command"], x["median"] * 1e3, x["min"] * 1e3))


if __name__ == "__main__":
    main()
