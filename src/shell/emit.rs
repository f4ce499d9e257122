//! Turn [`EnvChanges`] into text a shell evaluates (or, for nushell, data it loads).

use super::{EnvChanges, Shell, quote};

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
    fn nu_is_a_json_record_of_what_to_set() {
        assert_eq!(
            statements(Shell::Nu, &sample()),
            "{\"AWS_VAULT\":\"o'neil\"}\n"
        );
    }
}

/// What the bash, zsh, PowerShell and nushell glue compare at each prompt to decide, without
/// starting a process, that nothing changed: the nearest `.awsvault` and its bytes, the trust
/// records that judge it, and when the clock next matters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    /// The nearest `.awsvault` as found from $PWD ('' when none).
    pub file: String,
    /// Its content ('' when unreadable).
    pub body: String,
    /// The allow record, and the content it must have for the file to be allowed.
    pub allow_path: String,
    pub allow_hash: String,
    /// The deny record.
    pub deny_path: String,
    /// Unix time when renewal or a retry is due.
    pub next: i64,
}

impl Watch {
    fn fields(&self) -> [(&'static str, String); 6] {
        [
            ("__vault_w_file", self.file.clone()),
            ("__vault_w_body", self.body.clone()),
            ("__vault_w_allow", self.allow_path.clone()),
            ("__vault_w_hash", self.allow_hash.clone()),
            ("__vault_w_deny", self.deny_path.clone()),
            ("__vault_w_next", self.next.to_string()),
        ]
    }
}

/// `{"NAME": "value", ...}`: what nushell loads with `load-env`.
fn json_record(pairs: &[(String, String)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect()
}

/// What `hook-env` (and `use`, `unuse`, `reload`) print: environment changes, then the watch
/// values as shell-local variables (nushell: one JSON object with `set`, `unset`, `watch`).
pub fn hook_statements(shell: Shell, changes: &EnvChanges, watch: Option<&Watch>) -> String {
    if shell == Shell::Nu {
        let mut out =
            serde_json::json!({ "set": json_record(&changes.set), "unset": changes.unset });
        if let Some(watch) = watch {
            let fields: serde_json::Map<String, serde_json::Value> = watch
                .fields()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.into()))
                .collect();
            out["watch"] = fields.into();
        }
        return format!("{out}\n");
    }
    let mut out = statements(shell, changes);
    for (name, value) in watch.map(Watch::fields).into_iter().flatten() {
        out.push_str(&match shell {
            Shell::Bash | Shell::Zsh => format!("{name}={};\n", quote::posix(&value)),
            Shell::Fish => format!("set -g {name} {};\n", quote::fish(&value)),
            Shell::Pwsh => format!("$global:{name} = {}\n", quote::pwsh(&value)),
            Shell::Nu => unreachable!("handled above"),
        });
    }
    out
}
