//! Turn [`EnvChanges`] into text a shell evaluates (or, for nushell, data it loads).

use super::{EnvChanges, Shell, quote};
use crate::activate::watch::Watch;

/// Statements that apply `changes` in `shell`. Unsets come first so a variable that is both
/// unset and set (never produced today) ends up set.
pub fn statements(shell: Shell, changes: &EnvChanges) -> String {
    let mut out = String::new();
    match shell {
        Shell::Bash | Shell::Zsh => {
            for name in &changes.unset {
                out.push_str(&format!("unset {name};\n"));
            }
            for (name, value) in &changes.set {
                out.push_str(&format!("export {name}={};\n", quote::posix(value)));
            }
        }
        Shell::Fish => {
            for name in &changes.unset {
                out.push_str(&format!("set -e {name};\n"));
            }
            for (name, value) in &changes.set {
                out.push_str(&format!("set -gx {name} {};\n", quote::fish(value)));
            }
        }
        Shell::Pwsh => {
            for name in &changes.unset {
                out.push_str(&format!("Remove-Item -ErrorAction Ignore Env:{name}\n"));
            }
            for (name, value) in &changes.set {
                out.push_str(&format!("$env:{name} = {}\n", quote::pwsh(value)));
            }
        }
        Shell::Nu => {
            // nushell cannot eval text; it loads a record: `load-env (vault export ... | from json)`.
            out = serde_json::to_string(&json_record(&changes.set))
                .expect("a map of strings serialises");
            out.push('\n');
        }
    }
    out
}

/// What `hook-env` (and `use`, `unuse`, `reload`) print: environment changes, then the watch
/// record as shell-local variables (nushell: one JSON object with `set`, `unset`, `watch`).
///
/// The record's variables, for every shell (see activate/watch.rs):
/// - `__vault_w_pwd`: the `$PWD` decided for; `__vault_w_next`: Unix time of the next check;
/// - `__vault_w`: a flat list `path1 observation1 path2 observation2 ...`;
/// - `__vault_p_profile`, `__vault_p_expires`: the prompt segment's profile and expiry (Unix
///   seconds, '' for long-term keys), '' when nothing is active.
pub fn hook_statements(shell: Shell, changes: &EnvChanges, watch: Option<&Watch>) -> Vec<u8> {
    if shell == Shell::Nu {
        let mut out =
            serde_json::json!({ "set": json_record(&changes.set), "unset": changes.unset });
        if let Some(watch) = watch {
            out["watch"] = nu_watch(watch);
        }
        return format!("{out}\n").into_bytes();
    }
    let mut out = statements(shell, changes).into_bytes();
    let Some(watch) = watch else {
        return out;
    };
    let (profile, expires) = prompt_fields(watch);
    let scalars = [
        ("__vault_w_pwd", watch.pwd.as_encoded_bytes().to_vec()),
        ("__vault_w_next", watch.next.to_string().into_bytes()),
        ("__vault_p_profile", profile.into_bytes()),
        ("__vault_p_expires", expires.into_bytes()),
    ];
    let list: Vec<&[u8]> = watch
        .paths
        .iter()
        .flat_map(|(path, seen)| [path.as_os_str().as_encoded_bytes(), seen.as_slice()])
        .collect();
    match shell {
        Shell::Bash | Shell::Zsh | Shell::Fish => {
            let syntax = if shell == Shell::Fish { FISH } else { POSIX };
            for (name, value) in scalars {
                out.extend_from_slice(format!("{}{name}{}", syntax.set, syntax.to).as_bytes());
                out.extend((syntax.quote)(&value));
                out.extend_from_slice(b";\n");
            }
            out.extend_from_slice(syntax.list_open.as_bytes());
            for item in &list {
                out.push(b' ');
                out.extend((syntax.quote)(item));
            }
            out.extend_from_slice(syntax.list_close.as_bytes());
        }
        Shell::Pwsh => {
            // .NET strings hold only Unicode. A `$PWD` that is not UTF-8 would arrive mangled
            // and might equal another folder's name, so it is sent as '' (ask again); a path
            // that is not UTF-8 is observed as `?` (watch/pwsh.rs), which never matches.
            for (name, value) in scalars {
                let value = String::from_utf8(value).unwrap_or_default();
                out.extend_from_slice(
                    format!("$global:{name} = {}\n", quote::pwsh(&value)).as_bytes(),
                );
            }
            let items: Vec<String> = list
                .iter()
                .map(|item| quote::pwsh(&String::from_utf8_lossy(item)))
                .collect();
            out.extend_from_slice(
                format!("$global:__vault_w = @({})\n", items.join(", ")).as_bytes(),
            );
        }
        Shell::Nu => unreachable!("handled above"),
    }
    out
}

/// How bash and zsh, or fish, write the record's assignments: `name='v';`, `name=( 'a' 'b' );`
/// or `set -g name 'v';`, `set -g name 'a' 'b';`.
struct Syntax {
    set: &'static str,
    to: &'static str,
    list_open: &'static str,
    list_close: &'static str,
    quote: fn(&[u8]) -> Vec<u8>,
}

const POSIX: Syntax = Syntax {
    set: "",
    to: "=",
    list_open: "__vault_w=(",
    list_close: " );\n",
    quote: quote::posix_bytes,
};

const FISH: Syntax = Syntax {
    set: "set -g ",
    to: " ",
    list_open: "set -g __vault_w",
    list_close: ";\n",
    quote: quote::fish_bytes,
};

fn prompt_fields(watch: &Watch) -> (String, String) {
    match &watch.prompt {
        Some(p) => (
            p.profile.clone(),
            p.expires.map(|e| e.to_string()).unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    }
}

/// nushell's watch: `{pwd, dir, next, paths: [[path, observation]...], profile, expires}`.
///
/// `dir` is the folder this process runs in, symlinks resolved. nushell starts every command
/// in the folder `$env.PWD` names at that moment, so the glue's counterpart of bash's
/// `[[ $PWD -ef . ]]` is `($env.PWD | path expand) == dir`: the same `$PWD` still names the
/// folder the decision was made in (a renamed folder with a symlink in its place does not).
/// '' (no working directory) never matches.
fn nu_watch(watch: &Watch) -> serde_json::Value {
    let dir = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    nu_watch_in(watch, &dir)
}

fn nu_watch_in(watch: &Watch, dir: &str) -> serde_json::Value {
    let (profile, expires) = prompt_fields(watch);
    let paths: Vec<serde_json::Value> = watch
        .paths
        .iter()
        .map(|(path, seen)| {
            serde_json::json!([
                path.display().to_string(),
                String::from_utf8_lossy(seen).into_owned()
            ])
        })
        .collect();
    serde_json::json!({
        "pwd": watch.pwd.to_string_lossy(),
        "dir": dir,
        "next": watch.next,
        "paths": paths,
        "profile": profile,
        "expires": expires,
    })
}

/// `{"NAME": "value", ...}`: what nushell loads with `load-env`.
fn json_record(pairs: &[(String, String)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EnvChanges {
        EnvChanges {
            set: vec![("AWS_VAULT".into(), "o'neil".into())],
            unset: vec!["AWS_PROFILE".into()],
        }
    }

    #[test]
    fn bash_unsets_then_exports_quoted() {
        assert_eq!(
            statements(Shell::Bash, &sample()),
            "unset AWS_PROFILE;\nexport AWS_VAULT='o'\\''neil';\n"
        );
    }

    #[test]
    fn fish_uses_set_gx() {
        assert_eq!(
            statements(Shell::Fish, &sample()),
            "set -e AWS_PROFILE;\nset -gx AWS_VAULT 'o\\'neil';\n"
        );
    }

    #[test]
    fn pwsh_uses_env_drive() {
        assert_eq!(
            statements(Shell::Pwsh, &sample()),
            "Remove-Item -ErrorAction Ignore Env:AWS_PROFILE\n$env:AWS_VAULT = 'o''neil'\n"
        );
    }

    #[test]
    #[cfg(unix)]
    fn pwsh_watch_record() {
        use crate::activate::watch::PromptInfo;
        use std::os::unix::ffi::OsStringExt;
        let mut watch = Watch {
            pwd: "/p it's".into(),
            next: 42,
            paths: vec![("/p it's/.awsvault".into(), b"f1:ab".to_vec())],
            prompt: Some(PromptInfo {
                profile: "dev".into(),
                expires: None,
            }),
        };
        let out = hook_statements(Shell::Pwsh, &EnvChanges::default(), Some(&watch));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "$global:__vault_w_pwd = '/p it''s'\n$global:__vault_w_next = '42'\n\
             $global:__vault_p_profile = 'dev'\n$global:__vault_p_expires = ''\n\
             $global:__vault_w = @('/p it''s/.awsvault', 'f1:ab')\n"
        );
        // .NET could only hold a mangled copy of a $PWD that is not UTF-8: ask again instead.
        watch.pwd = std::ffi::OsString::from_vec(b"/\xff".to_vec());
        let out = hook_statements(Shell::Pwsh, &EnvChanges::default(), Some(&watch));
        assert!(
            String::from_utf8(out)
                .unwrap()
                .starts_with("$global:__vault_w_pwd = ''\n")
        );
    }

    #[test]
    fn nu_watch_is_one_record() {
        let watch = Watch {
            pwd: "/p".into(),
            next: 42,
            paths: vec![("/p/.awsvault".into(), b"f3:7".to_vec())],
            prompt: Some(crate::activate::watch::PromptInfo {
                profile: "will".into(),
                expires: Some(99),
            }),
        };
        assert_eq!(
            nu_watch_in(&watch, "/real/p"),
            serde_json::json!({"pwd": "/p", "dir": "/real/p", "next": 42,
                "paths": [["/p/.awsvault", "f3:7"]], "profile": "will", "expires": "99"})
        );
    }

    #[test]
    fn nu_is_a_json_record_of_what_to_set() {
        assert_eq!(
            statements(Shell::Nu, &sample()),
            "{\"AWS_VAULT\":\"o'neil\"}\n"
        );
    }
}
