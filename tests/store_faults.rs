//! Faults in the secret store: damaged files of the encrypted file store, a corrupt cached
//! session, the Secret Service daemon going away, a full kernel key quota. Each ends in one
//! clear line or an automatic recovery, never a panic, and never loses a master key.

mod support;

#[cfg(target_os = "linux")]
#[path = "support/secret_service.rs"]
mod secret_service;

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use support::*;
use vault::store::SecretStore;
use vault::store::file::FileStore;

const LIMIT: Duration = Duration::from_secs(60);

fn assert_no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
}

fn keys_dir(sb: &Sandbox) -> PathBuf {
    sb.home().join(".local/share/vault/keys")
}

/// The file of `item` in the file store (`<hex of the name>.enc`).
fn item_file(sb: &Sandbox, item: &str) -> PathBuf {
    let hex: String = item.bytes().map(|b| format!("{b:02x}")).collect();
    keys_dir(sb).join(format!("{hex}.enc"))
}

fn export_json(sb: &Sandbox) -> serde_json::Value {
    let out = run_bounded(
        &mut sb.vault(&["export", "will", "--format", "json"]),
        LIMIT,
    );
    assert_success(&out);
    assert_no_panic(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Damage to the file holding the master keys is one line naming the item, whichever command
/// meets it; nothing rewrites the file, so a restored copy works again.
#[test]
fn damaged_key_file_is_a_clear_error_and_is_never_rewritten() {
    let sb = Sandbox::new();
    sb.add("will");
    sb.add("fine");
    let path = item_file(&sb, "keys:will");
    let good = std::fs::read(&path).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    let damages: [(&str, Vec<u8>); 4] = [
        ("one bit flipped", flipped),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("shorter than a nonce", good[..5].to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in damages {
        std::fs::write(&path, &bytes).unwrap();
        for args in [
            vec!["exec", "will", "--", "true"],
            vec!["export", "will", "--no-session"],
        ] {
            let out = run_bounded(&mut sb.vault(&args), LIMIT);
            assert_one_line_error(&out, &["keys:will", "corrupt"]);
            assert_no_panic(&out);
            assert!(!stderr(&out).contains(SECRET_KEY), "{what}");
        }
        // `list` shows the whole table, the damaged profile as such, says why in one line and
        // exits 1; the healthy profile is listed as usual.
        let list = run_bounded(&mut sb.vault(&["list"]), LIMIT);
        assert_no_panic(&list);
        assert_eq!(list.status.code(), Some(1), "{what}");
        assert_one_line_error(
            &list,
            &[
                "profile 'will'",
                "keys:will",
                "corrupt",
                "vault remove will",
            ],
        );
        let table = stdout(&list);
        let row = |name: &str| {
            table
                .lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_default()
                .to_string()
        };
        assert!(row("will ").contains("damaged"), "{what}: {table}");
        assert!(row("fine ").contains("stored"), "{what}: {table}");
        let names = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
        assert_eq!(stdout(&names), "fine\n", "{what}");
        assert_eq!(names.status.code(), Some(1), "{what}");
        // A refused `add` (keys exist) must not touch it either.
        let add = run_bounded(
            sb.vault(&["add", "will", "--env"])
                .env("AWS_ACCESS_KEY_ID", "AKIAOTHERKEY00000000")
                .env("AWS_SECRET_ACCESS_KEY", "other"),
            LIMIT,
        );
        assert_no_panic(&add);
        assert_eq!(add.status.code(), Some(1), "{what}: {}", stderr(&add));
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{what}: rewritten");
        eprintln!(
            "{what}: {}",
            stderr(&run_bounded(
                &mut sb.vault(&["exec", "will", "--", "true"]),
                LIMIT
            ))
            .trim()
        );
    }
    std::fs::write(&path, &good).unwrap();
    let env = export_json(&sb);
    assert!(env["SessionToken"].is_string());
}

/// A damaged store.json (salt, costs, verifier) stops every command with one line naming
/// it, before anything is written; the item files survive, and work again once it is back.
#[test]
fn damaged_store_header_is_a_clear_error_and_loses_nothing() {
    let sb = Sandbox::new();
    sb.add("will");
    let header = keys_dir(&sb).join("store.json");
    let good = std::fs::read_to_string(&header).unwrap();
    let keys_before = std::fs::read(item_file(&sb, "keys:will")).unwrap();
    let damages: [(&str, String); 5] = [
        ("garbage", "\u{1}\u{2}not json at all".to_string()),
        ("truncated", good[..good.len() / 2].to_string()),
        ("empty", String::new()),
        (
            "absurd key-derivation costs",
            good.replace("\"memory_kib\": 19456", "\"memory_kib\": 4000000000"),
        ),
        ("salt changed", {
            let v: serde_json::Value = serde_json::from_str(&good).unwrap();
            let mut v = v;
            v["salt"] = serde_json::Value::String("AAAAAAAAAAAAAAAAAAAAAA==".into());
            serde_json::to_string(&v).unwrap()
        }),
    ];
    for (what, text) in damages {
        std::fs::write(&header, &text).unwrap();
        for args in [vec!["exec", "will", "--", "true"], vec!["clear"]] {
            let out = run_bounded(&mut sb.vault(&args), LIMIT);
            assert_no_panic(&out);
            if args[0] == "clear" && out.status.success() {
                continue; // deleting needs no key
            }
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{what}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
            assert!(
                err.contains("store.json") || err.contains("wrong passphrase"),
                "{what}: {err}"
            );
            eprintln!("{what}: {}", err.trim());
        }
        // `add --force` must not replace the store with a new one (new salt) and orphan the keys.
        let add = run_bounded(
            sb.vault(&["add", "will", "--env", "--force"])
                .env("AWS_ACCESS_KEY_ID", "AKIAOTHERKEY00000000")
                .env("AWS_SECRET_ACCESS_KEY", "other"),
            LIMIT,
        );
        assert_no_panic(&add);
        assert_eq!(add.status.code(), Some(1), "{what}: {}", stderr(&add));
        assert_eq!(std::fs::read_to_string(&header).unwrap(), text, "{what}");
        assert_eq!(
            std::fs::read(item_file(&sb, "keys:will")).unwrap(),
            keys_before,
            "{what}: master keys rewritten"
        );
    }
    std::fs::write(&header, &good).unwrap();
    let keys = stdout(&run_bounded(
        &mut sb.vault(&["list", "--credentials"]),
        LIMIT,
    ));
    assert_eq!(keys.trim(), "will");
    export_json(&sb);
}

/// A cached session is only a cache: garbage in it (bad JSON inside a sound item, or an item
/// file that no longer decrypts) is dropped and a new session fetched, silently.
#[test]
fn corrupt_cached_session_is_dropped_and_fetched_again() {
    let sts = sts_recorder();
    let sb = Sandbox::with_endpoint(&sts.url);
    sb.add("will");
    export_json(&sb);
    assert_eq!(sts.count("GetSessionToken"), 1);
    let path = item_file(&sb, "session:will");
    assert!(path.exists());
    let keys_before = std::fs::read(item_file(&sb, "keys:will")).unwrap();

    // 1. Sound encryption, garbage inside.
    let store = FileStore::with_passphrase(keys_dir(&sb), PASSPHRASE).unwrap();
    store
        .set("session:will", "{\"credentials\": garbage")
        .unwrap();
    let second = export_json(&sb);
    assert_eq!(sts.count("GetSessionToken"), 2, "fetched again");
    let cached = store.get("session:will").unwrap().unwrap();
    assert!(cached.contains(second["AccessKeyId"].as_str().unwrap()));

    // 2. The file itself damaged (bit flip, truncation).
    for (fetches, damage) in [(3, "flip"), (4, "truncate")] {
        let mut bytes = std::fs::read(&path).unwrap();
        if damage == "flip" {
            bytes[30] ^= 0x40;
        } else {
            bytes.truncate(10);
        }
        std::fs::write(&path, &bytes).unwrap();
        let list = run_bounded(&mut sb.vault(&["list"]), LIMIT);
        assert_no_panic(&list);
        assert_success(&list);
        let out = run_bounded(
            &mut sb.vault(&["export", "will", "--format", "json"]),
            LIMIT,
        );
        assert_no_panic(&out);
        assert_success(&out);
        assert_eq!(stderr(&out), "", "{damage}: silent");
        let again: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert!(again["SessionToken"].is_string(), "{damage}: a session");
        assert_eq!(
            sts.count("GetSessionToken"),
            fetches,
            "{damage}: fetched again"
        );
        assert!(
            store.get("session:will").unwrap().is_some(),
            "{damage}: cached again"
        );
    }
    assert_eq!(
        std::fs::read(item_file(&sb, "keys:will")).unwrap(),
        keys_before
    );
}

#[cfg(target_os = "linux")]
mod linux {
    use std::process::{Child, Command, Stdio};
    use std::time::Instant;

    use super::*;
    use crate::secret_service::PrivateBus;

    /// Sandbox commands on the Secret Service of `bus`.
    fn on_bus(sb: &Sandbox, bus: &PrivateBus, args: &[&str]) -> Command {
        let mut cmd = sb.vault(args);
        cmd.env("VAULT_BACKEND", "secret-service")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address);
        cmd
    }

    /// The pid owning org.freedesktop.secrets on `bus`.
    fn daemon_pid(bus: &PrivateBus) -> Option<i32> {
        let out = Command::new("dbus-send")
            .arg(format!("--bus={}", bus.address))
            .args([
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .expect("dbus-send is required (apt-get install dbus-bin)");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .skip_while(|w| *w != "uint32")
            .nth(1)
            .and_then(|p| p.parse().ok())
    }

    fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// gnome-keyring-daemon again on the same bus and HOME (its keyrings are files there).
    struct Restarted(Child);

    impl Restarted {
        fn start(bus: &PrivateBus) -> Restarted {
            use std::io::Write;
            let home = bus.home.path();
            let mut child = Command::new("gnome-keyring-daemon")
                .args(["--unlock", "--components=secrets", "--foreground"])
                .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
                .env("HOME", home)
                .env("XDG_DATA_HOME", home.join(".local/share"))
                .env("XDG_CONFIG_HOME", home.join(".config"))
                .env("XDG_CACHE_HOME", home.join(".cache"))
                .env("XDG_RUNTIME_DIR", home.join("run"))
                .env_remove("DISPLAY")
                .env_remove("WAYLAND_DISPLAY")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("gnome-keyring-daemon");
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(b"test login password").unwrap();
            drop(stdin);
            wait_for("gnome-keyring came back", || daemon_pid(bus).is_some());
            Restarted(child)
        }
    }

    impl Drop for Restarted {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn kill_daemon(bus: &PrivateBus) {
        let pid = daemon_pid(bus).expect("gnome-keyring is on the bus");
        // SAFETY: a plain kill of the daemon this test started.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        wait_for("the daemon left the bus", || daemon_pid(bus).is_none());
    }

    /// The daemon gone between commands, then gone in the middle of one (while vault waits
    /// for the MFA code, before it caches the session): one line, no panic; once it is back
    /// the master keys are still there and everything works.
    #[test]
    fn secret_service_daemon_gone_then_back() {
        let bus = PrivateBus::with_gnome_keyring();
        let sb = Sandbox::new();
        let killer = sb.path("kill-daemon.sh");
        sb.write_config(&format!(
            "[profile will]\n[profile mfa]\nsource_profile = will\nmfa_serial = arn:aws:iam::123456789012:mfa/will\nmfa_process = sh {}\n\
             [profile admin]\nsource_profile = mfa\nrole_arn = arn:aws:iam::123456789012:role/admin\n",
            killer.display()
        ));
        let add = run_bounded(
            on_bus(&sb, &bus, &["add", "will", "--env", "--no-add-config"])
                .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
                .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            LIMIT,
        );
        assert_success(&add);
        kill_daemon(&bus);
        for args in [
            vec!["exec", "will", "--", "true"],
            vec!["list"],
            vec!["clear"],
        ] {
            let out = run_bounded(&mut on_bus(&sb, &bus, &args), LIMIT);
            assert_one_line_error(&out, &["secret-service"]);
            assert_no_panic(&out);
            eprintln!("daemon gone, {}: {}", args[0], stderr(&out).trim());
        }
        // The hook says one line and keeps the prompt.
        let project = sb.path("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join(".awsvault"), "profile = \"will\"\n").unwrap();
        assert_success(&run_bounded(
            &mut sb.vault(&["allow", project.to_str().unwrap()]),
            LIMIT,
        ));
        let hook = run_bounded(
            on_bus(&sb, &bus, &["hook-env", "bash"])
                .current_dir(&project)
                .env("PWD", &project),
            LIMIT,
        );
        assert_no_panic(&hook);
        assert_eq!(hook.status.code(), Some(0));
        assert_eq!(
            stderr(&hook).trim_end().lines().count(),
            1,
            "{}",
            stderr(&hook)
        );
        assert!(
            !stdout(&hook).contains("AWS_ACCESS_KEY_ID="),
            "{}",
            stdout(&hook)
        );

        let back = Restarted::start(&bus);
        let keys = run_bounded(&mut on_bus(&sb, &bus, &["list", "--credentials"]), LIMIT);
        assert_success(&keys);
        assert_eq!(stdout(&keys).trim(), "will", "master keys survived");

        // Mid-run: the MFA step kills the daemon, so caching the session fails.
        let pid = daemon_pid(&bus).unwrap();
        std::fs::write(&killer, format!("kill -9 {pid}\necho 123456\n")).unwrap();
        let out = run_bounded(
            &mut on_bus(&sb, &bus, &["exec", "admin", "--", "true"]),
            LIMIT,
        );
        assert_one_line_error(&out, &["secret-service"]);
        assert_no_panic(&out);
        eprintln!("daemon killed mid-run: {}", stderr(&out).trim());
        drop(back);
        wait_for("the daemon left the bus", || daemon_pid(&bus).is_none());

        let _again = Restarted::start(&bus);
        let keys = run_bounded(&mut on_bus(&sb, &bus, &["list", "--credentials"]), LIMIT);
        assert_success(&keys);
        assert_eq!(stdout(&keys).trim(), "will", "master keys survived");
        std::fs::write(&killer, "echo 123456\n").unwrap();
        let out = run_bounded(
            &mut on_bus(&sb, &bus, &["exec", "admin", "--", "env"]),
            LIMIT,
        );
        assert_success(&out);
        assert_eq!(env_map(&stdout(&out))["AWS_VAULT"], "admin");
    }

    /// An unprivileged uid used only here: its kernel key quota (maxkeys, maxbytes) is its
    /// own, so filling it disturbs nobody else.
    const QUOTA_UID: &str = "54321";

    /// `vault` as QUOTA_UID in a new session keyring whose quota `fill` first uses up.
    fn as_quota_user(sb: &Sandbox, script: &str) -> Output {
        let vault = env!("CARGO_BIN_EXE_vault");
        let mut cmd = sb.command("setpriv");
        cmd.args([
            &format!("--reuid={QUOTA_UID}"),
            &format!("--regid={QUOTA_UID}"),
            "--clear-groups",
            "keyctl",
            "session",
            "-",
            "sh",
            "-c",
            script,
            "sh",
            vault,
        ])
        .env("VAULT_BACKEND", "keyutils");
        let mut out = run_bounded(&mut cmd, LIMIT);
        // keyctl's own notice, not vault's.
        let err = stderr(&out);
        if let Some(rest) = err.strip_prefix("Joined session keyring: ") {
            out.stderr = rest
                .split_once('\n')
                .map_or("", |(_, r)| r)
                .as_bytes()
                .to_vec();
        }
        out
    }

    /// A full key quota: storing keys is one clear line; keys stored before stay readable and
    /// a session that cannot be cached is one clear line, not a panic or a lost key.
    #[test]
    fn keyutils_quota_full_is_a_clear_error() {
        assert!(
            Command::new("keyctl").arg("--version").output().is_ok(),
            "keyctl is required (apt-get install keyutils)"
        );
        let sb = Sandbox::new();
        // The sandbox must be usable by the quota user.
        let chown = Command::new("chown")
            .args(["-R", &format!("{QUOTA_UID}:{QUOTA_UID}")])
            .arg(sb.dir.path())
            .status()
            .unwrap();
        assert!(chown.success());
        sb.write_config("[profile will]\n");
        // Adds keys until the kernel refuses (EDQUOT), in the session keyring.
        let fill = r#"i=0; while keyctl add user "filler-$i" "$(head -c 200 /dev/zero | tr '\0' x)" @s >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 100000 ] && exit 9; done"#;
        let env = format!("AWS_ACCESS_KEY_ID={ACCESS_KEY} AWS_SECRET_ACCESS_KEY={SECRET_KEY}");
        // Each run starts from an empty quota (keys of an earlier run are released by the
        // kernel's garbage collector shortly after their keyring goes) and empties it again.
        // vault's keys go to the uid's persistent keyring (through the session keyring), so
        // that is emptied too, with @u.
        let clean = "keyctl clear \"$(keyctl get_persistent @s)\" >/dev/null 2>&1; keyctl clear @u >/dev/null 2>&1";
        // Released keys leave the quota when the kernel's collector runs: wait (up to 10 s)
        // until this uid uses under 1000 bytes.
        let settle = r#"i=0; while awk -v u="$(id -u):" '$1 == u { split($5, a, "/"); busy = a[1] > 1000 } END { exit !busy }' /proc/key-users; do i=$((i+1)); [ $i -gt 100 ] && exit 8; sleep 0.1; done"#;
        let run = |body: &str| {
            as_quota_user(
                &sb,
                &format!(
                    "{clean}; {settle}; {body}; status=$?; {clean}; keyctl clear @s >/dev/null 2>&1; exit $status"
                ),
            )
        };
        // 1. Keys stored first, then the quota filled: exec cannot cache the session.
        let out = run(&format!(
            "{env} \"$1\" add will --env --no-add-config 2>/dev/null || exit 7; {fill}; \"$1\" exec will -- true; echo \"exec=$?\" >&2; \"$1\" list --credentials"
        ));
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{err}");
        eprintln!("quota full, exec: {}", err.trim());
        assert!(
            err.contains("exec=1"),
            "{err} {:?} {}",
            out.status,
            stdout(&out)
        );
        assert!(err.starts_with("vault: "), "{err}");
        assert!(err.contains("session:will"), "{err}");
        assert!(err.contains("key quota for this user is full"), "{err}");
        assert!(
            err.contains("maxkeys and maxbytes"),
            "the limits of a non-root uid: {err}"
        );
        assert_eq!(err.lines().count(), 2, "one line, then our status: {err}");
        assert_eq!(
            stdout(&out).trim(),
            "will",
            "the master keys are still there"
        );
        // 2. Quota already full: `add` fails clearly.
        let out = run(&format!(
            "{fill}; {env} \"$1\" add will --env --no-add-config"
        ));
        assert_one_line_error(
            &out,
            &[
                "'will'",
                "key quota for this user is full",
                "/proc/key-users",
            ],
        );
        assert_no_panic(&out);
        eprintln!("quota full, add: {}", stderr(&out).trim());
    }
}

/// Commands that only need to know that keys exist never decrypt them: with a cached session,
/// damaged keys do not stop `export`, and `vault remove` (the advice `list` gives) deletes them.
#[test]
fn damaged_keys_are_found_without_being_decrypted() {
    let sb = Sandbox::new();
    sb.add("will");
    let first = export_json(&sb);
    let path = item_file(&sb, "keys:will");
    let mut flipped = std::fs::read(&path).unwrap();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    std::fs::write(&path, &flipped).unwrap();

    let again = export_json(&sb);
    assert_eq!(
        again["SessionToken"], first["SessionToken"],
        "not the cached session"
    );

    let out = run_bounded(&mut sb.vault(&["remove", "will", "--force"]), LIMIT);
    assert_no_panic(&out);
    assert_success(&out);
    assert!(!path.exists(), "the damaged keys are still stored");
    let names = run_bounded(&mut sb.vault(&["list", "--credentials"]), LIMIT);
    assert_success(&names);
    assert_eq!(stdout(&names), "");
}
