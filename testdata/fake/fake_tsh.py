"""Shared code for the fake `tsh` executables under testdata/fake/*/tsh.

Each fake is a tiny script that calls `main(mode)`. Every fake answers
`tsh version --client` like a real tsh 18.2.3. The MCP fakes act as a stdio MCP
server (newline-delimited JSON-RPC, as MCP's stdio transport) for
`tsh mcp connect <app>`; the online fakes print fixtures for `tsh status` and
`tsh mcp ls`.

Environment knobs used by the tests:
  FAKE_TSH_PIDFILE  append the pids of this process and of its children to this file
  FAKE_TSH_LINGER   (MCP servers) on stdin EOF do not exit: ignore SIGTERM, start a
                    `sleep 1000` child and sleep forever
  FAKE_TSH_INIT_ERROR (MCP servers) answer `initialize` with this JSON-RPC error message
  FAKE_TSH_STDERR_FLOOD (MCP servers) write this many lines to stderr before serving
  FAKE_TSH_ECHO_ENV (all) write "env NAME=value" for this variable and "cwd <dir>" to
                    stderr first
"""

import json
import os
import signal
import subprocess
import sys
import time

VERSION_LINE = "Teleport v18.2.3 git:v18.2.3-0-g1a2b3c4 go1.24.7"
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

TOOLS = [
    {
        "name": "teleport_user_info",
        "description": "Shows the Teleport user and session information.",
        "inputSchema": {"type": "object", "properties": {}},
    },
    {
        "name": "teleport_demo_echo",
        "description": "Echoes its input.",
        "inputSchema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
        },
    },
]


def record_pid(pid):
    path = os.environ.get("FAKE_TSH_PIDFILE")
    if path:
        with open(path, "a") as f:
            f.write("%d\n" % pid)


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def serve_mcp(tools, paginate):
    """A minimal stdio MCP server: initialize, tools/list (paginated), ping."""
    flood = int(os.environ.get("FAKE_TSH_STDERR_FLOOD") or 0)
    for i in range(flood):
        sys.stderr.write("DEBUG: noise line %d of %d, padding padding padding\n" % (i + 1, flood))
    sys.stderr.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if "id" not in msg or "method" not in msg:
            continue  # notifications (notifications/initialized) and responses
        method, rid = msg["method"], msg["id"]
        if method == "initialize" and os.environ.get("FAKE_TSH_INIT_ERROR"):
            send({"jsonrpc": "2.0", "id": rid, "error": {
                "code": -32603, "message": os.environ["FAKE_TSH_INIT_ERROR"]}})
        elif method == "initialize":
            send({"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {"listChanged": False}},
                "serverInfo": {"name": "teleport-mcp-demo", "version": "1.0.0"},
            }})
        elif method == "tools/list":
            cursor = (msg.get("params") or {}).get("cursor")
            if paginate and tools:
                start = int(cursor or 0)
                page = tools[start:start + 1]
                result = {"tools": page}
                if start + 1 < len(tools):
                    result["nextCursor"] = str(start + 1)
            else:
                result = {"tools": tools}
            send({"jsonrpc": "2.0", "id": rid, "result": result})
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": rid, "result": {}})
        else:
            send({"jsonrpc": "2.0", "id": rid, "error": {
                "code": -32601, "message": "Method not found: " + method}})
    if os.environ.get("FAKE_TSH_LINGER"):
        linger()


def linger():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(["sleep", "1000"], stdin=subprocess.DEVNULL)
    record_pid(child.pid)
    while True:
        time.sleep(1)


def hang():
    """Ignore SIGTERM, start a `sleep 1000` child, read stdin and never answer,
    and keep running after stdin EOF."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(["sleep", "1000"], stdin=subprocess.DEVNULL)
    record_pid(child.pid)
    sys.stderr.write("INFO: connecting to the MCP server...\n")
    sys.stderr.flush()
    for _ in sys.stdin:
        pass
    linger()


def cat_fixture(name, stream):
    with open(os.path.join(FIXTURES, name)) as f:
        stream.write(f.read())
    stream.flush()


def main(mode):
    record_pid(os.getpid())
    args = sys.argv[1:]
    echo = os.environ.get("FAKE_TSH_ECHO_ENV")
    if echo:
        sys.stderr.write("env %s=%s\ncwd %s\n" % (echo, os.environ.get(echo, ""), os.getcwd()))
        sys.stderr.flush()
    if args[:1] == ["version"]:
        print(VERSION_LINE)
        return 0
    if args[:2] == ["mcp", "connect"] and len(args) >= 3:
        if mode == "mcp-ok":
            serve_mcp(TOOLS, paginate=True)
            return 0
        if mode == "mcp-notools":
            serve_mcp([], paginate=False)
            return 0
        if mode == "mcp-fail":
            sys.stderr.write('ERROR: access denied to app "%s"\n' % args[2])
            return 1
        if mode == "mcp-hang":
            hang()
    if args[:1] == ["status"]:
        if mode == "online-ok":
            cat_fixture("status-logged-in.json", sys.stdout)
            return 0
        if mode == "online-expired":
            cat_fixture("status-expired.json", sys.stdout)
            cat_fixture("status-expired.stderr", sys.stderr)
            return 1
        if mode == "online-no-active-profile":
            # Profiles exist, none is current: tsh prints the JSON and fails.
            cat_fixture("status-no-active-profile.json", sys.stdout)
            cat_fixture("status-no-active-profile.stderr", sys.stderr)
            return 1
        if mode == "online-logged-out":
            cat_fixture("status-not-logged-in.stderr", sys.stderr)
            return 1
        if mode == "online-hang":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                time.sleep(1)
    if args[:2] == ["mcp", "ls"] and mode == "online-ok":
        cat_fixture("mcp-ls.json", sys.stdout)
        return 0
    sys.stderr.write('ERROR: expected command but got "%s"\n' % " ".join(args))
    return 1
