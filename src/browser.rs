//! Opening a page in the user's browser: `$BROWSER` when it is set, else the desktop's opener
//! (the `open` crate's list: xdg-open, gio, ... on Linux, `open` on macOS, `start` on Windows).
//!
//! The page can be a credential (`vault login`'s sign-in URL), so what went wrong is said by
//! the launcher's name and exit status only: the `open` crate's own errors quote the whole
//! command line, and a launcher's own messages (xdg-open's "no method available for opening
//! 'URL'") go nowhere, its output being closed.

use std::fmt;
use std::process::{Child, Command, ExitStatus, Stdio};

pub mod named;

/// Separates the commands of `$BROWSER`, tried in order (as xdg-open and Python's webbrowser
/// read it): the platform's PATH separator.
#[cfg(windows)]
const LIST_SEPARATOR: char = ';';
#[cfg(not(windows))]
const LIST_SEPARATOR: char = ':';

/// Why no browser was opened. Never holds the URL.
#[derive(Debug)]
pub enum Failure {
    /// No launcher could be started: none installed, or `$BROWSER` names no program that runs.
    NotStarted { tried: Vec<String> },
    /// A launcher ran and failed.
    Exited {
        launcher: String,
        status: ExitStatus,
    },
    /// None of the desktop's launchers opened it (the `open` crate's detached launch).
    Desktop,
    /// No folder for a browser profile (no data folder, or it cannot be created).
    NoDataFolder,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotStarted { tried } if tried.is_empty() => {
                write!(f, "no browser launcher to try")
            }
            Failure::NotStarted { tried } => {
                write!(
                    f,
                    "no browser launcher could be started (tried {})",
                    tried.join(", ")
                )
            }
            Failure::Exited { launcher, status } => {
                write!(f, "the browser launcher '{launcher}' failed ({status})")
            }
            Failure::Desktop => write!(f, "the desktop's launchers did not open it"),
            Failure::NoDataFolder => write!(
                f,
                "cannot create the browser profile's folder (set XDG_DATA_HOME to a writable folder)"
            ),
        }
    }
}

/// Open `url` and wait for the launcher to exit: only its exit status says whether it failed
/// (xdg-open and `$BROWSER` may keep running until the browser they started ends, as
/// aws-vault's and Python's launchers do too). Each launcher is tried in turn until one succeeds;
/// the first failure is the one reported.
pub fn open(url: &str) -> Result<(), Failure> {
    let mut tried = vec![];
    let mut first_failure = None;
    for mut command in launchers(url) {
        let name = name_of(&command);
        match start(&mut command) {
            Ok(mut child) => match child.wait() {
                Ok(status) if status.success() => return Ok(()),
                Ok(status) => {
                    first_failure.get_or_insert(Failure::Exited {
                        launcher: name,
                        status,
                    });
                    // On macOS and Windows the one launcher's failure is final (Explorer's
                    // exit status is no sign of failure, and a retry could open twice).
                    if !cfg!(all(unix, not(target_os = "macos"))) {
                        break;
                    }
                }
                // It started and cannot be watched: not a failure to open, and another
                // launcher might open the page twice.
                Err(_) => return Ok(()),
            },
            Err(()) => tried.push(name),
        }
    }
    Err(first_failure.unwrap_or(Failure::NotStarted { tried }))
}

/// Open `url` without waiting (the SSO flow goes on; the URL is on stderr): each `$BROWSER`
/// command in turn until one starts, left running on its own; else the `open` crate's detached
/// launch, which watches each desktop launcher for a moment and tries the next on failure.
pub fn open_detached(url: &str) -> Result<(), Failure> {
    if browser_list().is_none() {
        return open::that_detached(url).map_err(|_| Failure::Desktop);
    }
    let mut tried = vec![];
    for mut command in launchers(url) {
        let name = name_of(&command);
        detach(&mut command);
        match start(&mut command) {
            // The intermediate process, gone at once (see `detach`).
            Ok(mut child) => {
                let _ = child.wait();
                return Ok(());
            }
            Err(()) => tried.push(name),
        }
    }
    Err(Failure::NotStarted { tried })
}

/// Make `command` no child of vault, so it never lingers as a zombie of whatever vault
/// becomes (`exec` replaces vault with the user's command): it forks once more before exec
/// and the intermediate exits, as the `open` crate's `with_detached` does. A program that
/// cannot be run still fails `spawn`: the exec error reaches std's pipe from the grandchild.
fn detach(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: fork, _exit and setsid are async-signal-safe, as a pre_exec hook requires.
        unsafe {
            command.pre_exec(|| {
                match libc::fork() {
                    -1 => return Err(std::io::Error::last_os_error()),
                    0 => {}
                    _ => libc::_exit(0),
                }
                if libc::setsid() == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(unix))]
    let _ = command;
}

/// `$BROWSER` when it names anything.
fn browser_list() -> Option<&'static str> {
    crate::settings::get()
        .browser
        .as_deref()
        .filter(|list| !list.trim().is_empty())
}

/// The commands to try: each entry of `$BROWSER` when it has any, else the desktop's.
fn launchers(url: &str) -> Vec<Command> {
    match browser_list() {
        Some(list) => list
            .split(LIST_SEPARATOR)
            .filter_map(|entry| browser_command(entry, url))
            .collect(),
        _ => open::commands(url),
    }
}

/// One `$BROWSER` entry as a command: its words (shell quoting allowed), with `%s` standing
/// for the URL, else the URL as the last argument. `None` for an empty or badly quoted entry.
fn browser_command(entry: &str, url: &str) -> Option<Command> {
    let words = shlex::split(entry)?;
    let (program, args) = words.split_first()?;
    let mut command = Command::new(program);
    let mut placed = false;
    for arg in args {
        if arg.contains("%s") {
            command.arg(arg.replace("%s", url));
            placed = true;
        } else {
            command.arg(arg);
        }
    }
    if !placed {
        command.arg(url);
    }
    Some(command)
}

/// Start `command` with no terminal: a browser must not read vault's input, and what a launcher
/// prints (it may quote the URL) must not reach vault's output. Why it could not start is left
/// out (it is the OS's "not found" nearly always; the name says which).
fn start(command: &mut Command) -> Result<Child, ()> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|_| ())
}

/// The launcher's program name, without its folder or arguments.
fn name_of(command: &Command) -> String {
    let program = std::path::Path::new(command.get_program());
    program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(command: &Command) -> Vec<String> {
        command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn browser_entries_take_the_url_last_or_at_percent_s() {
        let c = browser_command("firefox", "https://u").unwrap();
        assert_eq!(c.get_program(), "firefox");
        assert_eq!(args(&c), ["https://u"]);
        let c = browser_command("'/opt/My Browser/run' --new-tab=%s -x", "https://u").unwrap();
        assert_eq!(c.get_program(), "/opt/My Browser/run");
        assert_eq!(args(&c), ["--new-tab=https://u", "-x"]);
        assert_eq!(name_of(&c), "run");
        assert!(browser_command("  ", "https://u").is_none());
        assert!(browser_command("'unclosed", "https://u").is_none());
    }

    #[test]
    fn failures_name_the_launcher_only() {
        let tried = Failure::NotStarted {
            tried: vec!["xdg-open".into(), "gio".into()],
        };
        assert_eq!(
            tried.to_string(),
            "no browser launcher could be started (tried xdg-open, gio)"
        );
    }
}
