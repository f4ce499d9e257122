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
                out.push_str(&format!(
                    "Remove-Item -ErrorAction SilentlyContinue Env:{name}\n"
                ));
            }
            for (name, value) in &changes.set {
                out.push_str(&format!("$env:{name} = {}\n", quote::pwsh(value)));
            }
        }
        Shell::Nu => {
            // nushell cannot eval text; it loads a record: `load-env (vault export ... | from json)`.
            let record: serde_json::Map<String, serde_json::Value> = changes
                .set
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            out = serde_json::to_string(&record).expect("a map of strings serialises");
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
            "Remove-Item -ErrorAction SilentlyContinue Env:AWS_PROFILE\n$env:AWS_VAULT = 'o''neil'\n"
        );
    }

    #[test]
    fn nu_is_a_json_record_of_what_to_set() {
        assert_eq!(statements(Shell::Nu, &sample()), "{\"AWS_VAULT\":\"o'neil\"}\n");
    }
}
