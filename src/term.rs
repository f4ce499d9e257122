//! Text vault prints for people: control characters escaped, so a folder name or a value from
//! a file can never move the cursor, recolour or rewrite the line a user reads.

use std::borrow::Cow;

/// `text` with every control character written as an escape (`\u{1b}`, `\n`, `\t`...).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Print one line to stderr, `vault: ` first, escaped.
pub fn say(line: &str) {
    eprintln!("vault: {}", escape(line));
}

/// `eprintln!` for text people read: control characters escaped (see [`escape`]).
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::term::escape(&format!($($arg)*)))
    };
}

/// `println!` for text people read, never for data a program parses (exports, URLs).
#[macro_export]
macro_rules! show {
    ($($arg:tt)*) => {
        println!("{}", $crate::term::escape(&format!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_only() {
        assert_eq!(escape("plain/path é"), "plain/path é");
        assert_eq!(escape("a\u{1b}[2Kb\nc\u{9b}"), "a\\u{1b}[2Kb\\nc\\u{9b}");
    }
}
