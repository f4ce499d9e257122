//! A private D-Bus session bus, optionally with gnome-keyring's Secret Service on it, in a
//! throwaway HOME. Nothing touches the user's own bus or keyrings; both daemons are killed
//! when the value is dropped.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct PrivateBus {
    /// The value for DBUS_SESSION_BUS_ADDRESS.
    pub address: String,
    pub home: tempfile::TempDir,
    bus: Child,
    keyring: Option<Child>,
}

/// A session bus without service activation, so asking for a missing service fails at once
/// instead of starting whatever the system has installed.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=@SOCKET@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

fn require(binary: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(binary).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{binary} is required for the Secret Service tests (Debian/Ubuntu: apt-get install {package})"
    );
}

fn sandbox_env(command: &mut Command, home: &Path) {
    command
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
}

impl PrivateBus {
    /// A session bus with nothing on it.
    pub fn bare() -> PrivateBus {
        require("dbus-daemon", "dbus-daemon");
        let home = tempfile::tempdir().unwrap();
        for dir in [".local/share", ".config", ".cache", "run"] {
            std::fs::create_dir_all(home.path().join(dir)).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let run = home.path().join("run");
            std::fs::set_permissions(run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let socket = home.path().join("bus");
        let config = home.path().join("bus.conf");
        let text = BUS_CONFIG.replace("@SOCKET@", socket.to_str().unwrap());
        std::fs::write(&config, text).unwrap();

        let mut command = Command::new("dbus-daemon");
        command
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address=1", "--nofork"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        sandbox_env(&mut command, home.path());
        let mut bus = command.spawn().expect("start dbus-daemon");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        PrivateBus {
            address,
            home,
            bus,
            keyring: None,
        }
    }

    /// A session bus with gnome-keyring's Secret Service, its login collection unlocked.
    pub fn with_gnome_keyring() -> PrivateBus {
        require("gnome-keyring-daemon", "gnome-keyring");
        let mut bus = Self::bare();
        let mut command = Command::new("gnome-keyring-daemon");
        command
            .args(["--unlock", "--components=secrets", "--foreground"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        sandbox_env(&mut command, bus.home.path());
        let mut keyring = command.spawn().expect("start gnome-keyring-daemon");
        // --unlock reads the login password from stdin, up to end of file.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"test login password").unwrap();
        drop(stdin);
        bus.keyring = Some(keyring);
        // Ready once the default alias points at the (unlocked) login collection.
        let read_alias = [
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.ReadAlias",
            "string:default",
        ];
        bus.wait_until("the login collection", &read_alias, "collection/login");
        bus
    }

    /// Polls the bus with `dbus-send` until the reply to `call` contains `expected`.
    fn wait_until(&mut self, what: &str, call: &[&str], expected: &str) {
        require("dbus-send", "dbus-bin");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = Command::new("dbus-send")
                .arg(format!("--bus={}", self.address))
                .arg("--print-reply")
                .args(call)
                .output()
                .expect("run dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains(expected) {
                return;
            }
            if let Some(keyring) = self.keyring.as_mut()
                && let Ok(Some(status)) = keyring.try_wait()
            {
                panic!("gnome-keyring-daemon exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "{what} never appeared on the test bus"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        if let Some(keyring) = self.keyring.as_mut() {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}
