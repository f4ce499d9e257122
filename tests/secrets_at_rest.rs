//! Secrets at rest: run every command flow (add, exec, export in every format, the bash hook
//! with `vault use` and a trusted `.awsvault`, login --stdout, rotate, exec --server) with
//! `--debug` on and stderr kept in log files, then scan everything vault could have written
//! for the secrets involved: the long-term key, and every temporary secret moto handed out
//! (captured from the commands' output). Only the encrypted file store may hold them, and only
//! as ciphertext. Stdout of export/login --stdout/exec's child is output by design.
//!
//! Everything vault and its children may write is inside the sandbox: HOME and the XDG
//! folders, TMPDIR (set for vault and every child it starts), the working folder (HOME), and
//! the logs; vault itself writes no temporary files outside those. So the scan reads only the
//! sandbox, not the machine's shared /tmp. A canary planted in each of those folders proves
//! the scan reaches them and recognises every form of a secret.
//!
//! Three more ways a secret could come to rest: a core file (every vault here runs with the
//! user's core limit raised to unlimited, in a working folder inside the sandbox, and one is
//! killed with SIGQUIT while it holds the long-term key and the store key), the environment
//! of a process vault starts (`credential_process` and `mfa_process` write theirs into the
//! sandbox, so the scan reads them; `exec` children print theirs), and the error output of
//! failing flows (kept with the logs). The store passphrase is one of the secrets.

mod support;

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use support::*;

const LIMIT: Duration = Duration::from_secs(90);
/// The file store remembers its unlock, as it does by default (the harness turns that off).
const UNLOCK_TTL: &str = "5m";

/// The sandbox plus what the scan needs: the log folder, TMPDIR, and every secret seen.
struct World {
    sb: Sandbox,
    secrets: BTreeSet<String>,
    logs: usize,
}

impl World {
    fn new() -> World {
        let sb = Sandbox::new();
        std::fs::create_dir_all(sb.path("tmp")).unwrap();
        std::fs::create_dir_all(sb.path("logs")).unwrap();
        World {
            sb,
            secrets: BTreeSet::new(),
            logs: 0,
        }
    }

    fn tmpdir(&self) -> PathBuf {
        self.sb.path("tmp")
    }

    /// Remember a secret to scan for (short or empty values would match by chance).
    fn secret(&mut self, value: &str) {
        assert!(value.len() >= 16, "a secret to scan for is too short");
        self.secrets.insert(value.to_string());
    }

    /// `vault --debug ARGS` with TMPDIR in the sandbox.
    fn vault(&self, args: &[&str]) -> Command {
        let mut full = vec!["--debug"];
        full.extend_from_slice(args);
        let mut cmd = self.sb.vault(&full);
        self.contain(&mut cmd);
        cmd
    }

    /// Any other program (python3, bash), contained the same way.
    fn command(&self, program: &str) -> Command {
        let mut cmd = self.sb.command(program);
        self.contain(&mut cmd);
        cmd
    }

    /// TMPDIR and the working folder in the sandbox, so whatever vault or a child of it writes
    /// lands where the scan looks.
    /// Core dumps are allowed, as by a user's `ulimit -c unlimited`: a core vault wrote would
    /// land in the working folder (with `core_pattern` `core`, as here) and be scanned.
    fn contain(&self, cmd: &mut Command) {
        cmd.env("TMPDIR", self.tmpdir())
            .env("VAULT_FILE_UNLOCK_TTL", UNLOCK_TTL)
            .current_dir(self.sb.home());
        allow_core_dumps(cmd);
    }

    /// Run bounded; stderr goes to a new log file in the sandbox. Panics on failure without
    /// printing the output (it may hold secrets, and test output can land in /tmp).
    fn run(&mut self, what: &str, cmd: &mut Command) -> Output {
        let out = run_bounded(cmd, LIMIT);
        self.logs += 1;
        let log = self.sb.path(&format!("logs/{:02}-{what}.log", self.logs));
        std::fs::write(&log, &out.stderr).unwrap();
        assert!(
            out.status.success(),
            "{what} failed ({}); its stderr is in {}",
            out.status,
            log.display()
        );
        out
    }

    /// A flow that must fail: bounded, stderr kept in a log like every other.
    fn run_failing(&mut self, what: &str, cmd: &mut Command) -> Output {
        let out = run_bounded(cmd, LIMIT);
        self.logs += 1;
        let log = self.sb.path(&format!("logs/{:02}-{what}.log", self.logs));
        std::fs::write(&log, &out.stderr).unwrap();
        assert!(
            !out.status.success(),
            "{what} succeeded; its stderr is in {}",
            log.display()
        );
        out
    }

    fn run_vault(&mut self, what: &str, args: &[&str]) -> Output {
        let mut cmd = self.vault(args);
        self.run(what, &mut cmd)
    }
}

/// Every remembered file-store key in the user keyring (`vault:file-unlock:*`), read with
/// keyctl: this run's, and any another test left.
fn remembered_store_keys() -> Vec<Vec<u8>> {
    let keyctl = |args: &[&str]| {
        let out = Command::new("keyctl")
            .args(args)
            .output()
            .expect("keyctl is installed");
        out.status.success().then_some(out.stdout)
    };
    let ids = String::from_utf8(keyctl(&["rlist", "@u"]).unwrap_or_default()).unwrap();
    ids.split_whitespace()
        .filter(|id| {
            keyctl(&["rdescribe", id])
                .is_some_and(|d| String::from_utf8_lossy(&d).contains(";vault:file-unlock:"))
        })
        .filter_map(|id| keyctl(&["pipe", id]))
        .collect()
}

fn random_tag() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", std::process::id(), nanos)
}

/// Forms a secret may take in a file: as is, percent-encoded (URLs), JSON-escaped.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    let percent: String = secret
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    forms.push(percent);
    forms.push(secret.replace('/', "\\/"));
    forms.sort();
    forms.dedup();
    forms
}

/// Byte search through std's (optimised) `str::contains`: secrets are ASCII, and lossy
/// decoding keeps every ASCII byte of the file where it was.
fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty() && String::from_utf8_lossy(haystack).contains(needle)
}

/// Regular files under `dir` (symlinks not followed; unreadable folders skipped).
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), files);
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
}

#[path = "support/federation.rs"]
mod federation;

use federation::FakeFederation;

/// The Session JSON of every getSigninToken request `federation` saw.
fn federation_sessions(federation: &FakeFederation) -> Vec<serde_json::Value> {
    federation
        .requests()
        .iter()
        .filter_map(|target| {
            let query = target.split_once('?')?.1;
            let session = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("Session="))?;
            serde_json::from_str(&percent_decode(session)).ok()
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Secrets in `KEY=value` output (exec's child `env`, export --format env).
/// Also the check that the child did not get the store's passphrase (its output is not kept
/// on disk, so the scan would not see it).
fn env_secrets(world: &mut World, text: &str) {
    assert!(
        !text.contains("VAULT_FILE_PASSPHRASE") && !text.contains(PASSPHRASE),
        "a child got the store passphrase"
    );
    let env = env_map(text);
    for key in [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ] {
        if let Some(value) = env.get(key) {
            world.secret(value);
        }
    }
}

#[test]
fn no_secret_reaches_disk_or_logs_in_plain_text() {
    let mut world = World::new();
    let tag = random_tag();
    // Generated per run, so nothing already on the machine (or in this binary) can match.
    let master = format!("AtRestMasterSecret/{tag}+zz");
    let master_id = "AKIAATRESTTESTKEY001";
    world.secret(&master);
    // Not a secret, but --debug promises to shorten access key ids: hold it to the same rule.
    world.secret(master_id);
    // Every vault here gets it in VAULT_FILE_PASSPHRASE (the harness); no file may hold it.
    world.secret(PASSPHRASE);

    // `mfa_process` and `credential_process` leave their environment in the sandbox, so the
    // scan below also proves that neither got the passphrase.
    let envs = world.sb.path("process-env");
    std::fs::create_dir_all(&envs).unwrap();
    world.sb.write_config(&format!(
        "[profile will]\nregion = eu-west-1\n\
         [profile admin]\nsource_profile = will\nrole_arn = arn:aws:iam::123456789012:role/admin\n\
         [profile mfa]\nsource_profile = will\nrole_arn = arn:aws:iam::123456789012:role/mfa\n\
         mfa_serial = arn:aws:iam::123456789012:mfa/will\n\
         mfa_process = env > '{envs}/mfa_process'; echo 123456\n\
         [profile process]\ncredential_process = sh -c 's=Secret; env > {envs}/credential_process; \
         echo {{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIAPROCESSKEY000001\\\", \
         \\\"SecretAccessKey\\\": \\\"Process$s{tag}zz\\\"}}'\n\
         [profile quits]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\n\
         mfa_process = kill -QUIT $PPID; sleep 5\n\
         [profile broken]\ncredential_process = sh -c 's=Secret; echo {{\\\"Version\\\": 1, \
         \\\"SecretAccessKey\\\": \\\"Broken$s{tag}zz\\\"'\n\
         [profile failing]\ncredential_process = sh -c 's=Secret; echo Failing$s{tag}zz; exit 3'\n",
        envs = envs.display(),
    ));
    world.secret(&format!("ProcessSecret{tag}zz"));
    world.secret(&format!("BrokenSecret{tag}zz"));
    world.secret(&format!("FailingSecret{tag}zz"));

    // add
    let mut add = world.vault(&["add", "will", "--env"]);
    add.env("AWS_ACCESS_KEY_ID", master_id)
        .env("AWS_SECRET_ACCESS_KEY", &master);
    world.run("add", &mut add);
    let mut add = world.vault(&["add", "quits", "--env"]);
    add.env("AWS_ACCESS_KEY_ID", master_id)
        .env("AWS_SECRET_ACCESS_KEY", &master);
    world.run("add-quits", &mut add);

    // exec: a user session (GetSessionToken, cached) and a role (AssumeRole)
    for (what, profile) in [("exec-will", "will"), ("exec-admin", "admin")] {
        let out = world.run_vault(what, &["exec", profile, "--", "env"]);
        env_secrets(&mut world, &stdout(&out));
    }
    // mfa_process and credential_process, whose environments the scan reads.
    let out = world.run_vault("exec-mfa", &["exec", "mfa", "--", "env"]);
    env_secrets(&mut world, &stdout(&out));
    world.run_vault("exec-process", &["exec", "process", "--", "true"]);
    for process in ["mfa_process", "credential_process"] {
        let env = std::fs::read_to_string(envs.join(process)).expect("the process ran");
        assert!(env.contains("HOME="), "{process} wrote its environment");
    }
    let out = world.run_vault(
        "exec-no-session",
        &["exec", "will", "--no-session", "--", "env"],
    );
    assert!(
        stdout(&out).contains(&master),
        "--no-session hands out the stored key"
    );

    // export, every format, user and role
    for profile in ["will", "admin"] {
        for format in ["env", "json", "ini", "bash", "zsh", "fish", "pwsh", "nu"] {
            let out = world.run_vault(
                &format!("export-{profile}-{format}"),
                &["export", profile, "--format", format],
            );
            if format == "json" {
                let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                world.secret(creds["SecretAccessKey"].as_str().unwrap());
                world.secret(creds["SessionToken"].as_str().unwrap());
            }
        }
    }

    // login --stdout, user (GetFederationToken) and role, against a stand-in endpoint
    let federation =
        FakeFederation::start(200, r#"{"SigninToken":"fake-signin-token-at-rest-0001"}"#);
    for profile in ["will", "admin"] {
        let mut cmd = world.vault(&["login", profile, "--stdout"]);
        cmd.env("VAULT_FEDERATION_ENDPOINT", &federation.url);
        let out = world.run(&format!("login-{profile}"), &mut cmd);
        world.secret(stdout(&out).trim());
    }
    let sessions = federation_sessions(&federation);
    assert_eq!(sessions.len(), 2, "one getSigninToken per login");
    for session in sessions {
        world.secret(session["sessionKey"].as_str().unwrap());
        world.secret(session["sessionToken"].as_str().unwrap());
    }

    // exec --server: the child reads the credentials from the server
    const PROBE: &str = r#"
import os, urllib.request
uri = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
request = urllib.request.Request(uri, headers={"Authorization": token})
with urllib.request.urlopen(request, timeout=10) as response:
    print(response.read().decode())
print("TOKEN=" + token)
"#;
    let out = world.run_vault(
        "exec-server",
        &["exec", "admin", "--server", "--", "python3", "-c", PROBE],
    );
    let text = stdout(&out);
    let (json, token) = text.split_once("TOKEN=").expect("probe output");
    let creds: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    world.secret(creds["SecretAccessKey"].as_str().unwrap());
    world.secret(creds["Token"].as_str().unwrap());
    world.secret(token.trim());

    // the bash hook: `vault use`, then cd into an allowed project
    let project = world.sb.home().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join(".awsvault"), "profile = \"admin\"\n").unwrap();
    world.run_vault("allow", &["allow", project.to_str().unwrap()]);
    let script = format!(
        "eval \"$('{vault}' hook bash)\"\n\
         vault use will\n\
         echo \"USE AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY\"\n\
         echo \"USE AWS_SESSION_TOKEN=$AWS_SESSION_TOKEN\"\n\
         vault unuse\n\
         cd '{project}'\n\
         echo \"CD AWS_VAULT=$AWS_VAULT\"\n\
         echo \"CD AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY\"\n\
         echo \"CD AWS_SESSION_TOKEN=$AWS_SESSION_TOKEN\"\n\
         exit 0\n",
        vault = env!("CARGO_BIN_EXE_vault"),
        project = project.display(),
    );
    // An interactive bash (prompts, so PROMPT_COMMAND runs) reading the lines from a file.
    let script_file = world.sb.path("hook-session.bash");
    std::fs::write(&script_file, script).unwrap();
    let mut bash = world.command("bash");
    bash.args(["--norc", "--noprofile", "-i"])
        .env("VAULT_DEBUG", "1")
        .env("PS1", "$ ")
        .stdin(std::fs::File::open(&script_file).unwrap());
    let out = world.run("bash-hook", &mut bash);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let value = |prefix: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        value("CD AWS_VAULT="),
        "admin",
        "the project's profile is active"
    );
    for prefix in [
        "USE AWS_SECRET_ACCESS_KEY=",
        "USE AWS_SESSION_TOKEN=",
        "CD AWS_SECRET_ACCESS_KEY=",
        "CD AWS_SESSION_TOKEN=",
    ] {
        world.secret(&value(prefix));
    }

    // rotate, against moto's IAM: a real user and key, replaced by a new one
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/iam_fixture.py");
    let user = format!("atrest-{}", std::process::id());
    let mut create = world.command("python3");
    create
        .arg(&fixture)
        .arg(&world.sb.endpoint)
        .args(["create-user", &user]);
    let out = world.run("iam-create-user", &mut create);
    let key: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let old_secret = key["secret"].as_str().unwrap().to_string();
    world.secret(&old_secret);
    world.secret(key["id"].as_str().unwrap());
    let mut add = world.vault(&["add", &user, "--env"]);
    add.env("AWS_ACCESS_KEY_ID", key["id"].as_str().unwrap())
        .env("AWS_SECRET_ACCESS_KEY", &old_secret);
    world.run("add-rotate-user", &mut add);
    world.run_vault("rotate", &["rotate", &user]);
    let out = world.run_vault(
        "exec-rotated",
        &["exec", &user, "--no-session", "--", "env"],
    );
    let env = env_map(&stdout(&out));
    let new_secret = env["AWS_SECRET_ACCESS_KEY"].clone();
    assert_ne!(new_secret, old_secret, "rotate stored a new key");
    world.secret(&new_secret);
    world.secret(&env["AWS_ACCESS_KEY_ID"]);

    world.run_vault("list", &["list"]);

    // Failing flows, each with --debug: their error output is in the logs the scan reads.
    let failing: [(&str, &[&str]); 5] = [
        // credential_process output that is not JSON (it holds a secret) and one that fails
        ("broken-process", &["exec", "broken", "--", "true"]),
        ("failing-process", &["export", "failing"]),
        // an STS endpoint where nothing listens: the signed request is never shown
        ("sts-unreachable", &["exec", "admin", "--", "true"]),
        // IAM refuses to rotate a key it does not know
        ("rotate-unknown", &["rotate", "will"]),
        ("no-such-profile", &["exec", "nobody", "--", "true"]),
    ];
    for (what, args) in failing {
        let mut cmd = world.vault(args);
        if what == "sts-unreachable" {
            cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
        }
        world.run_failing(what, &mut cmd);
    }
    // A wrong passphrase, after `vault lock`: refused, and named nowhere.
    world.run_vault("lock-before-wrong", &["lock"]);
    let wrong = format!("WrongPassphrase{tag}zz");
    world.secret(&wrong);
    let mut cmd = world.vault(&["exec", "will", "--", "true"]);
    cmd.env("VAULT_FILE_PASSPHRASE", &wrong);
    world.run_failing("wrong-passphrase", &mut cmd);
    world.run_vault("exec-unlock-again", &["exec", "will", "--", "true"]);

    // Ctrl-\ (SIGQUIT) while vault holds the long-term key and the store key (its mfa_process
    // sends it): vault dies of it and writes no core, though the limit allows one.
    let mut cmd = world.vault(&["exec", "quits", "--", "true"]);
    let out = run_bounded(&mut cmd, LIMIT);
    assert_eq!(out.status.signal(), Some(libc::SIGQUIT), "{:?}", out.status);

    // The file store's key, remembered in the kernel keyring: in no file, raw or encoded.
    let keys = remembered_store_keys();
    assert!(
        !keys.is_empty(),
        "the file store's unlock was not remembered"
    );

    // Canaries: a secret in plain text (in each form it may take) and a remembered key (raw,
    // hex, base64) planted deep in every folder vault may write to. The scan must find each.
    let canary = format!("AtRestCanary/{tag}+zz");
    world.secret(&canary);
    let roots = [
        world.sb.home(),
        world.sb.home().join(".cache"),
        world.sb.home().join(".local/share"),
        world.sb.home().join(".config"),
        world.tmpdir(),
    ];
    let key = &keys[0];
    let key_forms: [Vec<u8>; 3] = [
        key.clone(),
        hex::encode(key).into_bytes(),
        base64::engine::general_purpose::STANDARD
            .encode(key)
            .into_bytes(),
    ];
    let mut planted = BTreeSet::new();
    for (i, root) in roots.iter().enumerate() {
        let dir = root.join(format!("canary-{i}/deeper"));
        std::fs::create_dir_all(&dir).unwrap();
        let secret_forms = forms(&canary);
        let text = dir.join("secret.txt");
        let form = &secret_forms[i % secret_forms.len()];
        std::fs::write(&text, format!("padding {form} padding")).unwrap();
        let raw = dir.join("key.bin");
        std::fs::write(&raw, &key_forms[i % key_forms.len()]).unwrap();
        planted.insert(("canary".to_string(), text));
        planted.insert(("canary key".to_string(), raw));
    }
    assert_eq!(forms(&canary).len(), 3, "plain, percent- and JSON-escaped");

    // The scan: every file in the sandbox (HOME, XDG folders, TMPDIR, the working folder, logs).
    let store = world.sb.home().join(".local/share/vault/keys");
    let mut files = vec![];
    walk(world.sb.dir.path(), &mut files);
    let cores: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("core"))
        })
        .collect();
    assert!(cores.is_empty(), "core files: {cores:?}");
    let store_files: Vec<&PathBuf> = files.iter().filter(|f| f.starts_with(&store)).collect();
    assert!(
        store_files.len() >= 3,
        "the file store holds the keys and sessions: {store_files:?}"
    );
    let logs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.starts_with(world.sb.path("logs")))
        .collect();
    assert!(logs.len() > 20, "every command's stderr was kept");
    let all_logs: String = logs
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(
        all_logs.contains("vault[debug]: "),
        "--debug said something"
    );
    assert!(world.secrets.len() >= 11, "{} secrets", world.secrets.len());
    // (what, file): a secret named by number only, as test output must not carry it.
    let mut hits = BTreeSet::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for (i, secret) in world.secrets.iter().enumerate() {
            if forms(secret).iter().any(|f| contains(&bytes, f)) {
                let what = if *secret == canary {
                    "canary".to_string()
                } else {
                    format!("secret #{i}")
                };
                hits.insert((what, file.clone()));
            }
        }
    }
    for (i, key) in keys.iter().enumerate() {
        let encoded = [
            hex::encode(key),
            base64::engine::general_purpose::STANDARD.encode(key),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key),
        ];
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            let raw = bytes.windows(key.len()).any(|w| w == key.as_slice());
            if raw || encoded.iter().any(|e| contains(&bytes, e)) {
                let what = if i == 0 && planted.iter().any(|(_, p)| p == file) {
                    "canary key".to_string()
                } else {
                    format!("remembered store key #{i}")
                };
                hits.insert((what, file.clone()));
            }
        }
    }
    world.run_vault("lock", &["lock"]);
    let found: BTreeSet<_> = hits.intersection(&planted).cloned().collect();
    assert_eq!(
        found.len(),
        planted.len(),
        "the scan missed planted canaries: {:?}",
        planted.difference(&found).collect::<Vec<_>>()
    );
    let real: Vec<String> = hits
        .difference(&planted)
        .map(|(what, file)| format!("{what} in {}", file.display()))
        .collect();
    assert!(
        real.is_empty(),
        "plain-text secrets at rest:\n{}",
        real.join("\n")
    );
}
