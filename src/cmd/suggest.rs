//! "did you mean 'admin'?" for a profile name that is not in the config: the closest of the
//! config's names by edit distance, when one is close enough to be a typo.

use anyhow::anyhow;

use crate::profile::ProfileError;
use crate::term::escape;

/// `err` with a suggestion added when it is an unknown profile and a config name is near.
/// Anything else passes through unchanged.
pub fn improve(err: anyhow::Error) -> anyhow::Error {
    let Some(ProfileError::Unknown {
        name,
        path,
        referenced_by,
    }) = err.downcast_ref::<ProfileError>()
    else {
        return err;
    };
    // Only the bare error: rebuilding one wrapped in context would drop the context.
    if err.chain().count() != 1 {
        return err;
    }
    let Ok(config) = crate::profile::load_config() else {
        return err;
    };
    let Some(near) = closest(name, config.profile_names()) else {
        return err;
    };
    let near = escape(near);
    match referenced_by {
        None => anyhow!(
            "profile '{}' not found in {path}: did you mean '{near}'? (`vault list` shows every profile)",
            escape(name)
        ),
        Some(by) => anyhow!(
            "profile '{}' not found in {path} (named by source_profile/include_profile of '{}'): did you mean '{near}'?",
            escape(name),
            escape(by)
        ),
    }
}

/// The candidate nearest to `name`, if it is within a typo's reach: a third of the name's
/// length in edits (transposed letters count once), at least one; the first of equals wins.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let reach = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance = if c.eq_ignore_ascii_case(name) {
                0
            } else {
                strsim::damerau_levenshtein(name, c)
            };
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= reach)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    const NAMES: [&str; 4] = ["default", "admin", "prod-admin", "dev"];

    #[test]
    fn a_typo_finds_the_profile() {
        assert_eq!(closest("admn", NAMES), Some("admin"));
        assert_eq!(closest("amdin", NAMES), Some("admin"));
        assert_eq!(closest("Admin", NAMES), Some("admin"));
        assert_eq!(closest("prod-admni", NAMES), Some("prod-admin"));
        assert_eq!(closest("dve", NAMES), Some("dev"));
    }

    #[test]
    fn a_different_name_finds_nothing() {
        assert_eq!(closest("qa", NAMES), None);
        assert_eq!(closest("staging", NAMES), None);
        assert_eq!(closest("x", NAMES), None);
    }
}
