//! Which rows a typed query keeps, best first: fuzzy matching (fzf's rules, through
//! nucleo-matcher, the matcher of the helix editor: maintained, and no index to build), so
//! `prdadm` finds `prod-admin`. A match in the profile name ranks above one in the details
//! (account, role, region) only; equal scores keep the rows' order, most recently used first.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Keeps the matcher's buffers between keystrokes.
pub struct Filter {
    matcher: Matcher,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            matcher: Matcher::new(Config::DEFAULT),
        }
    }
}

impl Filter {
    /// Indexes into `names`/`details` (one entry per row) of the rows `query` matches, best
    /// first; every row, in order, for an empty query.
    pub fn matches(&mut self, query: &str, names: &[String], details: &[String]) -> Vec<usize> {
        if query.trim().is_empty() {
            return (0..names.len()).collect();
        }
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut buf = vec![];
        let mut scored: Vec<(bool, u32, usize)> = vec![];
        for (i, (name, detail)) in names.iter().zip(details).enumerate() {
            if let Some(score) = pattern.score(Utf32Str::new(name, &mut buf), &mut self.matcher) {
                scored.push((true, score, i));
            } else if let Some(score) =
                pattern.score(Utf32Str::new(detail, &mut buf), &mut self.matcher)
            {
                scored.push((false, score, i));
            }
        }
        // Stable: among equals the earlier row (more recently used) stays first.
        scored.sort_by_key(|&(in_name, score, _)| std::cmp::Reverse((in_name, score)));
        scored.into_iter().map(|(_, _, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn abbreviations_find_the_profile() {
        let n = names(&["default", "dev-admin", "prod-admin", "prod-readonly"]);
        let d = names(&["", "111 role Admin", "222 role Admin", "222 role ReadOnly"]);
        let mut f = Filter::default();
        assert_eq!(f.matches("prdadm", &n, &d)[0], 2);
        assert_eq!(f.matches("", &n, &d), [0, 1, 2, 3]);
        assert!(f.matches("zzz", &n, &d).is_empty());
        // The account number is in the details: found, after any name match.
        assert_eq!(f.matches("222", &n, &d), [2, 3]);
        let admin = f.matches("admin", &n, &d);
        assert_eq!(
            admin[..2],
            [1, 2],
            "equal scores keep the recent-first order"
        );
    }
}
