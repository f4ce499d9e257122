//! Profile names from a template (`vault sso populate --template`), normalised to what the
//! config parser accepts in a section name: ASCII letters and digits and `_ - / . % @ : +`
//! (aws-config's rule; a section with any other character is skipped by the SDKs).

use anyhow::{Result, bail};

pub const DEFAULT: &str = "{account_name}/{role_name}";
pub const PLACEHOLDERS: &[&str] = &[
    "account_name",
    "account_id",
    "account_email",
    "role_name",
    "sso_session",
];

/// The values one profile's name is made of.
pub struct Values<'a> {
    pub account_name: &'a str,
    pub account_id: &'a str,
    pub account_email: &'a str,
    pub role_name: &'a str,
    pub sso_session: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> &str {
        match name {
            "account_name" => self.account_name,
            "account_id" => self.account_id,
            "account_email" => self.account_email,
            "role_name" => self.role_name,
            _ => self.sso_session,
        }
    }
}

enum Piece {
    Text(String),
    Value(&'static str),
}

/// A parsed template: text and `{placeholder}`s; `{{` and `}}` are literal braces.
pub struct Template(Vec<Piece>);

impl Template {
    pub fn parse(text: &str) -> Result<Template> {
        let mut pieces = vec![];
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    let Some(known) = PLACEHOLDERS.iter().find(|p| **p == name) else {
                        bail!(
                            "the template '{text}' names '{{{name}}}'; the placeholders are {}",
                            known_list()
                        );
                    };
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Value(known));
                }
                '}' => {
                    bail!("the template '{text}' has a '}}' with no '{{' (write '}}}}' for one)")
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        if !pieces.iter().any(|p| matches!(p, Piece::Value(_))) {
            bail!(
                "the template '{text}' names no placeholder, so every profile would get the same name; use {}",
                known_list()
            );
        }
        Ok(Template(pieces))
    }

    /// The profile name for `values`, normalised; `None` when nothing of it is left.
    pub fn render(&self, values: &Values) -> Option<String> {
        let mut raw = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => raw.push_str(text),
                // Each value alone first, so `My Team (prod)/Admin` loses no more than its
                // punctuation: `My-Team-prod/Admin`, not `My-Team-prod-/Admin`.
                Piece::Value(name) => raw.push_str(&normalise(values.get(name))),
            }
        }
        let name = normalise(&raw);
        (!name.is_empty()).then_some(name)
    }
}

fn known_list() -> String {
    PLACEHOLDERS
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c)
}

/// Each run of other characters (spaces, brackets, `=`, `#`, non-ASCII) becomes one `-`, and
/// none is left at either end: `My Account (prod)` is `My-Account-prod`.
pub fn normalise(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut gap = false;
    for c in raw.chars() {
        if allowed(c) {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values<'static> {
        Values {
            account_name: "My Account (prod)",
            account_id: "111122223333",
            account_email: "ops@example.com",
            role_name: "AdministratorAccess",
            sso_session: "corp",
        }
    }

    #[test]
    fn the_default_template_and_normalisation() {
        let t = Template::parse(DEFAULT).unwrap();
        assert_eq!(
            t.render(&values()).unwrap(),
            "My-Account-prod/AdministratorAccess"
        );
        assert_eq!(normalise("  [a] = b#c ü "), "a-b-c");
        assert_eq!(normalise("a_b-c/d.e%f@g:h+i"), "a_b-c/d.e%f@g:h+i");
        assert_eq!(normalise("   "), "");
    }

    #[test]
    fn placeholders_and_literal_braces() {
        let t = Template::parse("{sso_session}-{account_id}-{role_name}{{x}}").unwrap();
        // Braces are not allowed in a name: they become dashes too.
        assert_eq!(
            t.render(&values()).unwrap(),
            "corp-111122223333-AdministratorAccess-x"
        );
        assert!(Template::parse("{account}").is_err());
        assert!(Template::parse("fixed").is_err());
        assert!(Template::parse("a}b{role_name}").is_err());
        let err = Template::parse("{nope}").err().unwrap().to_string();
        assert!(
            err.contains("{account_name}") && err.contains("{role_name}"),
            "{err}"
        );
    }
}
