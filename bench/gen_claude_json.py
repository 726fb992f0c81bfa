#!/usr/bin/env python3
"""Writes a realistic, deterministic Claude Code `~/.claude.json` of about the size asked for.

Shape (as Claude Code writes it: JSON.stringify(state, null, 2), raw UTF-8): top-level app
state (numStartups, tipsHistory, userID, oauthAccount, cachedChangelog, ...), a top-level
`mcpServers` with a couple of tsh servers, and thousands of `projects."/home/u/src/proj-N"`
objects, each with `allowedTools`, a long `history` of prompts, `mcpServers` (mostly empty;
some with tsh servers, a few of them pointing at stale managed-update paths
`/home/u/.tsh/bin/<uuid>-update-pkg-v2/tsh`), `lastCost` and the other per-project counters.

Layouts: `pretty` (as Claude Code writes it), `minified` (the same state on one line, as a
tool that rewrites it with JSON.stringify(state) leaves it), `non-ascii` (pretty, with prompts
mostly in Cyrillic, Japanese and accented words: multi-byte UTF-8 throughout).

Usage: gen_claude_json.py OUT [--size-mb 64] [--seed 1] [--layout pretty|minified|non-ascii]
"""

import argparse
import json
import random
import uuid

WORDS = (
    "the a function test build error fix refactor module config server client request response "
    "handler async await struct enum trait impl parse token file path directory cargo npm node "
    "python rust go teleport tsh mcp proxy cluster database login session certificate role user "
    "deploy kubernetes pod container image docker compose yaml json schema migration index query "
    "why does this fail when I run it please explain the stack trace and suggest a change"
).split()
# Words of the non-ascii layout.
WIDE = ["Привет", "мир", "ошибка", "сервер", "日本語", "設定", "ファイル", "エラー", "café", "naïve",
        "Größe", "über", "ñandú", "—", "“quoted”", "✓", "🚀"]
LAYOUT = {"wide": False}
UNICODE = ["é", "ü", "ß", "日本語", "café", "naïve", "—", "…", "“quoted”", "✓", "🚀", "Ω", "Привет"]
TOOLS = ["Bash(npm run test:*)", "Bash(cargo build:*)", "Edit", "Read", "WebFetch(domain:docs.rs)",
         "Bash(git status:*)", "mcp__teleport-mcp-demo__query"]


def prompt(rng):
    """A prompt as users paste them: lines of prose, code, paths, quotes, tabs, escapes."""
    lines = []
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        if kind < 0.6:
            pool = WIDE if LAYOUT["wide"] and rng.random() < 0.8 else WORDS
            words = [rng.choice(pool) for _ in range(rng.randint(3, 25))]
            if rng.random() < 0.15:
                words.insert(rng.randrange(len(words)), rng.choice(UNICODE))
            lines.append(" ".join(words))
        elif kind < 0.75:
            lines.append('    let x = parse("%s")?; // "quoted" \\ backslash\t%d' % (rng.choice(WORDS), rng.randint(0, 99999)))
        elif kind < 0.85:
            lines.append("error[E0%03d]: mismatched types at src/%s.rs:%d:%d" % (
                rng.randint(0, 999), rng.choice(WORDS), rng.randint(1, 900), rng.randint(1, 80)))
        elif kind < 0.92:
            lines.append("C:\\Users\\u\\src\\%s\\%s.json" % (rng.choice(WORDS), rng.choice(WORDS)))
        else:
            lines.append("\x1b[31mFAILED\x1b[0m %s" % rng.choice(WORDS))
    return "\n".join(lines)


def tsh_server(rng, app, stale):
    if stale:
        command = "/home/u/.tsh/bin/%s-update-pkg-v2/tsh" % uuid.UUID(int=rng.getrandbits(128), version=4)
    else:
        command = rng.choice(["/usr/local/bin/tsh", "/usr/bin/tsh", "tsh"])
    entry = {"type": "stdio", "command": command, "args": ["mcp", "connect", app]}
    if rng.random() < 0.3:
        entry["env"] = {"TELEPORT_HOME": "/home/u/.tsh"}
    return entry


def project_servers(rng):
    r = rng.random()
    servers = {}
    if r < 0.90:
        return servers
    if r < 0.98:
        servers["filesystem"] = {"type": "stdio", "command": "npx",
                                 "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/u/src"], "env": {}}
        return servers
    for i in range(rng.randint(1, 3)):
        app = rng.choice(["demo", "grafana", "pg", "jira", "internal-docs"])
        servers["teleport-mcp-%s" % app] = tsh_server(rng, app, stale=rng.random() < 0.4)
    if rng.random() < 0.3:
        servers["remote-docs"] = {"type": "http", "url": "https://mcp.example.com/mcp"}
    return servers


def project(rng):
    history = [{"display": prompt(rng), "pastedContents": {}} for _ in range(rng.randint(3, 40))]
    if rng.random() < 0.2:
        history[0]["pastedContents"] = {"1": {"id": 1, "type": "text", "content": prompt(rng)}}
    return {
        "allowedTools": rng.sample(TOOLS, rng.randint(0, 4)),
        "history": history,
        "mcpContextUris": [],
        "mcpServers": project_servers(rng),
        "enabledMcpjsonServers": [],
        "disabledMcpjsonServers": [],
        "hasTrustDialogAccepted": rng.random() < 0.9,
        "ignorePatterns": [],
        "projectOnboardingSeenCount": rng.randint(0, 4),
        "hasClaudeMdExternalIncludesApproved": False,
        "hasClaudeMdExternalIncludesWarningShown": False,
        "lastCost": round(rng.random() * 12, 6),
        "lastAPIDuration": rng.randint(0, 900000),
        "lastDuration": rng.randint(0, 9000000),
        "lastLinesAdded": rng.randint(0, 3000),
        "lastLinesRemoved": rng.randint(0, 3000),
        "lastTotalInputTokens": rng.randint(0, 10**7),
        "lastTotalOutputTokens": rng.randint(0, 10**6),
        "lastTotalCacheCreationInputTokens": rng.randint(0, 10**6),
        "lastTotalCacheReadInputTokens": rng.randint(0, 10**8),
        "lastSessionId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "exampleFiles": ["src/%s.rs" % rng.choice(WORDS) for _ in range(rng.randint(0, 5))],
    }


def indent(text, by):
    return text.replace("\n", "\n" + " " * by)


def dumps(value):
    # Node's JSON.stringify(v, null, 2): raw UTF-8, ", " never used, ": " after keys.
    return json.dumps(value, indent=2, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=64.0, help="target size in MiB (default 64)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--layout", choices=["pretty", "minified", "non-ascii"], default="pretty")
    a = ap.parse_args()
    LAYOUT["wide"] = a.layout == "non-ascii"
    rng = random.Random(a.seed)
    target = int(a.size_mb * 1024 * 1024)

    head = {
        "numStartups": 1843,
        "installMethod": "npm-global",
        "autoUpdates": True,
        "tipsHistory": {t: rng.randint(1, 1800) for t in
                        ["new-user-warmup", "memory-command", "theme-command", "prompt-queue", "shift-tab",
                         "git-worktrees", "ide-hotkey", "custom-commands", "permissions", "todo-list"]},
        "userID": "%064x" % rng.getrandbits(256),
        "firstStartTime": "2025-03-02T09:14:11.372Z",
        "hasCompletedOnboarding": True,
        "lastOnboardingVersion": "1.0.51",
        "cachedChangelog": "# Changelog\n\n" + "\n".join("## 1.0.%d\n\n- %s" % (i, prompt(rng)) for i in range(60)),
        "changelogLastFetched": 1761234567890,
        "oauthAccount": {"accountUuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                         "emailAddress": "u@example.com", "organizationName": "Example"},
        "mcpServers": {
            "teleport-mcp-demo": {"type": "stdio", "command": "/usr/local/bin/tsh",
                                  "args": ["mcp", "connect", "demo"]},
            "teleport-databases": {"type": "stdio",
                                   "command": "/home/u/.tsh/bin/1f6b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-update-pkg-v2/tsh",
                                   "args": ["mcp", "db", "start",
                                            "teleport://clusters/main/databases/pg?dbName=app&dbUser=ro"],
                                   "env": {"TELEPORT_HOME": "/home/u/.tsh"}},
        },
    }
    tail = {"isQualifiedForDataSharing": False, "fallbackAvailableWarningThreshold": 0.5,
            "subscriptionNoticeCount": 0, "hasAvailableSubscription": False}

    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        written = 0

        def w(s):
            nonlocal written
            f.write(s)
            written += len(s.encode("utf-8"))

        w("{\n")
        for k, v in head.items():
            w("  %s: %s,\n" % (json.dumps(k), indent(dumps(v), 2)))
        w('  "projects": {')
        n = 0
        tail_text = "".join(",\n  %s: %s" % (json.dumps(k), indent(dumps(v), 2)) for k, v in tail.items())
        while True:
            name = "/home/u/src/proj-%d" % n
            text = "%s\n    %s: %s" % ("," if n else "", json.dumps(name), indent(dumps(project(rng)), 4))
            w(text)
            n += 1
            if written + len(tail_text) + 8 >= target:
                break
        w("\n  }")
        w(tail_text)
        w("\n}\n")
    if a.layout == "minified":
        with open(a.out, encoding="utf-8") as f:
            state = json.load(f)
        with open(a.out, "w", encoding="utf-8", newline="\n") as f:
            f.write(json.dumps(state, ensure_ascii=False, separators=(",", ":")) + "\n")
    print("%s: %s, %d projects" % (a.out, a.layout, n))


if __name__ == "__main__":
    main()
