//! `.awsvault` files: finding the nearest one above a folder, and reading what it asks for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub const FILE_NAME: &str = ".awsvault";
/// Larger files are refused: a project file is a few lines. One below the shells' read block
/// (watch/posix.rs), so one bounded read in the glue decides "too large" exactly as we do.
pub const MAX_LEN: u64 = super::watch::posix::BLOCK as u64 - 1;

/// What a `.awsvault` asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub profile: String,
    pub region: Option<String>,
    pub duration: Option<Duration>,
    pub no_session: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Toml {
    profile: String,
    region: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    no_session: bool,
}

/// The nearest `.awsvault` in `dir` or above it (a path, not yet read). Folders of that name
/// are skipped: aws-vault keeps its file store in `~/.awsvault/`.
pub fn find(dir: &Path) -> Option<PathBuf> {
    walk(dir).1
}

/// Every candidate looked at, nearest first, up to and including the one found (if any).
pub fn walk(dir: &Path) -> (Vec<PathBuf>, Option<PathBuf>) {
    let mut looked = Vec::new();
    for candidate in dir.ancestors().map(|d| d.join(FILE_NAME)) {
        looked.push(candidate.clone());
        if std::fs::symlink_metadata(&candidate).is_ok_and(|m| !m.is_dir()) {
            return (looked, Some(candidate));
        }
    }
    (looked, None)
}

/// Parse a file's text. Errors are one line: `line N: what (hint)`.
pub fn parse(text: &str) -> Result<Request, String> {
    let meaningful: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    // A file that holds only a profile name is accepted too.
    if let [only] = meaningful.as_slice()
        && !only.contains('=')
    {
        validate_profile(only)?;
        return Ok(Request {
            profile: only.to_string(),
            ..Request::default()
        });
    }
    let parsed: Toml = toml::from_str(text).map_err(|e| describe_toml_error(text, &e))?;
    validate_profile(&parsed.profile)?;
    let duration = match parsed.duration {
        None => None,
        Some(d) => Some(crate::settings::parse_duration(&d)?),
    };
    Ok(Request {
        profile: parsed.profile,
        region: parsed.region.filter(|r| !r.is_empty()),
        duration,
        no_session: parsed.no_session,
    })
}

fn validate_profile(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("profile is empty (write profile = \"NAME\")".into());
    }
    if name.chars().any(|c| c.is_control() || c == '[' || c == ']') {
        return Err("profile name has control characters or brackets".into());
    }
    Ok(())
}

fn describe_toml_error(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().replace('\n', " ");
    match err.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(
                "line {line}: {message} (expected profile = \"NAME\", optional region, duration, no_session)"
            )
        }
        None => format!("{message} (expected profile = \"NAME\")"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_toml() {
        let r = parse("# shop\nprofile = \"shop-dev\"\nregion = \"eu-west-1\"\nduration = \"2h\"\nno_session = true\n").unwrap();
        assert_eq!(r.profile, "shop-dev");
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert_eq!(r.duration, Some(Duration::from_secs(7200)));
        assert!(r.no_session);
    }

    #[test]
    fn bare_profile_name() {
        assert_eq!(parse("will\n").unwrap().profile, "will");
        assert_eq!(parse("# comment\n  will  \n").unwrap().profile, "will");
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("profile = \"x\"\nregion = \n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(!err.contains('\n'));
        assert!(parse("region = \"x\"\n").unwrap_err().contains("profile"));
        assert!(
            parse("profile = \"x\"\ncolour = 1\n")
                .unwrap_err()
                .contains("colour")
        );
        assert!(
            parse("profile = \"x\"\nduration = \"soon\"\n")
                .unwrap_err()
                .contains("soon")
        );
        assert!(parse("").is_err());
    }

    #[test]
    fn errors_quoting_values_stay_on_one_line() {
        let err = parse("profile = \"x\"\nduration = \"soon\\nlater\\u001b[2J\"\n").unwrap_err();
        assert!(!err.contains(|c: char| c.is_control()), "{err:?}");
        assert!(err.contains(r"soon\nlater\u{1b}[2J"), "{err}");
    }

    #[test]
    fn nearest_file_wins() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("a/b");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "outer").unwrap();
        assert_eq!(find(&inner), Some(dir.path().join(FILE_NAME)));
        std::fs::write(dir.path().join("a").join(FILE_NAME), "inner").unwrap();
        assert_eq!(find(&inner), Some(dir.path().join("a").join(FILE_NAME)));
        std::fs::create_dir_all(inner.join(FILE_NAME).join("keys")).unwrap();
        assert_eq!(
            find(&inner),
            Some(dir.path().join("a").join(FILE_NAME)),
            "aws-vault's folder is not a project file"
        );
    }
}
