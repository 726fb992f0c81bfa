//! install.sh, run for real against the built binary (`MCPCFG_BIN`, so the test does not build a
//! release): what it installs, where a relative PREFIX puts it, and that a second run changes
//! nothing.

use std::path::Path;
use std::process::Command;

fn install(cwd: &Path, prefix: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let out = Command::new("sh")
        .arg(script)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", cwd)
        .env("PREFIX", prefix)
        .env("MCPCFG_BIN", assert_cmd::cargo::cargo_bin!("mcpcfg"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "install.sh failed:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
#[cfg_attr(windows, ignore = "install.sh is a POSIX shell script; Windows users copy mcpcfg.exe")]
fn install_sh_puts_binary_man_pages_and_completions_under_a_relative_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let said = install(&root, "rel");
    let prefix = root.join("rel");
    let files = [
        "bin/mcpcfg",
        "share/man/man1/mcpcfg.1",
        "share/man/man1/mcpcfg-fix-config.1",
        "share/man/man1/mcpcfg-undo.1",
        "share/bash-completion/completions/mcpcfg",
        "share/zsh/site-functions/_mcpcfg",
        "share/fish/vendor_completions.d/mcpcfg.fish",
    ];
    for f in files {
        let p = prefix.join(f);
        assert!(p.is_file(), "{f} not installed; install.sh said:\n{said}");
        // Each file is named with its absolute path, the relative PREFIX taken from where the
        // script was run, not from the script's own folder.
        let path = p.display().to_string();
        assert!(said.lines().any(|l| l.starts_with("installed:") && l.ends_with(&path)), "{f}:\n{said}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(prefix.join("bin/mcpcfg")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        let mode = std::fs::metadata(prefix.join("share/man/man1/mcpcfg.1")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    let man = std::fs::read_to_string(prefix.join("share/man/man1/mcpcfg-fix-config.1")).unwrap();
    assert!(man.starts_with(".ie") || man.contains(".TH mcpcfg-fix-config 1"), "not a man page:\n{man}");
    assert!(man.contains("dry\\-run") && man.contains("Exit status"), "{man}");
    let bash = std::fs::read_to_string(prefix.join("share/bash-completion/completions/mcpcfg")).unwrap();
    assert!(bash.contains("complete -F") && bash.contains("fix-config"));
    let zsh = std::fs::read_to_string(prefix.join("share/zsh/site-functions/_mcpcfg")).unwrap();
    assert!(zsh.starts_with("#compdef mcpcfg"));
    assert!(said.contains("fpath+=("), "the zsh step is said:\n{said}");

    let again = install(&root, "rel");
    assert!(!again.contains("installed:"), "a second run replaced files:\n{again}");
    assert_eq!(again.matches("up to date: ").count(), said.matches("installed:  ").count(), "{again}");
}
