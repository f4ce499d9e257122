//! Core dumps and signals: a quit at a prompt or in server mode leaves no core and no orphan.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use crate::support::*;
use crate::wait_for;
/// The soft core-file limit in /proc/PID/limits.
fn core_limit(pid: &str) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .to_string();
    line["Max core file size".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Ctrl-\ (SIGQUIT) at the MFA prompt, with core dumps allowed by the user: vault (which then
/// holds the long-term secret and the store key) writes no core, while the helper it started
/// keeps the user's limit.
#[test]
fn a_quit_at_the_mfa_prompt_writes_no_core() {
    let sb = Sandbox::new();
    let pids = sb.path("pids");
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\n\
         mfa_process = echo \"$PPID $$\" > '{}'; sleep 30\n",
        pids.display()
    ));
    sb.add("will");
    let cwd = sb.path("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let mut cmd = sb.vault(&["exec", "will", "--", "true"]);
    cmd.current_dir(&cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    allow_core_dumps(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let text = wait_for(&pids);
    let (vault_pid, helper_pid) = text.trim().split_once(' ').unwrap();
    assert_eq!(vault_pid, child.id().to_string());
    assert_eq!(core_limit(vault_pid), "0", "vault's own core limit");
    assert_eq!(
        core_limit(helper_pid),
        "unlimited",
        "the helper keeps the user's"
    );
    // SAFETY: signalling the vault process this test started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGQUIT);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGQUIT), "{status:?}");
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    if pattern.starts_with('|') || pattern.starts_with('/') {
        eprintln!("core_pattern is {pattern:?}: cores are not written to the folder here");
    }
    let cores: Vec<_> = std::fs::read_dir(&cwd)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(cores.is_empty(), "vault left {cores:?}");
}

/// In `exec --server`, Ctrl-\ (SIGQUIT sent to vault) reaches the child and does not end vault,
/// so the child never runs on without its credential server.
#[test]
fn quit_is_forwarded_to_the_server_mode_child() {
    let sb = Sandbox::new();
    sb.write_config("[profile will]\n");
    sb.add("will");
    let (line, status) = signal_a_server_mode_vault(&sb, "will", libc::SIGQUIT, "quit", 3);
    assert_eq!(line, "got-quit", "the child handled the signal");
    assert_eq!(
        status.code(),
        Some(3),
        "vault passes on the child's exit: {status:?}"
    );
}
