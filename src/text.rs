//! Text for messages.

/// `text` for a one-line message: control characters (a config value's continuation lines, a
/// TOML string's `\n`, a terminal escape in a server's answer) are shown escaped, the rest as
/// it is.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn control_characters_are_escaped_and_nothing_else_changes() {
        assert_eq!(one_line("a\nb\u{1b}[2J c"), r"a\nb\u{1b}[2J c");
        assert_eq!(one_line("plain 'text' é"), "plain 'text' é");
    }
}
