//! The plain-text `~/.aws/credentials` file, for `vault import-credentials`: which profiles hold
//! keys, and the same text with some profiles' keys taken out. Pure: text in, text out; every
//! line we do not remove comes back byte for byte (comments, order, other profiles, CRLF).

use zeroize::Zeroizing;

/// The keys one section of the file holds.
pub struct Section {
    pub profile: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Zeroizing<String>>,
    /// `aws_session_token` (or the old `aws_security_token`) is set: temporary keys.
    pub has_session_token: bool,
}

/// The key names whose lines `remove_keys` takes out.
const KEY_NAMES: [&str; 2] = ["aws_access_key_id", "aws_secret_access_key"];

/// A section header's profile name: `[name]`, also `[profile name]` (which the AWS CLI reads
/// from this file too), with a trailing `#` or `;` comment allowed.
fn header(line: &str) -> Option<String> {
    let line = line.trim();
    let rest = line.strip_prefix('[')?;
    let (name, after) = rest.split_once(']')?;
    let after = after.trim();
    if !(after.is_empty() || after.starts_with('#') || after.starts_with(';')) {
        return None;
    }
    let name = name.trim();
    let name = name.strip_prefix("profile ").map(str::trim).unwrap_or(name);
    Some(name.to_string())
}

/// `key = value` on a line that is not indented (indented lines continue a nested value).
fn setting(line: &str) -> Option<(String, &str)> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    if key.is_empty() || key.starts_with(['#', ';']) {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.trim()))
}

/// Lines with their ends, so the text can be put back together exactly.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
}

fn content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// Every section of the file, in order (a profile appearing twice: its keys merged, the
/// later value winning, as the AWS CLI reads it).
pub fn sections(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = vec![];
    let mut current: Option<usize> = None;
    for line in lines(text) {
        let line = content(line);
        if let Some(profile) = header(line) {
            current = Some(match sections.iter().position(|s| s.profile == profile) {
                Some(at) => at,
                None => {
                    sections.push(Section {
                        profile,
                        access_key_id: None,
                        secret_access_key: None,
                        has_session_token: false,
                    });
                    sections.len() - 1
                }
            });
            continue;
        }
        let (Some(at), Some((key, value))) = (current, setting(line)) else {
            continue;
        };
        let section = &mut sections[at];
        match key.as_str() {
            "aws_access_key_id" => section.access_key_id = Some(value.to_string()),
            "aws_secret_access_key" => {
                section.secret_access_key = Some(Zeroizing::new(value.to_string()))
            }
            "aws_session_token" | "aws_security_token" if !value.is_empty() => {
                section.has_session_token = true
            }
            _ => {}
        }
    }
    sections
}

/// `text` without the key lines of `profiles`. A section left with nothing but blank lines
/// goes as a whole (its header too); one with other settings or comments keeps them.
pub fn remove_keys(text: &str, profiles: &[String]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    // The current section's lines, held until the section ends.
    let mut held: Vec<&str> = vec![];
    let mut in_target = false;
    let flush = |held: &mut Vec<&str>, in_target: bool, out: &mut String| {
        if in_target {
            let (header, body) = held.split_first().expect("a held section has its header");
            let kept: Vec<&str> = body
                .iter()
                .copied()
                .filter(|l| {
                    !setting(content(l)).is_some_and(|(k, _)| KEY_NAMES.contains(&k.as_str()))
                })
                .collect();
            if kept.iter().any(|l| !content(l).trim().is_empty()) {
                out.push_str(header);
                kept.iter().for_each(|l| out.push_str(l));
            }
        } else {
            held.iter().for_each(|l| out.push_str(l));
        }
        held.clear();
    };
    for line in lines(text) {
        if let Some(profile) = header(content(line)) {
            flush(&mut held, in_target, &mut out);
            in_target = profiles.contains(&profile);
        }
        held.push(line);
    }
    flush(&mut held, in_target, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# my keys
[default]
aws_access_key_id = AKIADEFAULT000000001
aws_secret_access_key = defaultsecret

[work] ; the job
aws_access_key_id=AKIAWORK000000000001
region = eu-west-1
aws_secret_access_key = worksecret
# keep me

[temp]
aws_access_key_id = ASIATEMP000000000001
aws_secret_access_key = tempsecret
aws_session_token = token
[profile odd]
AWS_ACCESS_KEY_ID = AKIAODD0000000000001
aws_secret_access_key = oddsecret
";

    #[test]
    fn finds_each_sections_keys() {
        let found = sections(FILE);
        let names: Vec<&str> = found.iter().map(|s| s.profile.as_str()).collect();
        assert_eq!(names, ["default", "work", "temp", "odd"]);
        assert_eq!(
            found[1].access_key_id.as_deref(),
            Some("AKIAWORK000000000001")
        );
        assert_eq!(
            found[1].secret_access_key.as_deref().map(|s| s.as_str()),
            Some("worksecret")
        );
        assert!(!found[1].has_session_token);
        assert!(found[2].has_session_token);
        assert_eq!(
            found[3].access_key_id.as_deref(),
            Some("AKIAODD0000000000001")
        );
    }

    #[test]
    fn removes_only_the_named_keys() {
        let out = remove_keys(FILE, &["default".into(), "work".into(), "odd".into()]);
        assert_eq!(
            out.as_str(),
            "\
# my keys
[work] ; the job
region = eu-west-1
# keep me

[temp]
aws_access_key_id = ASIATEMP000000000001
aws_secret_access_key = tempsecret
aws_session_token = token
"
        );
    }

    #[test]
    fn nothing_named_changes_nothing_and_crlf_survives() {
        assert_eq!(remove_keys(FILE, &[]).as_str(), FILE);
        let crlf = "[a]\r\naws_access_key_id = AKIA\r\nregion = x\r\n[b]\r\nk = v";
        assert_eq!(
            remove_keys(crlf, &["a".into()]).as_str(),
            "[a]\r\nregion = x\r\n[b]\r\nk = v"
        );
    }
}
