//! Quoting per shell. Each function returns a literal that the shell reads back as exactly
//! `value`, whatever bytes it holds (quotes, `$`, backticks, newlines, unicode, `;`).

/// POSIX single quotes: nothing is special inside, so close, emit `\'`, reopen.
pub fn posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// [`posix`] for any bytes (file contents and paths need not be UTF-8; the shells take them
/// as they are inside single quotes).
pub fn posix_bytes(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'\'');
    for &b in value {
        if b == b'\'' {
            out.extend_from_slice(br"'\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// [`fish`] for any bytes.
pub fn fish_bytes(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    out.push(b'\'');
    for &b in value {
        if b == b'\\' || b == b'\'' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'\'');
    out
}

/// fish single quotes: only `\\` and `\'` are escapes inside.
pub fn fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// PowerShell single quotes: the quote is doubled. PowerShell also treats the typographic
/// single quotes as quote characters, so they are doubled too.
pub fn pwsh(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// nushell: a raw string `r#'...'#` takes everything literally; more `#` if the value holds `'#`.
/// nushell also reads the opening quote followed by the value's leading `#`s as a closing fence
/// (`r#'#'#` is an error in 0.108), so the fence must be longer than any `#` run that follows a
/// quote in `'` + value, the opening quote included.
pub fn nu(value: &str) -> String {
    let opened = format!("'{value}");
    let mut hashes = String::from("#");
    while opened.contains(&format!("'{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}'{value}'{hashes}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_closes_and_reopens_around_quotes() {
        assert_eq!(posix("it's"), r"'it'\''s'");
        assert_eq!(posix("$HOME `x`"), "'$HOME `x`'");
    }

    #[test]
    fn fish_escapes_backslash_and_quote() {
        assert_eq!(fish(r"a\b'c"), r"'a\\b\'c'");
    }

    #[test]
    fn nu_raw_strings_grow_their_fence() {
        assert_eq!(nu("/usr/bin/vault"), "r#'/usr/bin/vault'#");
        assert_eq!(nu("a'#b"), "r##'a'#b'##");
    }

    #[test]
    fn nu_fence_is_longer_than_leading_hashes() {
        // nushell reads `r#'#'#` as `r#'` closed by `'#` at once: found by tests/quoting.rs.
        assert_eq!(nu("#"), "r##'#'##");
        assert_eq!(nu("#a"), "r##'#a'##");
        assert_eq!(nu("##'#"), "r###'##'#'###");
        assert_eq!(nu("a#"), "r#'a#'#");
        assert_eq!(nu(""), "r#''#");
    }

    #[test]
    fn pwsh_doubles_every_kind_of_single_quote() {
        assert_eq!(pwsh("it's"), "'it''s'");
        assert_eq!(pwsh("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
    }
}
