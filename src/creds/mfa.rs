//! MFA codes, from (in order) `--mfa-token`, the profile's `mfa_process`, or the prompt
//! drivers `VAULT_PROMPT` names (the terminal by default; see `mfa/prompt.rs`).

mod dialog;
mod kdialog;
mod osascript;
pub mod prompt;
mod terminal;
mod ykman;
mod zenity;

pub use ykman::YkmanSettings;

use std::collections::BTreeMap;

use anyhow::{Result, bail};

/// Where MFA codes come from for one command.
#[derive(Clone, Default)]
pub struct MfaSource {
    /// `--mfa-token`: used for the first code asked.
    pub token: Option<String>,
    /// The profile's `mfa_process`, run with `/bin/sh -c`, for a profile not in `by_profile`.
    pub process: Option<String>,
    /// The `mfa_process` of each profile of the chain that has one, its own or else its source's
    /// (aws-vault's rule): the code for a call comes from the profile the call is made for, so
    /// a source's session asks the source's helper, not the target's.
    pub by_profile: BTreeMap<String, String>,
}

/// The code is a credential for a few seconds: show only whether there is one.
impl std::fmt::Debug for MfaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaSource")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("process", &self.process)
            .field("by_profile", &self.by_profile)
            .finish()
    }
}

impl MfaSource {
    /// A code for `serial`, for a call made as `profile`. Only called while holding the lock of
    /// the session it unlocks, so parallel processes ask once.
    pub fn code(&mut self, profile: &str, serial: &str) -> Result<String> {
        if let Some(token) = self.token.take() {
            return Ok(token);
        }
        if let Some(command) = self.by_profile.get(profile).or(self.process.as_ref()) {
            crate::debug!("running mfa_process of '{profile}' for {serial}");
            // A person may be asked (a hardware key to touch), so the limit is generous.
            let stdout = super::helper::run_on_terminal(
                command,
                std::time::Duration::from_secs(120),
                &format!("mfa_process for {serial}"),
            )?;
            let code = String::from_utf8_lossy(&stdout).trim().to_string();
            if code.is_empty() {
                bail!("mfa_process for {serial} printed no code");
            }
            return Ok(code);
        }
        let drivers = prompt::parse(crate::settings::get().mfa_prompt.as_deref())?;
        prompt::code(&drivers, serial)
    }
}

#[cfg(test)]
mod tests {
    use super::MfaSource;

    #[test]
    fn debug_output_hides_the_code() {
        let source = MfaSource {
            token: Some("493817".to_string()),
            process: Some("ykman oath accounts code -s aws".to_string()),
            by_profile: Default::default(),
        };
        let shown = format!("{source:?}");
        assert!(!shown.contains("493817"), "{shown}");
        assert!(
            shown.contains("<redacted>") && shown.contains("ykman"),
            "{shown}"
        );
    }
}
