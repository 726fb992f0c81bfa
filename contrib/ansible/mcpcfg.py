#!/usr/bin/python
# -*- coding: utf-8 -*-
# An Ansible module for mcpcfg (https://github.com/…/mcpcfg): check and repair the tsh paths in
# MCP client configs on managed machines. Needs nothing beyond ansible-core and the mcpcfg
# binary on the target. Apache-2.0, as mcpcfg.

from __future__ import annotations

DOCUMENTATION = r"""
module: mcpcfg
short_description: Check and repair the tsh paths in MCP client configs
description:
  - Runs C(mcpcfg fix-config --format json) on the target, which repairs the tsh paths of MCP
    client configs (Claude Desktop, Cursor, VS Code, Claude Code, ...) in place, atomically,
    keeping every other byte and a backup for C(mcpcfg undo).
  - In check mode it runs C(mcpcfg fix-config --dry-run --format json), which writes nothing and
    lists the repairs it would make, so that C(changed) says truthfully whether a real run
    would change a file.
  - Reports C(changed) when at least one server was repaired, and returns mcpcfg's findings.
  - Fails with mcpcfg's message when mcpcfg stops on an error (exit status 2: a config it
    cannot parse, a write that failed) or a config changed while it worked (exit status 3).
  - Problems left that no path repair mends (a tsh too old) are warnings, or a failure with
    I(fail_on_findings).
options:
  home:
    description: Use this home folder for every default location (C(--home)); run the task as
      that home's owner (C(become_user)) so the files keep their owner.
    type: path
  clients:
    description: Only these clients (C(--client), e.g. C(claude-desktop), C(cursor), C(vscode)).
    type: list
    elements: str
    default: []
  tsh:
    description: The tsh that repaired configs must point at (C(--tsh)).
    type: path
  include_project:
    description: Also rewrite project-level configs (C(--include-project)) in I(project).
    type: bool
    default: false
  project:
    description: The project folder whose project-level configs are read (C(--project)).
    type: path
  backup:
    description: Keep the original files for C(mcpcfg undo) (C(--no-backup) when false).
    type: bool
    default: true
  fail_on_findings:
    description: Fail when errors are left after the repair (mcpcfg's exit status 1).
    type: bool
    default: false
  binary:
    description: The mcpcfg binary; found on the target's PATH when not given.
    type: path
"""

EXAMPLES = r"""
- name: Repair the MCP client configs of alice
  mcpcfg:
    home: /home/alice
  become: true
  become_user: alice

- name: Only Claude Desktop, pointing at the packaged tsh
  mcpcfg:
    clients: [claude-desktop]
    tsh: /usr/local/bin/tsh
"""

RETURN = r"""
changed:
  description: Whether a server was repaired (in check mode, would be).
  type: bool
changes:
  description: Each repair, as mcpcfg's JSON gives it (path, server, from, to).
  type: list
findings:
  description: mcpcfg's findings (code, severity, client, path, server, message, hint); after a
    real run, what is left.
  type: list
summary:
  description: mcpcfg's counts (configs, servers, tsh_servers, errors, warnings, changed).
  type: dict
exit_status:
  description: mcpcfg's exit status (0 healthy or repaired, 1 errors left). Not C(rc), which
    Ansible takes for a failure whenever it is not 0; a failed task has C(rc) (2 or 3).
  type: int
"""

import json

from ansible.module_utils.basic import AnsibleModule


def command(module, binary):
    p = module.params
    args = [binary, "fix-config", "--format", "json", "--color", "never"]
    if module.check_mode:
        args.append("--dry-run")
    if p["home"]:
        args += ["--home", p["home"]]
    for c in p["clients"]:
        args += ["--client", c]
    if p["tsh"]:
        args += ["--tsh", p["tsh"]]
    if p["project"]:
        args += ["--project", p["project"]]
    if p["include_project"]:
        args.append("--include-project")
    if not p["backup"]:
        args.append("--no-backup")
    return args


def why_stopped(doc):
    """What made mcpcfg stop, from its report: each file it could not read (with the line and
    column), each write that failed."""
    reasons = []
    for c in doc.get("configs") or []:
        e = c.get("error")
        if not e:
            continue
        if e.get("line") is not None:
            reasons.append("%s: line %s, column %s: %s" % (c.get("path"), e["line"], e.get("column"), e.get("message")))
        else:
            reasons.append("%s: %s" % (c.get("path"), e.get("message")))
    reasons += [w.get("message", "") for w in doc.get("write_errors") or []]
    return "; ".join(reasons)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            home=dict(type="path"),
            clients=dict(type="list", elements="str", default=[]),
            tsh=dict(type="path"),
            include_project=dict(type="bool", default=False),
            project=dict(type="path"),
            backup=dict(type="bool", default=True),
            fail_on_findings=dict(type="bool", default=False),
            binary=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    binary = module.params["binary"] or module.get_bin_path("mcpcfg", required=True)
    args = command(module, binary)
    rc, out, err = module.run_command(args)
    try:
        doc = json.loads(out)
    except ValueError:
        module.fail_json(msg="mcpcfg printed no JSON document: %s" % (err.strip() or out.strip()), rc=rc, cmd=args)
    if rc >= 2 or "error" in doc:
        message = (doc.get("error") or {}).get("message") or why_stopped(doc) or err.strip()
        if rc == 3:
            message = "a config changed while mcpcfg worked on it, nothing was written to it: %s" % message
        module.fail_json(msg=message, rc=rc, cmd=args, stderr=err)
    changes = doc.get("changes") or []
    findings = doc.get("findings") or []
    result = dict(
        changed=bool(changes),
        changes=changes,
        findings=findings,
        summary=doc.get("summary") or {},
        exit_status=rc,
        cmd=args,
    )
    left = [f for f in findings if f.get("severity") == "error"]
    # In check mode the findings are those before the repair; after a real one, what is left.
    if left and not module.check_mode:
        text = "; ".join("%s: %s" % (f.get("code"), f.get("message")) for f in left)
        if module.params["fail_on_findings"]:
            module.fail_json(msg="errors left after the repair: %s" % text, **result)
        module.warn("errors left after the repair (see `mcpcfg doctor`): %s" % text)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
