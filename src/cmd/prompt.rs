//! `vault prompt`: a short segment such as `will 42m`, or nothing when nothing is active.
//! Reads only the environment: no config, store or network.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::PromptArgs;

pub fn run(args: PromptArgs) -> Result<ExitCode> {
    let text = segment(&args.format, crate::activate::session::now());
    if !text.is_empty() {
        crate::show!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}

fn segment(format: &str, now: i64) -> String {
    let state = crate::activate::session::read_state();
    // The hook's state first; else what `vault exec` or aws-vault put in the environment (the
    // shell's state, not settings).
    let (profile, region, expires) = match &state.active {
        Some(a) => (
            Some(a.profile.clone()),
            a.region.clone().or_else(env_region),
            a.expires,
        ),
        None => (
            crate::settings::var("AWS_VAULT"),
            env_region(),
            crate::settings::var("AWS_CREDENTIAL_EXPIRATION")
                .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e).ok())
                .map(|e| e.timestamp()),
        ),
    };
    let Some(profile) = profile else {
        return String::new();
    };
    render(
        format,
        &profile,
        region.as_deref(),
        expires.map(|e| e - now),
    )
}

fn env_region() -> Option<String> {
    crate::settings::var("AWS_REGION").or_else(|| crate::settings::var("AWS_DEFAULT_REGION"))
}

/// Fill `{profile}`, `{region}` and `{remaining}` (`42m`, `expired`, empty for long-term keys).
pub fn render(format: &str, profile: &str, region: Option<&str>, left: Option<i64>) -> String {
    let remaining = match left {
        Some(s) if s > 0 => crate::duration_text::human(s),
        Some(_) => "expired".into(),
        None => String::new(),
    };
    format
        .replace("{profile}", profile)
        .replace("{region}", region.unwrap_or(""))
        .replace("{remaining}", &remaining)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert_eq!(
            render("{profile} {remaining}", "will", None, Some(42 * 60 + 5)),
            "will 42m"
        );
        assert_eq!(
            render("{profile} {remaining}", "will", None, Some(-1)),
            "will expired"
        );
        assert_eq!(render("{profile} {remaining}", "will", None, None), "will");
        assert_eq!(
            render("[{profile}@{region}]", "w", Some("eu-west-1"), None),
            "[w@eu-west-1]"
        );
    }
}
