//! The `ykman` driver: the code from a YubiKey's OATH application (`ykman oath accounts code`),
//! as aws-vault runs it. The account is named after the MFA device's ARN (what aws-vault's
//! set-up guide adds with `ykman oath accounts add -t ARN`) unless YKMAN_OATH_CREDENTIAL_NAME
//! says otherwise.

use std::process::Command;

use super::dialog;
use super::prompt::{ANSWER_LIMIT, Failure};
use crate::creds::helper;

/// aws-vault's ykman settings, under aws-vault's names.
#[derive(Debug, Clone, Default)]
pub struct YkmanSettings {
    /// `YKMAN_OATH_CREDENTIAL_NAME`: the OATH account, when it is not the device's ARN.
    pub credential_name: Option<String>,
    /// `YKMAN_OATH_DEVICE_SERIAL`: which YubiKey, when several are inserted.
    pub device_serial: Option<String>,
    /// `AWS_VAULT_YKMAN_VERSION`: ykman's major version; 1-3 have `oath code`, not
    /// `oath accounts code`.
    pub version: Option<String>,
}

impl YkmanSettings {
    pub fn from_vars(text: impl Fn(&str) -> Option<String>) -> YkmanSettings {
        YkmanSettings {
            credential_name: text("YKMAN_OATH_CREDENTIAL_NAME"),
            device_serial: text("YKMAN_OATH_DEVICE_SERIAL"),
            version: text("AWS_VAULT_YKMAN_VERSION"),
        }
    }

    /// ykman's arguments for the code of `serial`.
    fn args(&self, serial: &str) -> Vec<String> {
        let mut args = vec![];
        if let Some(device) = &self.device_serial {
            args.extend(["--device".to_string(), device.clone()]);
        }
        match self.version.as_deref() {
            Some("1" | "2" | "3") => args.extend(["oath", "code"].map(String::from)),
            _ => args.extend(["oath", "accounts", "code"].map(String::from)),
        }
        let account = self.credential_name.as_deref().unwrap_or(serial);
        args.extend(["--single".to_string(), account.to_string()]);
        args
    }
}

pub(super) fn unavailable() -> Option<String> {
    dialog::find("ykman").err()
}

/// ykman prints "Touch your YubiKey..." on its stderr and may ask for the OATH password: both
/// go to the terminal when there is one (vault's own stderr may be captured by the program
/// that runs it), else to vault's stderr. Any failure (no key inserted, no such account) lets
/// the next driver be tried.
pub(super) fn ask(serial: &str) -> Result<String, Failure> {
    let program = dialog::find("ykman").map_err(|e| Failure::Broken(anyhow::anyhow!("{e}")))?;
    let args = crate::settings::get().ykman.args(serial);
    crate::debug!("running ykman {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(&args);
    let stdout =
        helper::run_program_on_terminal(command, ANSWER_LIMIT, "ykman").map_err(Failure::Broken)?;
    Ok(String::from_utf8_lossy(&stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::YkmanSettings;

    #[test]
    fn arguments_follow_aws_vault() {
        let serial = "arn:aws:iam::123456789012:mfa/will";
        assert_eq!(
            YkmanSettings::default().args(serial),
            ["oath", "accounts", "code", "--single", serial]
        );
        let old = YkmanSettings {
            credential_name: Some("aws".into()),
            device_serial: Some("1234".into()),
            version: Some("3".into()),
        };
        assert_eq!(
            old.args(serial),
            ["--device", "1234", "oath", "code", "--single", "aws"]
        );
    }
}
