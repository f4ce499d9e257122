//! `vault login --browser`: browsers by name, one Firefox container or one Chromium-family
//! profile folder per vault profile, the VAULT_LOGIN_BROWSER setting, and commands. Each
//! browser is a stand-in script on PATH that records its arguments in the test's own folder
//! (the sign-in URL is a credential); the federation endpoint is the stand-in of
//! tests/support/federation.rs, credentials come from moto.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::*;

#[path = "support/federation.rs"]
mod federation;

use federation::FakeFederation;

const LIMIT: Duration = Duration::from_secs(60);
/// The sign-in token the stand-in hands out: the secret part of the login URL.
const SIGNIN_TOKEN: &str = "browser-test-signin-token";

struct Setup {
    sb: Sandbox,
    fake: FakeFederation,
    bin: PathBuf,
}

/// A user with keys for `will`, the roles `admin` and `team/admin`, and stand-in browsers
/// named `names` on PATH.
fn setup(names: &[&str]) -> Setup {
    let sb = Sandbox::new();
    sb.write_config(
        "[profile will]\nregion = eu-west-1\n\
         [profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = will\n\
         [profile team/admin]\nrole_arn = arn:aws:iam::123456789012:role/team\nsource_profile = will\n",
    );
    sb.add("will");
    let bin = sb.path("bin");
    for name in names {
        recording_browser(&bin, name, &sb.path(&format!("{name}.args")), 0);
    }
    let fake = FakeFederation::start(
        200,
        &serde_json::json!({ "SigninToken": SIGNIN_TOKEN }).to_string(),
    );
    Setup { sb, fake, bin }
}

/// A browser stand-in at `bin/name` that writes its arguments, one a line, to `record`
/// (complete or not at all: written aside, then renamed), and exits with `code`.
fn recording_browser(bin: &Path, name: &str, record: &Path, code: i32) -> PathBuf {
    let record = record.display();
    sh_script(
        &bin.join(name),
        &format!(
            "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{record}.tmp'\n\
             mv '{record}.tmp' '{record}'\nexit {code}"
        ),
    )
}

impl Setup {
    /// `vault login ARGS` with the stand-ins first on PATH.
    fn login(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let mut full = vec!["login"];
        full.extend_from_slice(args);
        let mut cmd = self.sb.vault(&full);
        let path = format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap());
        cmd.env("PATH", path)
            .env("VAULT_FEDERATION_ENDPOINT", &self.fake.url);
        for (k, v) in env {
            cmd.env(k, v);
        }
        run_bounded(&mut cmd, LIMIT)
    }

    /// The arguments the stand-in `name` was started with. Named browsers are left running
    /// on their own, so the record may come just after vault has exited: wait for it.
    fn args_of(&self, name: &str) -> Vec<String> {
        let record = self.sb.path(&format!("{name}.args"));
        let started = Instant::now();
        while !record.exists() {
            assert!(
                started.elapsed() < LIMIT,
                "{name} was never started ({})",
                record.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let text = std::fs::read_to_string(record).unwrap();
        text.lines().map(str::to_string).collect()
    }

    fn data_home(&self) -> PathBuf {
        self.sb.home().join(".local/share")
    }
}

/// A login URL from the stand-in endpoint, carrying the token.
fn assert_login_url(url: &str, fake: &FakeFederation) {
    assert!(
        url.starts_with(&format!("{}?Action=login&", fake.url)),
        "{url}"
    );
    assert!(
        url.contains(&format!("SigninToken={SIGNIN_TOKEN}")),
        "{url}"
    );
}

/// vault said nothing that would let someone else sign in.
fn assert_no_secret(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains(SIGNIN_TOKEN), "the token on stderr: {err}");
    assert!(!err.contains("Action=login"), "the URL on stderr: {err}");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn firefox_container_opens_each_profile_in_its_own_container() {
    let s = setup(&["firefox"]);
    let out = s.login(&["admin", "--browser", "firefox-container"], &[]);
    assert_success(&out);
    assert_eq!(stdout(&out), "", "the URL went to the browser");
    assert_no_secret(&out);
    assert_eq!(s.fake.requests().len(), 1, "one getSigninToken");
    let args = s.args_of("firefox");
    assert_eq!(args.len(), 1, "{args:?}");
    let link = args[0]
        .strip_prefix("ext+container:")
        .expect("the extension's link");
    assert_eq!(
        link.matches('&').count(),
        1,
        "the URL's own `&`s are encoded"
    );
    let (name, url) = link.split_once('&').unwrap();
    assert_eq!(name, "name=admin");
    let url = percent_decode(url.strip_prefix("url=").unwrap());
    assert_login_url(&url, &s.fake);

    // Another profile, another container; its `/` is encoded, not a separator.
    std::fs::remove_file(s.sb.path("firefox.args")).unwrap();
    let out = s.login(&["team/admin", "--browser", "firefox-container"], &[]);
    assert_success(&out);
    let args = s.args_of("firefox");
    assert!(
        args[0].starts_with("ext+container:name=team%2Fadmin&url=http"),
        "{args:?}"
    );
}

#[test]
fn chrome_profile_gets_a_private_folder_per_profile() {
    let s = setup(&["google-chrome"]);
    let out = s.login(&["admin", "--browser", "chrome-profile"], &[]);
    assert_success(&out);
    assert_no_secret(&out);
    let folder = s.data_home().join("vault/browsers/chrome/admin");
    let args = s.args_of("google-chrome");
    assert_eq!(args.len(), 3, "{args:?}");
    assert_eq!(args[0], format!("--user-data-dir={}", folder.display()));
    assert_eq!(args[1], "--no-first-run");
    assert_login_url(&args[2], &s.fake);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o700,
        "the folder holds the console's cookies"
    );

    std::fs::remove_file(s.sb.path("google-chrome.args")).unwrap();
    let out = s.login(&["team/admin", "--browser", "chrome-profile"], &[]);
    assert_success(&out);
    let folder = s.data_home().join("vault/browsers/chrome/team%2Fadmin");
    assert_eq!(
        s.args_of("google-chrome")[0],
        format!("--user-data-dir={}", folder.display())
    );
    assert!(folder.is_dir());
}

#[test]
fn the_setting_chooses_the_browser_and_the_flag_wins_over_it() {
    let s = setup(&["microsoft-edge", "chromium"]);
    let setting = [("VAULT_LOGIN_BROWSER", "edge-profile")];
    let out = s.login(&["admin"], &setting);
    assert_success(&out);
    let args = s.args_of("microsoft-edge");
    let folder = s.data_home().join("vault/browsers/edge/admin");
    assert_eq!(args[0], format!("--user-data-dir={}", folder.display()));

    // A browser by name without isolation: the URL alone.
    let out = s.login(&["admin", "--browser", "chromium"], &setting);
    assert_success(&out);
    let args = s.args_of("chromium");
    assert_eq!(args.len(), 1, "{args:?}");
    assert_login_url(&args[0], &s.fake);

    // A browser named on the command line wins over AWS_VAULT_STDOUT; --stdout with one is
    // a contradiction.
    std::fs::remove_file(s.sb.path("chromium.args")).unwrap();
    let out = s.login(
        &["admin", "--browser", "chromium"],
        &[("AWS_VAULT_STDOUT", "true")],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), "");
    s.args_of("chromium");
    let out = s.login(&["admin", "--browser", "chromium", "--stdout"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_browser_command_gets_the_url_at_percent_s() {
    let s = setup(&[]);
    let record = s.sb.path("custom.args");
    let script = recording_browser(&s.bin, "my browser", &record, 0);
    let command = format!("'{}' --new-tab=%s --flag", script.display());
    let out = s.login(&["admin", "--browser", &command], &[]);
    assert_success(&out);
    assert_no_secret(&out);
    // A command is waited for, as $BROWSER is: its record is there already.
    let args: Vec<String> = std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(args.len(), 2, "{args:?}");
    assert_login_url(args[0].strip_prefix("--new-tab=").unwrap(), &s.fake);
    assert_eq!(args[1], "--flag");
}

#[test]
fn a_browser_that_fails_or_is_missing_hands_over_the_url_on_stdout_only() {
    let s = setup(&[]);
    let failing = recording_browser(&s.bin, "failing", &s.sb.path("failing.args"), 3);
    let out = s.login(&["admin", "--browser", &failing.display().to_string()], &[]);
    assert_success(&out);
    assert_no_secret(&out);
    let err = stderr(&out);
    assert!(
        err.contains("cannot open a browser (the browser launcher 'failing' failed"),
        "{err}"
    );
    assert_login_url(stdout(&out).trim(), &s.fake);

    // No Brave here: the programs tried are named, and the URL goes to stdout.
    let out = s.login(&["admin", "--browser", "brave-profile"], &[]);
    assert_success(&out);
    assert_no_secret(&out);
    let err = stderr(&out);
    assert!(
        err.contains("no browser launcher could be started (tried brave-browser, brave)"),
        "{err}"
    );
    assert_login_url(stdout(&out).trim(), &s.fake);
}
