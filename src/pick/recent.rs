//! The profiles used last, most recent first: the picker's order. One name a line in
//! `$XDG_STATE_HOME/vault/recent` (the local data folder where the platform has no state
//! folder). Profile names only, never a secret; written atomically (a private temporary file
//! renamed into place), so two shells using profiles at once leave one of their lists, whole.

use std::path::PathBuf;

/// How many names are kept: more than anyone scrolls through.
const KEEP: usize = 50;

/// The file, or `None` where the platform gives no folder for it.
pub fn path() -> Option<PathBuf> {
    let base = dirs::state_dir().or_else(dirs::data_local_dir)?;
    Some(base.join("vault").join("recent"))
}

/// The names in the file, most recent first; none when it is missing or unreadable (the order
/// is a convenience: it never stops a command).
pub fn load() -> Vec<String> {
    path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|text| parse(&text))
        .unwrap_or_default()
}

/// Put `profile` first. A failure is only a debug line: the command it follows has succeeded.
pub fn record(profile: &str) {
    if let Err(e) = try_record(profile) {
        crate::debug!("cannot record '{profile}' as recently used: {e}");
    }
}

fn try_record(profile: &str) -> anyhow::Result<()> {
    let Some(path) = path() else {
        return Ok(());
    };
    let old = load();
    let list = promote(old.clone(), profile);
    // Using the same profile again (a credential_process called at every `aws` command, a
    // loop of `vault exec`) leaves the list as it is: no write on the hot path.
    if list == old {
        return Ok(());
    }
    let mut text = list.join("\n");
    text.push('\n');
    // The config's atomic rewrite: a new file is created 0600 in a 0700 folder, and a
    // replacement is renamed into place in one step.
    crate::profile::replace_contents(&path, &text)
}

/// The names of a file's text: one a line, blanks, control characters and repeats dropped.
fn parse(text: &str) -> Vec<String> {
    let mut names: Vec<String> = vec![];
    for line in text.lines() {
        let name = line.trim();
        if name.is_empty() || name.chars().any(char::is_control) || names.iter().any(|n| n == name)
        {
            continue;
        }
        names.push(name.to_string());
    }
    names
}

/// `list` with `profile` moved (or added) to the front, at most [`KEEP`] long. A name that
/// cannot be one line is not kept.
fn promote(mut list: Vec<String>, profile: &str) -> Vec<String> {
    list.retain(|n| n != profile);
    if !profile.trim().is_empty() && !profile.chars().any(char::is_control) {
        list.insert(0, profile.trim().to_string());
    }
    list.truncate(KEEP);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_used_comes_first_once() {
        let list = parse("dev\n\nprod\ndev\n bad\u{1b}name\n");
        assert_eq!(list, ["dev", "prod"]);
        assert_eq!(promote(list.clone(), "prod"), ["prod", "dev"]);
        assert_eq!(promote(list.clone(), "qa"), ["qa", "dev", "prod"]);
        assert_eq!(promote(list, "a\nb"), ["dev", "prod"]);
        let long: Vec<String> = (0..80).map(|i| i.to_string()).collect();
        assert_eq!(promote(long, "new").len(), KEEP);
    }
}
