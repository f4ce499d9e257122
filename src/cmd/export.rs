//! `vault export PROFILE --format F`: print credentials for a shell or another tool.

use std::process::ExitCode;

use anyhow::{Result, bail};

use crate::cli::{ExportArgs, ExportFormat};
use crate::creds::env::{SHELL_UNSET, changes};
use crate::creds::{Credentials, rfc3339};
use crate::shell::{Shell, emit};
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, mut args: ExportArgs) -> Result<ExitCode> {
    super::exec::refuse_nesting()?;
    let Some(profile) = crate::pick::resolve(args.profile.take(), args.pick, "export PROFILE")?
    else {
        return Ok(crate::pick::cancelled());
    };
    let profile = profile.as_str();
    let fetched = crate::creds::fetch::credentials(store, profile, &args.creds)?;
    let creds = &fetched.credentials;
    let region = fetched.region.as_deref();
    let text = match args.format {
        ExportFormat::Json => credential_process_json(creds),
        ExportFormat::Ini => ini(profile, creds, region)?,
        ExportFormat::Env => env_lines(profile, creds, region)?,
        shell => {
            let shell = match shell {
                ExportFormat::Bash => Shell::Bash,
                ExportFormat::Zsh => Shell::Zsh,
                ExportFormat::Fish => Shell::Fish,
                ExportFormat::Pwsh => Shell::Pwsh,
                _ => Shell::Nu,
            };
            let mut unset: Vec<&str> = SHELL_UNSET.to_vec();
            unset.push("AWS_SESSION_TOKEN");
            unset.push("AWS_CREDENTIAL_EXPIRATION");
            emit::statements(shell, &changes(profile, creds, region, &unset))
        }
    };
    print!("{text}");
    crate::pick::recent::record(profile);
    Ok(ExitCode::SUCCESS)
}

/// The shape `credential_process` must print (Version 1).
fn credential_process_json(creds: &Credentials) -> String {
    let mut value = serde_json::json!({
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
    });
    if let Some(token) = &creds.session_token {
        value["SessionToken"] = token.clone().into();
    }
    if let Some(expiration) = creds.expiration {
        value["Expiration"] = rfc3339(expiration).into();
    }
    format!("{value}\n")
}

/// `KEY=value` lines, unquoted (as aws-vault prints them, and as `docker --env-file` and
/// systemd's `EnvironmentFile` read them: they take the rest of the line literally).
fn env_lines(profile: &str, creds: &Credentials, region: Option<&str>) -> Result<String> {
    let set = changes(profile, creds, region, &[]).set;
    for (name, value) in &set {
        one_line(name, value)?;
    }
    Ok(set.iter().map(|(k, v)| format!("{k}={v}\n")).collect())
}

/// Defence in depth for the unquoted formats: every credential was checked where it came in
/// ([`Credentials::new`]), but the profile name and the region come from elsewhere, and one
/// line break would add a variable or a section of the reader's choosing.
fn one_line(name: &str, value: &str) -> Result<()> {
    if value.chars().any(char::is_control) {
        bail!("cannot export {name}: its value holds a line break or a control character");
    }
    Ok(())
}

/// A section for ~/.aws/credentials.
fn ini(profile: &str, creds: &Credentials, region: Option<&str>) -> Result<String> {
    one_line("the profile name", profile)?;
    if profile.contains(['[', ']']) {
        bail!("cannot export '{profile}' as an ini section: the name holds a bracket");
    }
    one_line("the region", region.unwrap_or_default())?;
    let mut out = format!(
        "[{profile}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        creds.access_key_id, creds.secret_access_key
    );
    if let Some(token) = &creds.session_token {
        out.push_str(&format!("aws_session_token = {token}\n"));
    }
    if let Some(expiration) = creds.expiration {
        out.push_str(&format!(
            "aws_credential_expiration = {}\n",
            rfc3339(expiration)
        ));
    }
    if let Some(region) = region {
        out.push_str(&format!("region = {region}\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::new(
            "the test",
            "ASIAEXAMPLE".into(),
            "se/cr+et=".into(),
            Some("to+k/en=".into()),
            None,
        )
        .unwrap()
    }

    #[test]
    fn env_and_ini_print_one_line_per_value() {
        let env = env_lines("will", &creds(), Some("eu-west-1")).unwrap();
        assert_eq!(
            env,
            "AWS_VAULT=will\nAWS_REGION=eu-west-1\nAWS_DEFAULT_REGION=eu-west-1\n\
             AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=se/cr+et=\nAWS_SESSION_TOKEN=to+k/en=\n"
        );
        let ini = ini("will", &creds(), Some("eu-west-1")).unwrap();
        assert_eq!(
            ini,
            "[will]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = se/cr+et=\n\
             aws_session_token = to+k/en=\nregion = eu-west-1\n"
        );
    }

    #[test]
    fn a_line_break_outside_the_credentials_cannot_add_a_line() {
        let forged = "x\n[profile evil]\ncredential_process = sh";
        for (profile, region) in [(forged, None), ("will", Some(forged)), ("a\rb", None)] {
            let err = env_lines(profile, &creds(), region)
                .unwrap_err()
                .to_string();
            assert!(err.contains("line break") && !err.contains("evil"), "{err}");
            let err = ini(profile, &creds(), region).unwrap_err().to_string();
            assert!(!err.contains("evil"), "{err}");
        }
        let err = ini("a]b", &creds(), None).unwrap_err().to_string();
        assert!(err.contains("bracket"), "{err}");
    }
}
