//! Test harness: a real STS emulator (moto's server), a throwaway HOME, and the real `vault`
//! binary run the way a user runs it.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod sts_recorder;
#[allow(unused_imports)] // each test binary uses a different part of the harness
pub use sts_recorder::{StsCall, StsRecorder, sts_recorder};

/// moto's server on a free loopback port, stopped when the test process exits.
pub struct Moto {
    pub url: String,
    _child: Child,
    _stdin: ChildStdin,
}

impl Moto {
    /// Start a server; `env` is passed to it (e.g. INITIAL_NO_AUTH_ACTION_COUNT).
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 must be installed (make test installs moto[server])");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "moto server did not start (pip install 'moto[server]')"
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto server not reachable at {url}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let stdin = child.stdin.take().unwrap();
        Moto {
            url,
            _child: child,
            _stdin: stdin,
        }
    }

    /// The one shared server of this test binary.
    pub fn shared() -> &'static Moto {
        static MOTO: OnceLock<Moto> = OnceLock::new();
        MOTO.get_or_init(|| Moto::start(&[]))
    }
}

/// The binary under test: cargo's build, or `VAULT_BIN` when set (scripts/test-musl.sh runs
/// the suites against the static musl build this way).
pub fn vault_bin() -> PathBuf {
    std::env::var_os("VAULT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_vault")))
}

/// A throwaway user: HOME, config file, file store, cache, all under one temp dir.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub endpoint: String,
}

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const ACCESS_KEY: &str = "AKIAVAULTTESTKEY0001";
pub const SECRET_KEY: &str = "vaultTestSecretKey/0001+abcdefghijklmnopq";

impl Sandbox {
    pub fn new() -> Sandbox {
        Self::with_endpoint(&Moto::shared().url)
    }

    pub fn with_endpoint(endpoint: &str) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.aws")).unwrap();
        Sandbox {
            dir,
            endpoint: endpoint.to_string(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn config_path(&self) -> PathBuf {
        self.home().join(".aws/config")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).unwrap();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `vault ARGS` in this sandbox, with a clean environment (no AWS_* from the developer's).
    pub fn vault(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(vault_bin());
        cmd.args(args);
        self.apply_env(&mut cmd);
        cmd
    }

    /// Any program in this sandbox's environment (for the AWS CLI as a credential_process client).
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.apply_env(&mut cmd);
        cmd
    }

    fn apply_env(&self, cmd: &mut Command) {
        let home = self.home();
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("AWS_CONFIG_FILE", self.config_path())
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join(".aws/credentials"))
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("VAULT_BACKEND", "file")
            .env("VAULT_FILE_PASSPHRASE", PASSPHRASE)
            // Each test's store would otherwise leave its unlocked key in the user's kernel
            // keyring; the tests of that feature turn it on themselves.
            .env("VAULT_FILE_UNLOCK_TTL", "0")
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::null());
        if let Ok(pyenv) = std::env::var("PYENV_ROOT") {
            cmd.env("PYENV_ROOT", pyenv);
        }
    }

    /// `vault add NAME --env` with the test keys.
    pub fn add(&self, profile: &str) {
        let out = self
            .vault(&["add", profile, "--env"])
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .output()
            .unwrap();
        assert_success(&out);
    }

    /// A script usable as `mfa_process` that counts its runs in `name.count`.
    pub fn counting_mfa_process(&self, name: &str) -> String {
        let count = self.path(&format!("{name}.count"));
        let script = self.path(&format!("{name}.sh"));
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho run >> '{}'\nsleep 0.3\necho 123456\n",
                count.display()
            ),
        )
        .unwrap();
        format!("sh {}", script.display())
    }

    pub fn count(&self, name: &str) -> usize {
        std::fs::read_to_string(self.path(&format!("{name}.count")))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }
}

/// Run with a hang guard: a test fails (instead of hanging CI) if vault does not finish.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("command did not finish within {limit:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "command failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// A failure with exit code 1 and exactly one line on stderr containing every `needle`.
pub fn assert_one_line_error(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "expected exit 1; stderr: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "expected one line: {err}"
    );
    assert!(err.starts_with("vault: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "missing {needle:?} in: {err}");
    }
}

/// Parse `KEY=value` lines (from `env` or `vault export --format env`).
pub fn env_map(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `vault exec PROFILE --server` running a Python child that handles `signal` by printing
/// `got-NAME` and exiting with `code`; once the child is ready, `signal` is sent to vault
/// alone. Returns the child's line after "ready" and vault's exit status.
pub fn signal_a_server_mode_vault(
    sb: &Sandbox,
    profile: &str,
    signal: libc::c_int,
    name: &str,
    code: i32,
) -> (String, std::process::ExitStatus) {
    // The handler writes with os.write: it may run inside print('ready') (the test reads the
    // line before print returns), where print would re-enter the buffer.
    let script = format!(
        "import os, signal, time\n\
         def stop(*_):\n    os.write(1, b'got-{name}\\n')\n    os._exit({code})\n\
         signal.signal({signal}, stop)\nprint('ready', flush=True)\ntime.sleep(60)"
    );
    let mut child = sb
        .vault(&["exec", profile, "--server", "--", "python3", "-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    // SAFETY: signalling the vault process this function started.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "vault did not end"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    line.clear();
    reader.read_line(&mut line).unwrap();
    (line.trim().to_string(), status)
}

/// Lets `cmd` write core files, as a user's `ulimit -c unlimited` does (vault must then lower
/// its own limit itself), and gives it SIGQUIT's default action (dump core), as a program
/// started from a terminal has: a test runner started as a background job (`cmd &` in a
/// script) has SIGQUIT ignored, and its children would inherit that.
#[cfg(unix)]
pub fn allow_core_dumps(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit between fork and exec touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &unlimited);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
}

/// Gives `cmd` the default actions of Ctrl-C and Ctrl-\ (SIGINT, SIGQUIT), as a program started
/// from a terminal has. A test runner started as a background job of a script has both
/// ignored, its children inherit that, and a `sh` that starts with a signal ignored cannot trap it.
#[cfg(unix)]
pub fn default_interrupts(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: signal() between fork and exec touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
}

/// Writes an executable `/bin/sh` script at `path` (its folder created) and returns the path:
/// stand-in browsers, helpers and tools in tests.
#[cfg(unix)]
pub fn sh_script(path: &std::path::Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// `cmd` (program, arguments and environment) run by `setsid -w` with stdin closed: in a new
/// session with no controlling terminal, as under an IDE, a CI job or a GUI program.
pub fn without_terminal(cmd: &Command) -> Command {
    let mut guarded = Command::new("setsid");
    guarded
        .arg("-w")
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdin(std::process::Stdio::null());
    guarded
}
