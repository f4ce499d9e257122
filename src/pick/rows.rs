//! What each picker row says about a profile: its account, how it signs in (a role, an SSO
//! permission set, a process, or an IAM user's stored keys) and its region. From the config
//! file only: no store, no network, so the picker opens at once.

use crate::profile::{ConfigFile, ProfileSettings};

/// One profile as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    /// Account, sign-in and region, in columns (see [`layout`]); blank where the config says
    /// nothing.
    pub account: String,
    pub kind: String,
    pub region: String,
}

/// Every profile of `config`, in `recent` order first (names no longer in the config skipped),
/// then the config's own order (`default`, then alphabetical).
pub fn rows(config: &ConfigFile, recent: &[String]) -> Vec<Row> {
    let names = config.profile_names();
    let mut ordered: Vec<&str> = recent
        .iter()
        .map(String::as_str)
        .filter(|r| names.contains(r))
        .collect();
    let rest: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !ordered.contains(n))
        .collect();
    ordered.extend(rest);
    ordered
        .into_iter()
        .map(|name| match config.settings(name) {
            Ok(settings) => describe(name, &settings),
            // A broken profile is still listed: choosing it shows the error in full.
            Err(_) => Row {
                name: name.into(),
                account: String::new(),
                kind: "(cannot be read)".into(),
                region: String::new(),
            },
        })
        .collect()
}

/// A profile's row from its merged settings.
pub fn describe(name: &str, s: &ProfileSettings) -> Row {
    let role = s.role_arn.as_deref().map(arn_parts);
    let account = role
        .as_ref()
        .map(|(account, _)| account.clone())
        .or_else(|| s.sso_account_id.clone())
        .unwrap_or_default();
    let kind = if let Some((_, role)) = role {
        if s.web_identity_token_file.is_some() || s.web_identity_token_process.is_some() {
            format!("web identity {role}")
        } else {
            format!("role {role}")
        }
    } else if let Some(role) = s.sso_role_name.as_deref() {
        format!("sso {role}")
    } else if s.credential_process.is_some() {
        "credential_process".into()
    } else {
        "user".into()
    };
    Row {
        name: name.into(),
        account,
        kind,
        region: s.region.clone().unwrap_or_default(),
    }
}

/// `arn:aws:iam::123456789012:role/path/Admin` as the account and the role's name (`Admin`);
/// anything else as it is, with no account.
fn arn_parts(arn: &str) -> (String, String) {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, _, _, _, account, resource] => {
            let role = resource.rsplit('/').next().unwrap_or(resource);
            (account.to_string(), role.to_string())
        }
        _ => (String::new(), arn.to_string()),
    }
}

/// The rows as aligned text lines, each column as wide as its widest entry (a name column at
/// most 40 wide: longer names push their own line only). Control characters are escaped: a
/// config value can never move the cursor.
pub fn layout(rows: &[Row]) -> Vec<String> {
    use console::measure_text_width as width;
    let esc = |t: &str| crate::term::escape(t).into_owned();
    let name_w = rows
        .iter()
        .map(|r| width(&esc(&r.name)))
        .max()
        .unwrap_or(0)
        .min(40);
    let account_w = rows
        .iter()
        .map(|r| width(&esc(&r.account)))
        .max()
        .unwrap_or(0);
    let kind_w = rows.iter().map(|r| width(&esc(&r.kind))).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            let line = format!(
                "{}  {}  {}  {}",
                console::pad_str(&esc(&r.name), name_w, console::Alignment::Left, None),
                console::pad_str(&esc(&r.account), account_w, console::Alignment::Left, None),
                console::pad_str(&esc(&r.kind), kind_w, console::Alignment::Left, None),
                esc(&r.region)
            );
            line.trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = "\
[default]
region = eu-west-1

[profile prod-admin]
role_arn = arn:aws:iam::123456789012:role/ops/Admin
source_profile = default

[profile sso-dev]
sso_account_id = 210987654321
sso_role_name = PowerUser
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
region = us-east-2

[profile tool]
credential_process = helper
";

    fn config() -> ConfigFile {
        ConfigFile::parse(Path::new("config"), CONFIG).unwrap()
    }

    #[test]
    fn each_row_says_account_sign_in_and_region() {
        let rows = rows(&config(), &[]);
        let by = |n: &str| rows.iter().find(|r| r.name == n).unwrap().clone();
        assert_eq!(rows[0].name, "default");
        assert_eq!(
            by("prod-admin"),
            Row {
                name: "prod-admin".into(),
                account: "123456789012".into(),
                kind: "role Admin".into(),
                region: "eu-west-1".into(),
            }
        );
        let sso = by("sso-dev");
        assert_eq!(
            (sso.account.as_str(), sso.kind.as_str(), sso.region.as_str()),
            ("210987654321", "sso PowerUser", "us-east-2")
        );
        assert_eq!(by("tool").kind, "credential_process");
        assert_eq!(by("default").kind, "user");
    }

    #[test]
    fn recent_profiles_come_first_and_gone_ones_are_skipped() {
        let recent = vec!["tool".to_string(), "gone".into(), "prod-admin".into()];
        let names: Vec<String> = rows(&config(), &recent)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["tool", "prod-admin", "default", "sso-dev"]);
    }

    #[test]
    fn columns_line_up() {
        let lines = layout(&rows(&config(), &[]));
        // Every region here is 9 characters: aligned columns make equal lines.
        assert!(
            lines.windows(2).all(|w| w[0].len() == w[1].len()),
            "{lines:#?}"
        );
        assert!(lines[1].starts_with("prod-admin  123456789012  role Admin  "));
    }
}
