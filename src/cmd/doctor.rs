//! `vault doctor`: one line per check of the set-up, ✔ or ✗, the fix after a ✗; exit 1 when a
//! check fails. It reads no secret: the store is asked whether an item exists, never for one.
//!
//! What only the shell knows (the glue's variables are not exported) comes from the glue's
//! `vault` function, which runs `doctor` with `__VAULT_DOCTOR_*` set for that one process:
//! the shell, the binary it embeds, the watch record's next check, and the hook that runs
//! first at a prompt. Without them, the hook is not loaded in this shell (or the glue's
//! function was bypassed).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use crate::cli::DoctorArgs;
use crate::store::Backend;

/// The longest the clock check waits for STS: offline is a ✗, never a hang.
#[cfg_attr(not(feature = "https"), allow(dead_code))] // only the HTTPS build reaches STS
const CLOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// STS refuses a signature more than five minutes from its clock.
#[cfg_attr(not(feature = "https"), allow(dead_code))] // only the HTTPS build reaches STS
const MAX_SKEW_SECS: i64 = 300;

/// One check's result.
struct Check {
    name: &'static str,
    outcome: Result<String, Failure>,
}

struct Failure {
    what: String,
    fix: String,
}

fn ok(name: &'static str, what: impl Into<String>) -> Check {
    Check {
        name,
        outcome: Ok(what.into()),
    }
}

fn fail(name: &'static str, what: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name,
        outcome: Err(Failure {
            what: what.into(),
            fix: fix.into(),
        }),
    }
}

/// What the glue's `vault` function tells about the shell it runs in.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Glue {
    pub shell: String,
    pub bin: String,
    /// `__vault_w_next`: empty when the prompt hook has not run yet in this shell.
    pub watch_next: String,
    /// bash: `${PROMPT_COMMAND[0]}`; zsh: `${precmd_functions[1]}`; other shells: empty.
    pub first_hook: String,
}

impl Glue {
    /// The `__VAULT_DOCTOR_*` variables (not settings: the calling shell's state).
    fn from_env() -> Option<Glue> {
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        let shell = var("__VAULT_DOCTOR_SHELL");
        (!shell.is_empty()).then(|| Glue {
            shell,
            bin: var("__VAULT_DOCTOR_BIN"),
            watch_next: var("__VAULT_DOCTOR_WATCH"),
            first_hook: var("__VAULT_DOCTOR_FIRST"),
        })
    }
}

pub fn run(backend: Option<Backend>, args: DoctorArgs) -> Result<ExitCode> {
    let ascii = args.ascii || !utf8_locale();
    let glue = Glue::from_env();
    let mut checks = vec![store(backend)];
    checks.extend(config());
    checks.push(hook(glue.as_ref()));
    if let Some(glue) = &glue {
        checks.push(binary(glue));
    }
    checks.push(clock());
    checks.push(aws_profile());

    let (yes, no, dash) = if ascii {
        ("ok", "FAIL", "--")
    } else {
        ("✔", "✗", "—")
    };
    let mut failed = 0;
    for check in &checks {
        match &check.outcome {
            Ok(what) => crate::show!("{yes} {}: {what}", check.name),
            Err(f) => {
                failed += 1;
                crate::show!("{no} {}: {} {dash} fix: {}", check.name, f.what, f.fix);
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Whether the terminal's locale is UTF-8 (LC_ALL, else LC_CTYPE, else LANG, as setlocale
/// decides): the locale is the platform's, read where used.
fn utf8_locale() -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| crate::settings::var(name))
        .unwrap_or_default()
        .to_ascii_lowercase();
    locale.contains("utf-8") || locale.contains("utf8")
}

fn store(backend: Option<Backend>) -> Check {
    let opened = crate::store::open_selected(backend);
    let store = match opened {
        Ok(store) => store,
        Err(e) => {
            return fail(
                "store",
                format!("{e:#}"),
                "choose a store that works here with --backend or VAULT_BACKEND (file works everywhere)",
            );
        }
    };
    // An existence check reads and decrypts nothing (the file store asks no passphrase).
    match store.has(&crate::creds::items::keys_item("vault-doctor-probe")) {
        Ok(_) => ok("store", format!("{} is reachable", store.describe())),
        Err(e) => fail(
            "store",
            format!("{} does not answer: {e}", store.describe()),
            "unlock or start it, or choose another with --backend or VAULT_BACKEND",
        ),
    }
}

fn config() -> Vec<Check> {
    let mut checks = vec![];
    let settings = crate::settings::get();
    if let Some(problem) = settings.problems.first() {
        checks.push(fail(
            "settings",
            problem.clone(),
            "correct or unset that variable",
        ));
    }
    let path = match crate::profile::config_path() {
        Ok(path) => path,
        Err(e) => {
            checks.push(fail(
                "config",
                format!("{e:#}"),
                "set HOME or AWS_CONFIG_FILE",
            ));
            return checks;
        }
    };
    if !path.exists() {
        checks.push(fail(
            "config",
            format!("{} does not exist", path.display()),
            "`vault add NAME` creates it with a profile (or set AWS_CONFIG_FILE)",
        ));
        return checks;
    }
    checks.push(match crate::profile::ConfigFile::load(&path) {
        Ok(config) => ok(
            "config",
            format!(
                "{} parses ({} profile(s))",
                path.display(),
                config.profiles.len()
            ),
        ),
        Err(e) => fail(
            "config",
            format!("{e:#}"),
            format!("correct that line of {}", path.display()),
        ),
    });
    checks
}

/// The shell the user runs, for set-up advice: the glue's, else $SHELL's name.
fn shell_name(glue: Option<&Glue>) -> String {
    if let Some(glue) = glue {
        return glue.shell.clone();
    }
    crate::settings::get()
        .shell
        .as_deref()
        .and_then(|s| Path::new(s).file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bash".to_string())
}

/// The line that loads the glue in `shell`.
fn load_command(shell: &str) -> &'static str {
    match shell {
        "zsh" => r#"eval "$(vault hook zsh)""#,
        "fish" => "vault hook fish | source",
        "nu" => "vault hook nu | save -f ($nu.data-dir | path join vendor autoload vault.nu)",
        "pwsh" | "powershell" => "Invoke-Expression (& vault hook pwsh | Out-String)",
        _ => r#"eval "$(vault hook bash)""#,
    }
}

/// Where the glue is loaded from, as advice.
fn setup_line(shell: &str) -> String {
    let file = match shell {
        "zsh" => "~/.zshrc",
        "fish" => "~/.config/fish/config.fish",
        "nu" => return format!("run `{}` once", load_command(shell)),
        "pwsh" | "powershell" => "$PROFILE",
        _ => "~/.bashrc",
    };
    format!("add `{}` to {file}", load_command(shell))
}

/// The hook check, from what the glue told (pure, for the unit tests).
fn hook(glue: Option<&Glue>) -> Check {
    let Some(glue) = glue else {
        let shell = shell_name(None);
        return fail(
            "shell hook",
            "not loaded in this shell (or vault ran without the glue's `vault` function)",
            format!("{}, then open a new shell", setup_line(&shell)),
        );
    };
    let first = first_command(&glue.first_hook);
    let registered_first = match glue.shell.as_str() {
        "bash" | "zsh" => Some(first == "__vault_hook"),
        _ => None,
    };
    let list = match glue.shell.as_str() {
        "zsh" => "precmd_functions",
        "bash" => "PROMPT_COMMAND",
        "fish" => "the fish_prompt event handlers",
        "nu" | "nushell" => "$env.config.hooks.pre_prompt",
        _ => "the prompt function",
    };
    if registered_first == Some(false) {
        let what = if first.is_empty() {
            format!("loaded, but vault's hook is not in {list}")
        } else {
            format!(
                "loaded, but `{first}` runs before vault's hook in {list} (it sees the old credentials)"
            )
        };
        return fail(
            "shell hook",
            what,
            format!(
                "load vault's hook after the other prompt tools in your shell's startup file ({})",
                setup_line(&glue.shell)
            ),
        );
    }
    if glue.watch_next.is_empty() {
        return fail(
            "shell hook",
            format!(
                "the {} glue is loaded, but its hook has not run at a prompt yet",
                glue.shell
            ),
            format!(
                "check that nothing replaces {list} after the glue loads, then open a new shell"
            ),
        );
    }
    let first_note = if registered_first == Some(true) {
        format!(", first in {list}")
    } else {
        String::new()
    };
    ok(
        "shell hook",
        format!("loaded in this {} shell{first_note}", glue.shell),
    )
}

/// The first command of a bash PROMPT_COMMAND string (`a;b` or one per line), or the whole.
fn first_command(text: &str) -> &str {
    text.split([';', '\n']).next().unwrap_or("").trim()
}

fn binary(glue: &Glue) -> Check {
    let bin = Path::new(&glue.bin);
    let exists = std::fs::metadata(bin).is_ok_and(|m| m.is_file());
    if exists {
        return ok("vault binary", format!("the glue runs {}", bin.display()));
    }
    fail(
        "vault binary",
        format!("the glue runs {}, which no longer exists", bin.display()),
        format!(
            "open a new shell, or load the glue again: {}",
            load_command(&glue.shell)
        ),
    )
}

/// The STS URL the clock is compared against: the configured endpoint, else the region's.
#[cfg_attr(not(feature = "https"), allow(dead_code))] // only the HTTPS build reaches STS
fn sts_url() -> String {
    let region =
        crate::settings::var("AWS_REGION").or_else(|| crate::settings::var("AWS_DEFAULT_REGION"));
    let endpoint = crate::aws::Endpoint::resolve(crate::aws::Service::Sts, region.as_deref(), None);
    endpoint
        .url
        .unwrap_or_else(|| format!("https://sts.{}.amazonaws.com/", endpoint.region))
}

#[cfg(feature = "https")]
fn clock() -> Check {
    let url = sts_url();
    let runtime = match crate::aws::runtime() {
        Ok(runtime) => runtime,
        Err(e) => return fail("clock", format!("{e:#}"), "report this as a bug"),
    };
    let before = chrono::Utc::now();
    // Unsigned: STS answers with an error and its Date; no credential is sent.
    let answer = runtime.block_on(crate::aws::date_of(&url, CLOCK_TIMEOUT));
    let after = chrono::Utc::now();
    let (_, date) = match answer {
        Ok(answer) => answer,
        Err(e) => {
            return fail(
                "clock",
                format!("cannot reach STS at {url} to compare clocks: {e:#}"),
                "check the network or the proxy (HTTPS_PROXY); the other checks do not need it",
            );
        }
    };
    let Some(date) = date.and_then(|d| chrono::DateTime::parse_from_rfc2822(&d).ok()) else {
        return fail(
            "clock",
            format!("{url} sent no Date to compare with"),
            "point AWS_ENDPOINT_URL_STS at STS itself",
        );
    };
    let local = before + (after - before) / 2;
    let skew = (date.with_timezone(&chrono::Utc) - local).num_seconds();
    judge_skew(skew, &url)
}

#[cfg(not(feature = "https"))]
fn clock() -> Check {
    fail(
        "clock",
        "this build has no HTTPS client to reach STS",
        "build vault with the default features",
    )
}

#[cfg_attr(not(feature = "https"), allow(dead_code))] // only the HTTPS build reaches STS
fn judge_skew(skew: i64, url: &str) -> Check {
    let text = crate::duration_text::human(skew.abs());
    let side = if skew > 0 { "behind" } else { "ahead of" };
    if skew.abs() > MAX_SKEW_SECS {
        fail(
            "clock",
            format!(
                "this machine's clock is {text} {side} STS's ({url}): STS refuses its signatures"
            ),
            "turn on time synchronisation (timedatectl set-ntp true)",
        )
    } else {
        ok(
            "clock",
            format!("within {}s of STS ({url})", skew.abs().max(1)),
        )
    }
}

fn aws_profile() -> Check {
    // The shell's environment, not a setting: which profile the user's tools will pick.
    let Some(profile) = crate::settings::var("AWS_PROFILE") else {
        return ok("AWS_PROFILE", "not set");
    };
    let Ok(config) = crate::profile::load_config() else {
        return ok(
            "AWS_PROFILE",
            format!("'{profile}' (the config does not parse: see above)"),
        );
    };
    if config.has_profile(&profile) {
        ok(
            "AWS_PROFILE",
            format!("'{profile}' is a profile in {}", config.path.display()),
        )
    } else {
        fail(
            "AWS_PROFILE",
            format!("'{profile}' names no profile in {}", config.path.display()),
            format!("unset AWS_PROFILE, or add the profile (vault add {profile})"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glue(shell: &str, first: &str, next: &str) -> Glue {
        Glue {
            shell: shell.into(),
            bin: "/bin/vault".into(),
            watch_next: next.into(),
            first_hook: first.into(),
        }
    }

    fn failed(check: &Check) -> Option<&str> {
        check.outcome.as_ref().err().map(|f| f.what.as_str())
    }

    #[test]
    fn the_hook_must_run_first_and_have_run() {
        assert!(
            failed(&hook(Some(&glue(
                "bash",
                "__vault_hook;starship_precmd",
                "17"
            ))))
            .is_none()
        );
        assert!(failed(&hook(Some(&glue("zsh", "__vault_hook", "17")))).is_none());
        assert!(failed(&hook(Some(&glue("fish", "", "17")))).is_none());
        let other = hook(Some(&glue("bash", "_direnv_hook;__vault_hook", "17")));
        assert!(
            failed(&other)
                .unwrap()
                .contains("`_direnv_hook` runs before")
        );
        let missing = hook(Some(&glue("bash", "", "17")));
        assert!(failed(&missing).unwrap().contains("not in PROMPT_COMMAND"));
        let idle = hook(Some(&glue("fish", "", "")));
        assert!(failed(&idle).unwrap().contains("has not run"));
        assert!(failed(&hook(None)).unwrap().contains("not loaded"));
    }

    #[test]
    fn skew_beyond_five_minutes_fails() {
        assert!(failed(&judge_skew(2, "u")).is_none());
        assert!(failed(&judge_skew(-299, "u")).is_none());
        assert!(failed(&judge_skew(3600, "u")).unwrap().contains("behind"));
        assert!(failed(&judge_skew(-400, "u")).unwrap().contains("ahead of"));
    }
}
