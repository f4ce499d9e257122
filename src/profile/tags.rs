//! `session_tags` and `transitive_session_tags` (and their variables, AWS_SESSION_TAGS and
//! AWS_TRANSITIVE_TAGS): what AssumeRole sends as `Tags` and `TransitiveTagKeys`.

/// The tags one AssumeRole sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionTags {
    /// `key=value` pairs, in the order written.
    pub tags: Vec<(String, String)>,
    /// The keys of `tags` that pass on to roles assumed from this one.
    pub transitive: Vec<String>,
}

/// `k1=v1,k2=v2` (spaces around each part are trimmed, as aws-vault does). aws-vault takes an
/// empty key or value as it is and STS then refuses the call, or worse a trailing comma is a
/// mystery; here each is refused with what is wrong, before any call.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    const SHAPE: &str = "(write key1=value1,key2=value2)";
    let mut tags: Vec<(String, String)> = vec![];
    for (index, part) in text.split(',').enumerate() {
        let n = index + 1;
        let Some((key, value)) = part.split_once('=') else {
            return Err(if part.trim().is_empty() {
                format!("has an empty tag at position {n} (a stray comma?) {SHAPE}")
            } else {
                format!("has a tag without '=' at position {n} {SHAPE}")
            });
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(format!("has a tag without a key at position {n} {SHAPE}"));
        }
        if value.is_empty() {
            return Err(format!("has a tag without a value at position {n} {SHAPE}"));
        }
        // STS compares tag keys without case and refuses a repeated one.
        if tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(format!("names the tag key at position {n} twice {SHAPE}"));
        }
        tags.push((key.to_string(), value.to_string()));
    }
    Ok(tags)
}

/// `k1,k2`: blanks are skipped, as aws-vault does.
pub fn parse_transitive(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_trimmed_in_order() {
        assert_eq!(
            parse_tags(" team = blue ,Env=prod").unwrap(),
            [
                ("team".into(), "blue".into()),
                ("Env".into(), "prod".into())
            ]
        );
        assert_eq!(
            parse_tags("url=a=b").unwrap(),
            [("url".into(), "a=b".into())]
        );
    }

    #[test]
    fn malformed_tags_say_what_is_wrong() {
        for (text, why) in [
            ("tag1=value1,", "empty tag at position 2"),
            ("=v", "without a key at position 1"),
            ("k=", "without a value at position 1"),
            ("a=1,k", "without '=' at position 2"),
            ("a=1,A=2", "twice"),
        ] {
            let err = parse_tags(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn transitive_keys_skip_blanks() {
        assert_eq!(parse_transitive(" a, ,b,"), ["a", "b"]);
    }
}
