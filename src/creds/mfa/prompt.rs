//! The MFA prompt drivers `VAULT_PROMPT` (aws-vault's `AWS_VAULT_PROMPT`) names, one or a comma
//! list tried in order: the terminal, a desktop dialog (zenity, kdialog, osascript) or a YubiKey
//! (ykman). A program without a terminal (an IDE calling `credential_process`) then gets a
//! dialog instead of an error.

use std::fmt;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use super::{kdialog, osascript, terminal, ykman, zenity};

/// How long a person has to answer a dialog or touch a key: what `mfa_process` gets too.
pub(super) const ANSWER_LIMIT: Duration = Duration::from_secs(120);

/// What every driver shows (aws-vault's wording).
pub(super) fn message(serial: &str) -> String {
    format!("Enter MFA code for {serial}: ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Terminal,
    Zenity,
    Kdialog,
    Osascript,
    Ykman,
}

const ALL: [Driver; 5] = [
    Driver::Terminal,
    Driver::Zenity,
    Driver::Kdialog,
    Driver::Osascript,
    Driver::Ykman,
];

impl Driver {
    fn name(self) -> &'static str {
        match self {
            Driver::Terminal => "terminal",
            Driver::Zenity => "zenity",
            Driver::Kdialog => "kdialog",
            Driver::Osascript => "osascript",
            Driver::Ykman => "ykman",
        }
    }

    /// Why this driver cannot be used here, if it cannot (no terminal, program not installed).
    fn unavailable(self) -> Option<String> {
        match self {
            Driver::Terminal => terminal::unavailable(),
            Driver::Zenity => zenity::unavailable(),
            Driver::Kdialog => kdialog::unavailable(),
            Driver::Osascript => osascript::unavailable(),
            Driver::Ykman => ykman::unavailable(),
        }
    }

    fn ask(self, serial: &str) -> Result<String, Failure> {
        match self {
            Driver::Terminal => terminal::ask(serial),
            Driver::Zenity => zenity::ask(serial),
            Driver::Kdialog => kdialog::ask(serial),
            Driver::Osascript => osascript::ask(serial),
            Driver::Ykman => ykman::ask(serial),
        }
    }
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a driver that could be used failed to give a code.
#[derive(Debug)]
pub(super) enum Failure {
    /// The person said no (a dialog's Cancel, Ctrl-C, an empty answer): no other driver is
    /// tried, the command ends.
    Cancelled(String),
    /// The driver broke (no YubiKey inserted, a dialog that could not start): the next one in
    /// the list is tried.
    Broken(anyhow::Error),
}

/// The drivers `setting` names, in order; unset means `terminal`.
pub fn parse(setting: Option<&str>) -> Result<Vec<Driver>> {
    let Some(setting) = setting else {
        return Ok(vec![Driver::Terminal]);
    };
    let mut drivers = vec![];
    for name in setting.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let driver = ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<_> = ALL.iter().map(|d| d.name()).collect();
                anyhow!(
                    "VAULT_PROMPT: '{}' is not an MFA prompt driver (one of {}, or a comma list \
                     of them tried in order)",
                    crate::term::escape(name),
                    known.join(", ")
                )
            })?;
        if !drivers.contains(&driver) {
            drivers.push(driver);
        }
    }
    if drivers.is_empty() {
        return Ok(vec![Driver::Terminal]);
    }
    Ok(drivers)
}

/// An MFA code for `serial` from the first of `drivers` that can be used and gives one.
pub fn code(drivers: &[Driver], serial: &str) -> Result<String> {
    let mut why_not = vec![];
    for &driver in drivers {
        if let Some(reason) = driver.unavailable() {
            crate::debug!("MFA prompt {driver} skipped: {reason}");
            why_not.push(format!("{driver}: {reason}"));
            continue;
        }
        crate::debug!("asking for the MFA code for {serial} with {driver}");
        match driver.ask(serial) {
            Ok(code) if code.is_empty() => bail!("no MFA code entered for {serial}"),
            Ok(code) => return Ok(code),
            Err(Failure::Cancelled(how)) => bail!("MFA code for {serial}: {how}"),
            Err(Failure::Broken(err)) => {
                crate::debug!("MFA prompt {driver} failed: {err:#}");
                why_not.push(format!("{driver}: {err:#}"));
            }
        }
    }
    if drivers == [Driver::Terminal] {
        // The default: what to do instead of typing the code.
        bail!(
            "MFA code needed for {serial} (pass --mfa-token or set mfa_process in the profile): {}",
            why_not.join("; ").trim_start_matches("terminal: ")
        );
    }
    let names: Vec<_> = drivers.iter().map(|d| d.name()).collect();
    bail!(
        "no MFA prompt of '{}' could ask for the code for {serial}: {} (add terminal to the \
         list, e.g. VAULT_PROMPT={},terminal, or pass --mfa-token)",
        names.join(","),
        why_not.join("; "),
        names[0]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_in_order_and_unknown_names_refused() {
        assert_eq!(parse(None).unwrap(), [Driver::Terminal]);
        assert_eq!(parse(Some(" , ")).unwrap(), [Driver::Terminal]);
        assert_eq!(
            parse(Some("ykman, Zenity,terminal,ykman")).unwrap(),
            [Driver::Ykman, Driver::Zenity, Driver::Terminal]
        );
        let err = parse(Some("zenity,pass")).unwrap_err().to_string();
        assert!(err.contains("'pass'") && err.contains("kdialog"), "{err}");
    }
}
