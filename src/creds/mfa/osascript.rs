//! The `osascript` driver: an AppleScript dialog (macOS).

use super::dialog;
use super::prompt::{Failure, message};

pub(super) fn unavailable() -> Option<String> {
    dialog::find("osascript").err()
}

/// aws-vault's script: a dialog with an empty answer field, OK and Cancel (Cancel exits 1).
pub(super) fn ask(serial: &str) -> Result<String, Failure> {
    let script = format!(
        "display dialog {} default answer \"\" buttons {{\"OK\", \"Cancel\"}} default button 1 \
         with title \"vault\"\ntext returned of the result\nreturn result",
        applescript_string(&message(serial))
    );
    dialog::run("osascript", &["-e", &script])
}

/// `text` as an AppleScript string literal: backslashes and double quotes escaped.
fn applescript_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_are_escaped() {
        assert_eq!(super::applescript_string(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
