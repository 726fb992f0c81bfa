//! Planning a repair: which commands change, the new bytes of each file, and the proof that
//! nothing else changed. Pure: writing is [`crate::write`]'s job.

use std::ops::Range;
use std::path::Path;

use crate::clients::{Client, Scope};
use crate::document::{self, Edit, Patched};
use crate::output::clean;
use crate::readat::{ReadAt, holds_at_with, read_all};
use crate::report::{Change, ConfigReport, Report};

/// What a user asked of fix-config.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Only these servers (all when empty).
    pub servers: Vec<String>,
    pub include_project: bool,
}

/// The repair of one file.
#[derive(Debug)]
pub struct FilePlan {
    /// Index into `Report::configs`: the reading whose bytes are edited and written.
    pub config: usize,
    /// The other readings of the same file (other clients that read it), repaired with it.
    pub also: Vec<usize>,
    pub edits: Vec<Edit>,
    pub changes: Vec<Change>,
}

/// The whole repair, and what was left alone and why.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    pub skipped: Vec<String>,
}

/// Plans every repair `report` calls for, pointing commands at `to`.
pub fn plan(report: &Report, to: Option<&Path>, opts: &FixOptions) -> anyhow::Result<Plan> {
    let mut out = Plan::default();
    // A tsh too old for MCP (version skew, no `mcp connect`) that a config runs by its path is
    // repairable when the stable tsh is a good one: the config moves to it. With `--tsh`, every
    // selected tsh server moves to the tsh asked for.
    let fixed = crate::tsh::fixed_version();
    let stable_good = report.tsh.as_ref().is_some_and(|t| {
        t.version.as_ref().is_some_and(|v| *v >= fixed) && t.managed_version.as_ref().is_none_or(|m| *m >= fixed)
    });
    let asked = report.tsh.as_ref().is_some_and(|t| t.stable.source == crate::tsh::Source::Flag);
    let old: Vec<&Path> = report
        .global
        .iter()
        .filter_map(|f| f.skew.as_ref())
        .map(|k| k.runs.as_path())
        .filter(|runs| Some(*runs) != to)
        .collect();
    let moves = |s: &crate::report::ServerReport| {
        let runs_old = s.server.command.as_ref().is_some_and(|c| old.contains(&Path::new(&c.value)));
        s.tsh && ((stable_good && runs_old) || asked)
    };
    for (i, c) in report.configs.iter().enumerate() {
        if c.loaded.document().is_none() {
            continue;
        }
        let loc = &c.loaded.location;
        let file = loc.path.display();
        let mut edits = Vec::new();
        let mut changes = Vec::new();
        for s in &c.servers {
            let wanted = crate::check::selected(&opts.servers, &s.server);
            let repairable = s.findings.iter().any(|f| f.code.repairable()) || moves(s);
            if !wanted || !repairable {
                continue;
            }
            let label = clean(&s.server.label());
            let Some(to) = to else { continue }; // reported as tsh-not-found
            if loc.scope == Scope::Project && !opts.include_project {
                out.skipped.push(format!(
                    "left alone {file}: {label} (project-level config, usually committed; pass --include-project to repair it)"
                ));
                continue;
            }
            if loc.scope == Scope::Managed {
                out.skipped.push(format!(
                    "left alone {file}: {label} (a managed file, read-only to mcpcfg: ask your administrator to point it at {})",
                    to.display()
                ));
                continue;
            }
            if s.command_has_variables {
                out.skipped.push(format!(
                    "left alone {file}: {label} (its command uses a variable, which mcpcfg does not replace with a fixed path: set the variable so that it names {})",
                    to.display()
                ));
                continue;
            }
            if s.pinned_by_policy {
                out.skipped.push(format!(
                    "left alone {file}: {label} (the managed allowlist admits it by its command; a new command would make {} drop it: ask your administrator to allow the new one)",
                    loc.client.display()
                ));
                continue;
            }
            if s.server.duplicate {
                out.skipped.push(format!(
                    "left alone {file}: {label} (a duplicate key lies on its path; remove the duplicate first)"
                ));
                continue;
            }
            let Some(cmd) = &s.server.command else { continue };
            let to = to.to_string_lossy().into_owned();
            if cmd.value == to {
                continue;
            }
            edits.push(Edit { span: cmd.span.clone(), value: to.clone() });
            changes.push(Change { path: loc.path.clone(), server: s.server.label(), from: cmd.value.clone(), to });
        }
        if edits.is_empty() {
            continue;
        }
        out.files.push(FilePlan { config: i, also: vec![], edits, changes });
    }
    out.files = one_plan_per_file(report, std::mem::take(&mut out.files));
    let mut said = std::collections::HashSet::new();
    out.skipped.retain(|n| said.insert(n.clone()));
    Ok(out)
}

/// Folds the plans of one file read by several clients into the first: its edits are the same
/// literals seen through each client's eyes, so they are written once, in one rename (two writes
/// would make the second see the first as a concurrent change).
fn one_plan_per_file(report: &Report, plans: Vec<FilePlan>) -> Vec<FilePlan> {
    let mut out: Vec<FilePlan> = Vec::new();
    let key = |i: usize| crate::load::same_file_key(&report.configs[i].loaded.location.path);
    for p in plans {
        let k = key(p.config);
        let Some(first) = out.iter_mut().find(|f| key(f.config) == k) else {
            out.push(p);
            continue;
        };
        first.also.push(p.config);
        for e in p.edits {
            if !first.edits.iter().any(|x| x.span == e.span) {
                first.edits.push(e);
            }
        }
        for c in p.changes {
            if !first.changes.contains(&c) {
                first.changes.push(c);
            }
        }
    }
    for f in &mut out {
        f.edits.sort_by_key(|e| e.span.start);
    }
    out
}

impl FilePlan {
    /// The repaired file, proven to differ from `c`'s only in the edited literals: it is parsed
    /// again and its servers compared with the old ones before anyone may write it. (fix-config
    /// builds and proves on two cores instead: `commands::write_checked`.)
    #[cfg(test)]
    pub fn render(&self, c: &ConfigReport) -> anyhow::Result<Vec<u8>> {
        let new = self.build(c)?;
        self.verify(c, &new)?;
        Ok(new.to_vec())
    }

    /// The repaired file as pieces of the old one and the new literals, not yet proven:
    /// [`FilePlan::verify`] must pass before it is written.
    pub fn build<'a>(&self, c: &'a ConfigReport) -> anyhow::Result<Patched<'a>> {
        Ok(Patched::of(c.loaded.bytes()?, &self.edits, c.loaded.location.servers_at))
    }

    /// The proof `FilePlan::render` (tests) gives: the new text's servers equal `c`'s but for
    /// the edited commands (the whole text read again, or a big file's edited entries alone),
    /// and every byte outside the edited literals is the same.
    pub fn verify<R: ReadAt + ?Sized>(&self, c: &ConfigReport, new: &R) -> anyhow::Result<()> {
        verify(c, new, &self.edits)
    }
}

/// Checks that the new text's servers equal the old ones but for the edited commands, and that
/// every byte outside the edited literals is the same. The new text is read through
/// [`ReadAt`], as it is written, and never held whole: a big Claude Code file has only its
/// servers' entries read again ([`entries_proven`]); where that proves nothing, the whole new
/// text is parsed (streamed through two small windows, as `check` reads it).
fn verify<R: ReadAt + ?Sized>(c: &ConfigReport, new_text: &R, edits: &[Edit]) -> anyhow::Result<()> {
    let path = c.loaded.location.path.display();
    let at = c.loaded.location.servers_at;
    let len = new_text.len_now()?;
    let bug = |what: &str| anyhow::anyhow!("{path}: the repair would {what}; nothing was written (please report this)");
    // Each server's edit, by the span of its command: looked up once per server.
    let edit_of: std::collections::HashMap<&Range<usize>, &Edit> = edits.iter().map(|e| (&e.span, e)).collect();
    let expected = |o: &document::Server| -> anyhow::Result<serde_json::Value> {
        let mut expect = o.value.clone();
        if let Some(e) = o.command.as_ref().and_then(|c| edit_of.get(&c.span))
            && !set_at(&mut expect, o.command_keys, &e.value)
        {
            return Err(bug(&format!("lose track of the command of {}", o.label())));
        }
        Ok(expect)
    };
    let old_bytes = c.loaded.bytes()?;
    // The edits in order, each with the length of what it writes.
    let mut sorted: Vec<(&Edit, usize)> =
        edits.iter().map(|e| (e, document::replacement(old_bytes, e, at).len())).collect();
    sorted.sort_by_key(|(e, _)| e.span.start);
    let streams = crate::load::streams(at, len);
    if !(streams && entries_proven(c, new_text, &sorted, &expected)?) {
        let streamed =
            streams.then(|| crate::fastjson::read_stream(new_text, len, crate::fastjson::WINDOW_BYTES)).flatten();
        let new = match streamed {
            Some(doc) => doc,
            None => document::parse(&read_all(new_text, len)?, at).map_err(|e| {
                anyhow::anyhow!("{path}: the repaired text would not parse ({}); nothing was written", e.message)
            })?,
        };
        if new.servers.len() != c.servers.len() {
            return Err(bug("change the number of servers"));
        }
        for (o, n) in c.servers.iter().map(|r| &r.server).zip(&new.servers) {
            if o.name != n.name || o.parent != n.parent || expected(o)? != n.value {
                return Err(bug(&format!("change more than the command of {}", o.label())));
            }
        }
    }
    // Outside the edited literals the bytes must be identical.
    let (mut oi, mut ni) = (0usize, 0u64);
    let mut buf = Vec::new();
    for &(e, written) in &sorted {
        if !holds_at_with(new_text, ni, &old_bytes[oi..e.span.start], &mut buf)? {
            return Err(bug("change bytes outside the command"));
        }
        ni += (e.span.start - oi + written) as u64;
        oi = e.span.end;
    }
    if ni + (old_bytes.len() - oi) as u64 != len || !holds_at_with(new_text, ni, &old_bytes[oi..], &mut buf)? {
        return Err(bug("change bytes outside the command"));
    }
    Ok(())
}

/// Whether the servers of the new text are proven to be the old ones, the edited commands
/// changed, by reading again only the entries that hold an edit; `false` when that proves
/// nothing (the whole text is then parsed). Parsing all of a 64 MB `~/.claude.json` again took
/// a third of fix-config's CPU time, for a proof these few kilobytes give as well:
///
/// - every edit lies inside the entry of the server whose command it replaces (checked here),
///   and the caller checks that every byte outside the edited literals is the old one;
/// - so the new text is the old one with those entries' text replaced, each of which, read
///   alone, is one JSON object: in JSON's grammar (and JSONC's) a value put in the place of a
///   value leaves the rest of the document as it was. The new file reads as the old one, the
///   same servers at the same places, but for those entries, which must read as the old ones
///   with the new command, and a command at the new literal's place.
///
/// Where an entry has no known place (TOML, YAML) or does not read alone as strict JSON (a
/// comment inside), the whole text decides.
fn entries_proven<R: ReadAt + ?Sized>(
    c: &ConfigReport,
    new_text: &R,
    sorted: &[(&Edit, usize)],
    expected: &dyn Fn(&document::Server) -> anyhow::Result<serde_json::Value>,
) -> anyhow::Result<bool> {
    // How far the bytes before the i-th edit have moved.
    let mut shift = vec![0i64];
    for (e, written) in sorted {
        shift.push(shift.last().copied().unwrap_or_default() + *written as i64 - e.span.len() as i64);
    }
    let first_at_or_after = |p: usize| sorted.partition_point(|(e, _)| e.span.start < p);
    let mut proven = 0;
    let mut text = Vec::new();
    for o in c.servers.iter().map(|r| &r.server) {
        let Some(entry) = o.entry.clone() else { return Ok(false) };
        let (from, to) = (first_at_or_after(entry.start), first_at_or_after(entry.end));
        let Some(command) = o.command.as_ref().filter(|_| from < to) else {
            continue;
        };
        // The one edit inside this entry, and it is this server's command.
        let (edit, written) = sorted[from];
        if to - from != 1 || edit.span != command.span || edit.span.end > entry.end {
            return Ok(false);
        }
        // Where the entry now lies; a place that cannot be (or a text that ends first) proves
        // nothing, and the whole text decides, with its errors naming the file.
        let (start, end) = (entry.start as i64 + shift[from], entry.end as i64 + shift[to]);
        let (Ok(start), Ok(len)) = (u64::try_from(start), usize::try_from(end - start)) else {
            return Ok(false);
        };
        text.resize(len, 0);
        if crate::readat::fill(new_text, &mut text, start).is_err() {
            return Ok(false);
        }
        let Some(n) = std::str::from_utf8(&text)
            .ok()
            .and_then(|t| crate::fastjson::entry(t, start as usize, o.name.clone(), o.parent.clone()))
        else {
            return Ok(false);
        };
        let literal_at = (command.span.start as i64 + shift[from]) as usize;
        let literal = literal_at..literal_at + written;
        if n.value != expected(o)? || n.command.map(|c| c.span) != Some(literal) {
            return Ok(false);
        }
        proven += 1;
    }
    Ok(proven == sorted.len())
}

/// Lines of context around each change, as `diff -u` gives.
const CONTEXT: usize = 3;

/// Sets the string at `keys` inside `value` (the command of a server, wherever its shape keeps
/// it); false when there is no such place.
fn set_at(value: &mut serde_json::Value, keys: &[&str], to: &str) -> bool {
    match crate::document::value_at_mut(value, keys) {
        Some(v @ serde_json::Value::String(_)) => {
            *v = serde_json::Value::String(to.to_owned());
            true
        }
        _ => false,
    }
}

/// A unified diff of one file's repair, with every `env` value shown as `<redacted>`.
///
/// Only the lines around each edit are diffed (a command literal never spans lines), and the
/// new file is never built whole, so a 64 MB `~/.claude.json` costs a pass to count lines.
pub fn diff(c: &ConfigReport, display_path: &str, plan: &FilePlan) -> anyhow::Result<String> {
    let old = c.loaded.bytes()?;
    let layout = c.loaded.location.servers_at;
    let mut edits: Vec<&Edit> = plan.edits.iter().collect();
    edits.sort_by_key(|e| e.span.start);

    // Windows of whole lines around the edits, merged where their context touches. Each search
    // stops where it would reach the window before (or the edit after): a window that reaches
    // that far merges with it anyway, and so the whole file is scanned about once, whatever its
    // layout (a minified file is one line, and every edit's line starts at byte 0).
    let mut windows: Vec<(usize, usize)> = Vec::new(); // byte ranges in `old`
    for (i, e) in edits.iter().enumerate() {
        let floor = windows.last().map_or(0, |w| w.1);
        let ceil = edits.get(i + 1).map_or(old.len(), |n| n.span.start).max(e.span.end);
        let start = nth_line_start_before(old, e.span.start, CONTEXT, floor);
        let end = nth_line_end_after(old, e.span.end, CONTEXT, ceil);
        match windows.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => windows.push((start, end)),
        }
    }
    // Where env values lie: each is shown as `<redacted>`, whatever its form.
    let mut secrets: Vec<Range<usize>> = c.servers.iter().flat_map(|s| s.server.env_spans.iter().cloned()).collect();
    if let Some(d) = c.loaded.document() {
        secrets.extend(d.shadowed_env_spans.iter().cloned());
    }
    // And every other `env`, `environment` or `headers` of a JSON file, wherever it is.
    let at = c.loaded.location.servers_at;
    if !at.is_toml() && !at.is_yaml() {
        secrets.extend(crate::redact::json_secrets(old));
    }
    secrets.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    // A value inside another (an `env` in a hidden `env`) is masked with it: keeping the outer
    // ones leaves ranges sorted by start and by end alike.
    let mut outer: Vec<Range<usize>> = Vec::with_capacity(secrets.len());
    for r in secrets {
        if outer.last().is_none_or(|o| r.start >= o.end) {
            outer.push(r);
        }
    }
    let secrets = outer;
    // The real path, so that `patch -p0` applies the diff from any folder; quoted as GNU diff
    // quotes a name with a space or a quote in it (`"…/Application Support/…"`).
    let name = patch_name(display_path);
    let mut out = format!("--- {name}\n+++ {name}\n");
    let (mut line, mut counted_to) = (1usize, 0usize);
    // The edits and secrets of each window are taken in order: windows, edits and secrets are
    // sorted, so each is looked at a bounded number of times.
    let (mut next_edit, mut first_secret) = (0usize, 0usize);
    for (start, end) in windows {
        line += count_newlines(&old[counted_to..start]);
        counted_to = start;
        // The new text of the window: its own edits applied to its old text.
        let from = next_edit;
        while next_edit < edits.len() && edits[next_edit].span.end <= end {
            next_edit += 1;
        }
        let inside: Vec<Edit> = edits[from..next_edit]
            .iter()
            .map(|e| Edit { span: e.span.start - start..e.span.end - start, value: e.value.clone() })
            .collect();
        // How much the text before each edit's end has grown: edit k's replacement once.
        let mut grown: Vec<(usize, isize)> = Vec::with_capacity(inside.len());
        let mut total = 0isize;
        for e in &inside {
            total += document::replacement(&old[start..end], e, layout).len() as isize - e.span.len() as isize;
            grown.push((e.span.end, total));
        }
        let moved = |at: usize| {
            let k = grown.partition_point(|(end, _)| *end <= at);
            at.saturating_add_signed(if k == 0 { 0 } else { grown[k - 1].1 })
        };
        // The secrets in the window, in its old text and (moved by the edits before them) in its new.
        while first_secret < secrets.len() && secrets[first_secret].end <= start {
            first_secret += 1;
        }
        let last_secret = first_secret + secrets[first_secret..].partition_point(|r| r.start < end);
        let old_secrets: Vec<Range<usize>> = secrets[first_secret..last_secret]
            .iter()
            .filter(|r| r.start < end && r.end > start)
            .map(|r| r.start.max(start) - start..r.end.min(end) - start)
            .collect();
        let new_secrets: Vec<Range<usize>> = old_secrets.iter().map(|r| moved(r.start)..moved(r.end)).collect();
        // Read in parts, never built whole: a minified file's window is the whole file.
        let new_bytes = Patched::of(&old[start..end], &inside, layout);
        // Long lines (a minified file is one) are shown around the edits only.
        let old_text = &old[start..end];
        let old_parts = excerpt(old_text, &inside);
        let new_parts: Vec<Part> = old_parts
            .iter()
            .map(|p| match p {
                Part::Text(r) => Part::Text(moved(r.start)..moved(r.end)),
                Part::Cut => Part::Cut,
            })
            .collect();
        let old_win = render(old_text, &old_parts, &old_secrets)?;
        let new_win = render(&new_bytes, &new_parts, &new_secrets)?;
        let hunks = similar::TextDiff::from_lines(old_win.as_str(), new_win.as_str())
            .unified_diff()
            .context_radius(CONTEXT)
            .to_string();
        // Split on LF only: a CRLF file's lines keep their CR, so the diff applies to it.
        for l in hunks.split_inclusive('\n') {
            out.push_str(&offset_hunk_header(l.strip_suffix('\n').unwrap_or(l), line - 1));
            out.push('\n');
        }
    }
    Ok(out)
}

/// From this length on, a line of a diff is shown only around its edits.
const LONG_LINE: usize = 240;
/// How much of a long line is shown on each side of an edit (and at the start of one without).
const AROUND: usize = 80;

/// What a diff shows of a window's text: ranges of it, and cuts (`…`) between them.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(Range<usize>),
    Cut,
}

/// `text` in parts: every line up to [`LONG_LINE`] whole, a longer one as the bytes around
/// each of `edits` in it (or its start), cut where the rest is left out. Every range either
/// holds an edit whole or none of it, and ends on a character boundary.
fn excerpt(text: &[u8], edits: &[Edit]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut ls = 0;
    // Edits are sorted and disjoint: those before this line are passed once and for all.
    let mut first = 0;
    while ls < text.len() {
        let le = memchr::memchr(b'\n', &text[ls..]).map_or(text.len(), |i| ls + i);
        let next = (le + 1).min(text.len());
        while first < edits.len() && edits[first].span.end < ls {
            first += 1;
        }
        let near: &[Edit] = &edits[first..first + edits[first..].partition_point(|e| e.span.start <= le)];
        // An edit that runs over the line's end (a TOML multi-line string) keeps the line whole.
        let crosses =
            near.iter().any(|e| e.span.start < le && e.span.end > ls && (e.span.start < ls || e.span.end > le));
        if le - ls <= LONG_LINE || crosses {
            parts.push(Part::Text(ls..next));
            ls = next;
            continue;
        }
        let mut keep: Vec<Range<usize>> = near
            .iter()
            .filter(|e| e.span.start >= ls && e.span.end <= le)
            .map(|e| e.span.start.saturating_sub(AROUND).max(ls)..(e.span.end + AROUND).min(le))
            .collect();
        if keep.is_empty() {
            keep.push(ls..ls + AROUND);
        }
        let boundary = |mut i: usize, up: bool| {
            // UTF-8 continuation bytes are 0b10xx_xxxx.
            while i > ls && i < le && text[i] & 0xC0 == 0x80 {
                if up { i += 1 } else { i -= 1 }
            }
            i
        };
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in keep {
            let r = boundary(r.start, false)..boundary(r.end, true);
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        for r in merged.iter() {
            if r.start > ls && !matches!(parts.last(), Some(Part::Cut)) {
                parts.push(Part::Cut);
            }
            parts.push(Part::Text(r.clone()));
            if r.end < le {
                parts.push(Part::Cut);
            }
        }
        if next > le {
            parts.push(Part::Text(le..next));
        }
        ls = next;
    }
    parts
}

/// `path` as a unified diff's header names it: as it is, or in C-style quotes when it holds a
/// space, a quote or a control character, its backslashes then escaped (GNU patch reads both;
/// a Windows path's backslashes alone need no quotes).
pub fn patch_name(path: &str) -> String {
    if !path.chars().any(|c| c == ' ' || c == '"' || c.is_control()) {
        return path.to_owned();
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\{:03o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text `parts` show of `text`, each env value in `secrets` (sorted, disjoint) as
/// `<redacted>`. Parts and secrets are both in order, so each secret is looked at about once.
fn render<R: ReadAt + ?Sized>(text: &R, parts: &[Part], secrets: &[Range<usize>]) -> std::io::Result<String> {
    let mut out = Vec::new();
    let mut first = 0;
    for p in parts {
        match p {
            Part::Cut => out.extend_from_slice("…".as_bytes()),
            Part::Text(r) => {
                while first < secrets.len() && secrets[first].end <= r.start {
                    first += 1;
                }
                // A secret that starts before this part (a multi-line TOML string) was shown.
                let inside: Vec<(Range<usize>, bool)> = secrets[first..]
                    .iter()
                    .take_while(|s| s.start < r.end)
                    .filter(|s| s.end > r.start)
                    .map(|s| (s.start.max(r.start) - r.start..s.end.min(r.end) - r.start, s.start >= r.start))
                    .collect();
                let mut bytes = vec![0u8; r.len()];
                crate::readat::fill(text, &mut bytes, r.start as u64)?;
                out.extend(masked(&bytes, &inside));
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `text` with the bytes of each range of `secrets` (sorted, not overlapping) written as
/// `"<redacted>"` (when its flag says this is where it starts) and its line breaks, so the
/// lines of a diff keep their numbers.
fn masked(text: &[u8], secrets: &[(Range<usize>, bool)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut pos = 0;
    for (r, starts_here) in secrets {
        if r.start < pos || r.end > text.len() {
            continue;
        }
        out.extend_from_slice(&text[pos..r.start]);
        if *starts_here {
            out.extend_from_slice(b"\"<redacted>\"");
        }
        out.extend(text[r.clone()].iter().filter(|&&b| b == b'\n'));
        pos = r.end;
    }
    out.extend_from_slice(&text[pos..]);
    out
}

/// How many `\n` bytes `text` holds. Branch-free per byte, so the compiler vectorises it: this
/// runs over all of a 64 MB file on every dry run.
fn count_newlines(text: &[u8]) -> usize {
    // At most 255 per chunk, so a byte-wide sum cannot overflow and 16 bytes go per instruction.
    text.chunks(255).map(|c| usize::from(c.iter().fold(0u8, |n, b| n + u8::from(*b == b'\n')))).sum()
}

/// The start of the line `n` lines above the one holding byte `at`, or `floor` if that comes
/// first (the search looks no further back).
fn nth_line_start_before(text: &[u8], at: usize, n: usize, floor: usize) -> usize {
    let mut pos = at;
    for _ in 0..=n {
        match memchr::memrchr(b'\n', &text[floor..pos]) {
            Some(i) => pos = floor + i,
            None => return floor,
        }
    }
    pos + 1
}

/// The end (after the newline) of the line `n` lines below the one holding byte `at`, or
/// `ceil` if that comes first (the search looks no further on).
fn nth_line_end_after(text: &[u8], at: usize, n: usize, ceil: usize) -> usize {
    let mut pos = at;
    for _ in 0..=n {
        match memchr::memchr(b'\n', &text[pos..ceil]) {
            Some(i) => pos += i + 1,
            None => return ceil,
        }
    }
    pos
}

/// `@@ -a,b +c,d @@` with `by` added to both line numbers; other lines unchanged.
fn offset_hunk_header(line: &str, by: usize) -> String {
    let Some(rest) = line.strip_prefix("@@ -") else { return line.to_owned() };
    let Some((ranges, tail)) = rest.split_once(" @@") else { return line.to_owned() };
    let Some((old, new)) = ranges.split_once(" +") else { return line.to_owned() };
    let bump = |r: &str| match r.split_once(',') {
        Some((a, b)) => format!("{},{b}", a.parse::<usize>().map_or(0, |a| a + by)),
        None => format!("{}", r.parse::<usize>().map_or(0, |a| a + by)),
    };
    format!("@@ -{} +{} @@{tail}", bump(old), bump(new))
}

/// The clients to restart after their files changed, with Claude Desktop's caveat.
pub fn restart_notes(mut clients: Vec<Client>) -> Vec<String> {
    clients.sort();
    clients.dedup();
    clients
        .into_iter()
        .map(|c| match c {
            Client::ClaudeDesktop => "quit Claude Desktop fully and start it again (if it was running during the fix it may write its old config back: then quit it and run mcpcfg fix-config again)".to_owned(),
            other => format!("restart {} so it starts the servers with the new path", other.display()),
        })
        .collect()
}

/// What a repair of `files` asks of the user besides a restart: Qwen Code binds its approval
/// of a project server to the entry's hash, so a repaired one waits for approval again.
pub fn approval_notes(report: &Report, files: &[FilePlan]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        for i in std::iter::once(f.config).chain(f.also.iter().copied()) {
            let loc = &report.configs[i].loaded.location;
            if loc.client != Client::QwenCode || loc.scope != Scope::Project {
                continue;
            }
            let folder = crate::clients::project_folder(&loc.path, ".qwen").unwrap_or(Path::new("."));
            for ch in &f.changes {
                out.push(format!(
                    "Qwen Code asks again for a changed project server: run `qwen mcp approve {}` in {}",
                    clean(&ch.server),
                    folder.display()
                ));
            }
        }
    }
    out
}

/// What to do before applying `plan`: Claude Desktop must not be running, or it may write its
/// old config back over the repair.
pub fn before_notes(report: &Report, plan: &Plan) -> Vec<String> {
    let claude = plan.files.iter().any(|f| report.configs[f.config].loaded.location.client == Client::ClaudeDesktop);
    if claude {
        vec!["quit Claude Desktop fully before running mcpcfg fix-config: while running it can rewrite its config and drop the change".into()]
    } else {
        vec![]
    }
}

/// The report as it stands once `plan` is applied: repaired commands point at their new path
/// and their repaired findings are gone.
pub fn after(report: &mut Report, plan: &Plan) {
    for f in &plan.files {
        for i in std::iter::once(f.config).chain(f.also.iter().copied()) {
            mark_repaired(&mut report.configs[i], f);
        }
    }
    // An old tsh no config runs any more is no longer a problem of this machine's configs.
    let configs = &report.configs;
    let still_run = |runs: &Path| {
        configs
            .iter()
            .flat_map(|c| &c.servers)
            .any(|s| s.server.command.as_ref().is_some_and(|c| Path::new(&c.value) == runs))
    };
    report.global.retain(|g| g.skew.as_ref().is_none_or(|k| still_run(&k.runs)));
}

fn mark_repaired(c: &mut ConfigReport, f: &FilePlan) {
    // By label, looked up once per server: a big `~/.claude.json` has hundreds of each, and a
    // search of the changes for every server's label took 35 ms of a 64 MB repair.
    let mut changes = std::collections::HashMap::new();
    for ch in &f.changes {
        changes.entry(ch.server.as_str()).or_insert(ch);
    }
    for s in &mut c.servers {
        if let Some(ch) = changes.get(s.server.label().as_str()) {
            s.findings.retain(|x| !x.code.repairable());
            if let Some(cmd) = &mut s.server.command {
                cmd.value = ch.to.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_are_shown_around_their_edits() {
        let line = format!("{{\"a\": \"{}\", \"command\": \"tsh\", \"b\": \"{}\"}}", "x".repeat(500), "é".repeat(300));
        let text = format!("short\n{line}\n{}\n", "y".repeat(300));
        let at = text.find("\"tsh\"").unwrap();
        let edits = [Edit { span: at..at + 5, value: "/new/tsh".into() }];
        let parts = excerpt(text.as_bytes(), &edits);
        let shown = render(text.as_bytes(), &parts, &[]).unwrap();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[0], "short");
        assert!(lines[1].starts_with('…') && lines[1].ends_with('…') && lines[1].contains("\"command\": \"tsh\""));
        assert!(lines[1].len() < 2 * AROUND + 20, "{}", lines[1]);
        assert_eq!(lines[2], format!("{}…", "y".repeat(AROUND)), "a long line without an edit: its start");
        // Every range holds an edit whole or none of it, and ends on a character boundary.
        for p in &parts {
            if let Part::Text(r) = p {
                assert!(std::str::from_utf8(&text.as_bytes()[r.clone()]).is_ok());
                assert!(edits.iter().all(|e| (e.span.start >= r.start && e.span.end <= r.end)
                    || e.span.end <= r.start
                    || e.span.start >= r.end));
            }
        }
    }

    use super::*;
    use crate::clients::{Location, ServersAt, Syntax};
    use crate::findings::{Code, Finding, Severity};
    use crate::load::Loaded;
    use crate::report::ServerReport;

    fn config(text: &str, scope: Scope) -> ConfigReport {
        config_at(text, scope, ServersAt::McpServers)
    }

    fn config_at(text: &str, scope: Scope, at: ServersAt) -> ConfigReport {
        let parsed = document::parse(text.as_bytes(), at).map_err(crate::load::LoadError::Malformed);
        let servers = parsed
            .as_ref()
            .unwrap()
            .servers
            .iter()
            .map(|s| ServerReport {
                server: s.clone(),
                tsh: true,
                not_loaded: None,
                pinned_by_policy: false,
                command_has_variables: false,
                findings: if s.command.as_ref().unwrap().value == "/good/tsh" {
                    vec![]
                } else {
                    vec![Finding {
                        skew: None,
                        code: Code::TshMissing,
                        severity: Severity::Error,
                        message: String::new(),
                        hint: String::new(),
                    }]
                },
            })
            .collect();
        ConfigReport {
            loaded: Loaded {
                identity: None,
                location: Location {
                    client: Client::Cursor,
                    scope,
                    path: "/h/.cursor/mcp.json".into(),
                    syntax: Syntax::Jsonc,
                    servers_at: at,
                },
                bytes: Some(text.as_bytes().to_vec().into()),
                parsed,
            },
            file_findings: vec![],
            servers,
        }
    }

    fn report(text: &str, scope: Scope) -> Report {
        Report { configs: vec![config(text, scope)], ..Report::default() }
    }

    const TEXT: &str = "{\r\n  // comment\r\n  \"mcpServers\": {\r\n    \"a\": {\"command\": \"/gone/tsh\", \"env\": {\"T\": \"secret\"}},\r\n    \"b\": {\"command\": \"/good/tsh\"},\r\n  },\r\n}";

    #[test]
    fn plan_edits_only_the_broken_command() {
        let r = report(TEXT, Scope::User);
        let p = plan(&r, Some(Path::new("C:\\T\\tsh.exe")), &FixOptions::default()).unwrap();
        assert_eq!(p.files.len(), 1);
        let new = String::from_utf8(p.files[0].render(&r.configs[0]).unwrap()).unwrap();
        assert_eq!(new, TEXT.replace("\"/gone/tsh\"", "\"C:\\\\T\\\\tsh.exe\""));
        assert_eq!(p.files[0].changes[0].from, "/gone/tsh");
    }

    /// The changes are found by label once per server (a search per server was quadratic: 35 ms
    /// of a 64 MB repair); each repaired server shows its new command and loses its repairable
    /// findings, and the one not repaired keeps its command.
    #[test]
    fn after_marks_each_repaired_server_by_its_label() {
        let text = "{\"mcpServers\": {\"a\": {\"command\": \"/gone/tsh\"}, \"b\": {\"command\": \"/gone/tsh\"}, \"c\": {\"command\": \"/good/tsh\"}}}";
        let mut r = report(text, Scope::User);
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        assert_eq!(p.files[0].changes.len(), 2);
        after(&mut r, &p);
        let got: Vec<(&str, &str, usize)> = r.configs[0]
            .servers
            .iter()
            .map(|s| (s.server.name.as_str(), s.server.command.as_ref().unwrap().value.as_str(), s.findings.len()))
            .collect();
        assert_eq!(got, [("a", "/new/tsh", 0), ("b", "/new/tsh", 0), ("c", "/good/tsh", 0)]);
    }

    #[test]
    fn plan_respects_server_filter() {
        let r = report(TEXT, Scope::User);
        let opts = FixOptions { servers: vec!["b".into()], include_project: false };
        assert!(plan(&r, Some(Path::new("/t")), &opts).unwrap().files.is_empty());
    }

    #[test]
    fn project_configs_are_left_alone_without_include_project() {
        let r = report(TEXT, Scope::Project);
        let p = plan(&r, Some(Path::new("/t")), &FixOptions::default()).unwrap();
        assert!(p.files.is_empty());
        assert!(p.skipped[0].contains("--include-project"));
        let opts = FixOptions { servers: vec![], include_project: true };
        assert_eq!(plan(&r, Some(Path::new("/t")), &opts).unwrap().files.len(), 1);
    }

    #[test]
    fn duplicate_keys_are_never_edited() {
        let t = r#"{"mcpServers": {"a": {"command": "/gone/tsh"}, "a": {"command": "/gone/tsh"}}}"#;
        let p = plan(&report(t, Scope::User), Some(Path::new("/t")), &FixOptions::default()).unwrap();
        assert!(p.files.is_empty());
        assert!(p.skipped[0].contains("duplicate"));
    }

    #[test]
    fn no_stable_tsh_plans_nothing() {
        assert!(plan(&report(TEXT, Scope::User), None, &FixOptions::default()).unwrap().files.is_empty());
    }

    #[test]
    fn diff_redacts_env_values() {
        let r = report(TEXT, Scope::User);
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        let d = diff(&r.configs[0], "~/.cursor/mcp.json", &p.files[0]).unwrap();
        assert!(d.contains("+    \"a\": {\"command\": \"/new/tsh\""), "{d}");
        assert!(!d.contains("secret"), "{d}");
        assert!(d.contains("\"<redacted>\""));
    }

    #[test]
    fn diff_of_a_large_file_shows_only_the_hunk_with_real_line_numbers() {
        let mut text = String::from("{\n  \"mcpServers\": {\n");
        for i in 0..500 {
            text.push_str(&format!("    \"s{i}\": {{\"command\": \"/good/tsh\"}},\n"));
        }
        text.push_str("    \"x\": {\"command\": \"/gone/tsh\"}\n  }\n}\n");
        let r = report(&text, Scope::User);
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        let d = diff(&r.configs[0], "/c/f.json", &p.files[0]).unwrap();
        let whole = whole_file_diff(&text, &r, &p, "/c/f.json");
        assert_eq!(d, whole, "the windowed diff equals the diff of the whole file");
        assert!(d.contains("@@ -500,6 +500,6 @@"), "{d}");
    }

    /// The diff of the whole old text against the whole new one, as `similar` makes it: what
    /// the windowed diff must equal on files of short lines.
    fn whole_file_diff(text: &str, r: &Report, p: &Plan, name: &str) -> String {
        let new = p.files[0].render(&r.configs[0]).unwrap();
        similar::TextDiff::from_lines(text, std::str::from_utf8(&new).unwrap())
            .unified_diff()
            .context_radius(3)
            .header(name, name)
            .to_string()
    }

    /// The dry run of a 64 MB minified file took 8.5 s (issue 13): every edit's window searched
    /// for its line's start and end from the file's ends. Searches now stop at the window
    /// before and the edit after; the windows, and so the diff, must be the same, whatever the
    /// gaps between edits (0 to 9 lines: merged, touching, apart).
    #[test]
    fn bounded_window_searches_give_the_whole_file_diff() {
        for seed in 0..40u64 {
            let mut text = String::from("{\n  \"mcpServers\": {\n");
            let mut n = 0;
            for i in 0..30u64 {
                let gap = (seed * 7 + i * 13) % 10;
                for g in 0..gap {
                    text.push_str(&format!("    \"ok{i}_{g}\": {{\"command\": \"/good/tsh\"}},\n"));
                }
                text.push_str(&format!("    \"x{i}\": {{\"command\": \"/gone/tsh\"}},\n"));
                n += 1;
            }
            text.push_str("    \"last\": {\"command\": \"/good/tsh\"}\n  }\n}\n");
            let r = report(&text, Scope::User);
            let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
            assert_eq!(p.files[0].edits.len(), n);
            let d = diff(&r.configs[0], "/c/f.json", &p.files[0]).unwrap();
            let whole = whole_file_diff(&text, &r, &p, "/c/f.json");
            assert_eq!(d, whole, "seed {seed}");
        }
    }

    /// The same file on one line: each edit is shown once, between cuts, on one - and one +
    /// line.
    #[test]
    fn a_minified_file_with_many_edits_shows_each_once() {
        let mut text = String::from("{\"mcpServers\":{");
        for i in 0..200 {
            text.push_str(&format!("\"x{i}\":{{\"command\":\"/gone/tsh\",\"env\":{{\"T\":\"s3cr3t\"}}}},\"pad{i}\":{{\"command\":\"/good/tsh\",\"args\":[\"{}\"]}},", "p".repeat(300)));
        }
        text.push_str("\"last\":{\"command\":\"/good/tsh\"}}}\n");
        let r = report(&text, Scope::User);
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        assert_eq!(p.files[0].edits.len(), 200);
        let d = diff(&r.configs[0], "/f", &p.files[0]).unwrap();
        let minus: Vec<&str> = d.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).collect();
        let plus: Vec<&str> = d.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).collect();
        assert_eq!((minus.len(), plus.len()), (1, 1), "{d}");
        assert_eq!(minus[0].matches("\"command\":\"/gone/tsh\"").count(), 200);
        assert_eq!(plus[0].matches("\"command\":\"/new/tsh\"").count(), 200);
        assert!(!d.contains("s3cr3t"), "env values stay hidden");
    }

    #[test]
    fn diff_merges_nearby_edits_into_one_hunk() {
        let text = "{\"mcpServers\": {\n\"a\": {\"command\": \"/gone/1\"},\n\"b\": {\"command\": \"/gone/2\"}\n}}\n";
        let r = report(text, Scope::User);
        let p = plan(&r, Some(Path::new("/n")), &FixOptions::default()).unwrap();
        let d = diff(&r.configs[0], "/f", &p.files[0]).unwrap();
        let whole = whole_file_diff(text, &r, &p, "/f");
        assert_eq!(d, whole);
    }

    /// A header `patch -p0` reads: the name as it is, quoted where it holds a space.
    #[test]
    fn patch_names_are_quoted_as_gnu_diff_quotes_them() {
        assert_eq!(patch_name("/home/u/.claude.json"), "/home/u/.claude.json");
        assert_eq!(
            patch_name("/Users/u/Library/Application Support/Claude/c.json"),
            "\"/Users/u/Library/Application Support/Claude/c.json\""
        );
        assert_eq!(patch_name(r#"/a"b\c"#), r#""/a\"b\\c""#);
        assert_eq!(patch_name(r"C:\Users\u\.claude.json"), r"C:\Users\u\.claude.json");
    }

    #[test]
    fn verify_catches_a_change_outside_the_command() {
        let r = report(TEXT, Scope::User);
        let c = &r.configs[0];
        let span = c.servers[0].server.command.as_ref().unwrap().span.clone();
        let edits = [Edit { span, value: "/x".into() }];
        let mut bytes = document::apply_edits(c.loaded.bytes().unwrap(), &edits, ServersAt::McpServers);
        assert!(verify(c, &bytes[..], &edits).is_ok());
        let at = bytes.len() - 2;
        bytes[at] = b' ';
        assert!(verify(c, &bytes[..], &edits).is_err());
    }

    /// `edits` in order, each with the length of what it writes, as `verify` hands them on.
    fn in_order<'e>(old: &[u8], edits: &'e [Edit]) -> Vec<(&'e Edit, usize)> {
        let mut v: Vec<_> =
            edits.iter().map(|e| (e, document::replacement(old, e, ServersAt::ClaudeCodeUser).len())).collect();
        v.sort_by_key(|(e, _)| e.span.start);
        v
    }

    /// `text` with the byte at `at` replaced: a write gone wrong, for the proof to catch.
    struct Flipped<'a> {
        text: &'a Patched<'a>,
        at: u64,
        to: u8,
    }

    impl ReadAt for Flipped<'_> {
        fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
            let n = self.text.read_at(buf, at)?;
            if (at..at + n as u64).contains(&self.at) {
                buf[(self.at - at) as usize] = self.to;
            }
            Ok(n)
        }
        fn len_now(&self) -> std::io::Result<u64> {
            self.text.len_now()
        }
    }

    #[test]
    fn a_big_claude_code_repair_is_proven_streamed_and_a_change_anywhere_is_caught() {
        let project = |i: usize| {
            let command = if i % 50 == 7 { "/gone/tsh" } else { "/good/tsh" };
            serde_json::json!({
                "history": [{"display": format!("prompt {i} {}", "é x".repeat(300)), "pastedContents": {}}],
                "mcpServers": {format!("teleport-mcp-{i}"): {"command": command, "args": ["mcp", "connect", "x"]}},
            })
        };
        let projects: serde_json::Map<String, serde_json::Value> =
            (0..5000).map(|i| (format!("/home/u/src/proj-{i}"), project(i))).collect();
        let text = serde_json::to_string_pretty(&serde_json::json!({"numStartups": 3, "projects": projects})).unwrap();
        assert!(text.len() as u64 >= crate::load::STREAM_MIN_BYTES);
        let r = Report { configs: vec![config_at(&text, Scope::User, ServersAt::ClaudeCodeUser)], ..Report::default() };
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        let (f, c) = (&p.files[0], &r.configs[0]);
        assert_eq!(f.edits.len(), 100);
        let new = f.build(c).unwrap();
        // The proof reads the new text through two windows, as `check` does, not whole.
        let streamed = crate::fastjson::read_stream(&new, new.len(), crate::fastjson::WINDOW_BYTES).unwrap();
        assert_eq!(streamed, document::parse(&new.to_vec(), ServersAt::ClaudeCodeUser).unwrap());
        f.verify(c, &new).unwrap();
        assert_eq!(new.to_vec(), text.replace("\"/gone/tsh\"", "\"/new/tsh\"").into_bytes());
        // Proven by the edited entries alone, without parsing the whole text again.
        let old = c.loaded.bytes().unwrap();
        let expected = |o: &document::Server| {
            let mut v = o.value.clone();
            if let Some(e) = f.edits.iter().find(|e| o.command.as_ref().is_some_and(|c| c.span == e.span)) {
                assert!(set_at(&mut v, o.command_keys, &e.value));
            }
            Ok(v)
        };
        assert!(entries_proven(c, &new, &in_order(old, &f.edits), &expected).unwrap());
        // An edit the entries do not account for: the whole text decides.
        let mut more = f.edits.clone();
        more.push(Edit { span: 2..3, value: "x".into() });
        assert!(!entries_proven(c, &new, &in_order(old, &more), &expected).unwrap());

        let whole = new.to_vec();
        let near = |what: &str, from: usize| {
            (whole[from..].windows(what.len()).position(|w| w == what.as_bytes()).unwrap() + from) as u64
        };
        let second_half = whole.len() / 2;
        for (why, at, to) in [
            // Only the byte comparison sees these: the servers stay the same.
            ("a skipped string", near("prompt 4000", second_half), b'P'),
            ("beside an edited literal", near("\"/new/tsh\"", second_half) - 1, b'\t'),
            // The server comparison sees these.
            ("an argument", near("\"connect\"", second_half) + 1, b'C'),
            ("an edited literal", near("\"/new/tsh\"", second_half) + 1, b'N'),
            ("an edited server's argument", near("\"connect\"", near("\"/new/tsh\"", second_half) as usize) + 1, b'C'),
            // The parse fails.
            ("a brace", near("}", second_half), b']'),
            ("the first byte", 0, b' '),
            ("the last byte", new.len() - 1, b' '),
        ] {
            let bad = Flipped { text: &new, at, to };
            assert!(f.verify(c, &bad).is_err(), "{why} changed at {at} was not caught");
            if why.starts_with("an edited") {
                assert!(!entries_proven(c, &bad, &in_order(old, &f.edits), &expected).unwrap(), "{why}: proven");
            }
        }
    }

    const ZED_OLD: &str = "{\n  \"context_servers\": {\n    \"teleport-mcp-a\": {\n      \"source\": \"custom\",\n      \"command\": {\"path\": \"/gone/tsh\", \"args\": [\"mcp\", \"connect\", \"a\"]},\n    },\n  },\n}\n";

    #[test]
    fn zed_old_shape_repairs_command_path_and_verifies() {
        let r = Report {
            configs: vec![config_at(ZED_OLD, Scope::User, ServersAt::ZedContextServers)],
            ..Report::default()
        };
        let p = plan(&r, Some(Path::new("/new/tsh")), &FixOptions::default()).unwrap();
        let new = String::from_utf8(p.files[0].render(&r.configs[0]).unwrap()).unwrap();
        assert_eq!(new, ZED_OLD.replace("\"/gone/tsh\"", "\"/new/tsh\""));
    }

    #[test]
    fn verify_catches_a_zed_old_shape_change_beside_the_path() {
        let c = config_at(ZED_OLD, Scope::User, ServersAt::ZedContextServers);
        let old = &c.loaded.document().unwrap().servers;
        let span = old[0].command.as_ref().unwrap().span.clone();
        let edits = [Edit { span, value: "/x".into() }];
        let good = document::apply_edits(c.loaded.bytes().unwrap(), &edits, ServersAt::ZedContextServers);
        assert!(verify(&c, &good[..], &edits).is_ok());
        // Same length, so only the server comparison can catch it: an argument changed.
        let bad = String::from_utf8(good).unwrap().replace("\"connect\"", "\"cOnnect\"");
        assert!(verify(&c, bad.as_bytes(), &edits).is_err());
    }

    #[test]
    fn set_at_follows_the_command_keys() {
        let mut v = serde_json::json!({"command": {"path": "/a", "args": []}});
        assert!(set_at(&mut v, document::COMMAND_PATH, "/b"));
        assert_eq!(v, serde_json::json!({"command": {"path": "/b", "args": []}}));
        assert!(!set_at(&mut v, &["nope", "path"], "/c"));
        let mut flat = serde_json::json!({"command": "/a"});
        assert!(set_at(&mut flat, document::COMMAND, "/b"));
        assert_eq!(flat["command"], "/b");
        let mut array = serde_json::json!({"command": ["/a", "mcp"]});
        assert!(set_at(&mut array, document::COMMAND_FIRST, "/b"));
        assert_eq!(array["command"], serde_json::json!(["/b", "mcp"]));
    }

    #[test]
    fn codex_toml_repair_writes_a_toml_basic_string() {
        let t = "# mine\r\n[mcp_servers.teleport-mcp-a]\r\ncommand = '/gone/tsh' # old\r\nargs = [\"mcp\", \"connect\", \"a\"]\r\nenv = { T = 'secret' }\r\n";
        let r = Report { configs: vec![config_at(t, Scope::User, ServersAt::CodexToml)], ..Report::default() };
        let p = plan(&r, Some(Path::new(r"C:\Program Files\Teleport\tsh.exe")), &FixOptions::default()).unwrap();
        let new = String::from_utf8(p.files[0].render(&r.configs[0]).unwrap()).unwrap();
        assert_eq!(new, t.replace("'/gone/tsh'", r#""C:\\Program Files\\Teleport\\tsh.exe""#));
        let d = diff(&r.configs[0], "~/.codex/config.toml", &p.files[0]).unwrap();
        assert!(!d.contains("secret"), "{d}");
    }
}
