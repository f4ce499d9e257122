//! The block of the config file that `vault sso populate` owns, between two marker comments
//! naming its sso-session. Everything outside a block is the user's and is kept byte for byte;
//! inside, vault rewrites the whole block each time.
//!
//! ```ini
//! # >>> vault sso populate corp: vault rewrites this block; edit outside it >>>
//! [profile dev/Developer]
//! ...
//! # <<< vault sso populate corp <<<
//! ```

use anyhow::{Result, bail};

fn begin_marker(session: &str) -> String {
    format!("# >>> vault sso populate {session}: vault rewrites this block; edit outside it >>>")
}

fn end_marker(session: &str) -> String {
    format!("# <<< vault sso populate {session} <<<")
}

/// Where a session's block is in a config text: byte ranges of the whole block (markers and
/// their line ends included) and of its body (the lines between the markers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub whole: std::ops::Range<usize>,
    pub body: std::ops::Range<usize>,
}

/// `session`'s block in `text`, if there is one. A begin marker without its end, or a second
/// block for the same session, is an error: vault will not guess which lines are its own.
pub fn find(text: &str, session: &str) -> Result<Option<Span>> {
    let (begin, end) = (begin_marker(session), end_marker(session));
    let mut found: Option<Span> = None;
    let mut open: Option<(usize, usize)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let next = at + line.len();
        // A comment marker line: `#` at its start, as vault writes it.
        let bare = line.trim_end_matches(['\n', '\r']).trim_end();
        if bare == begin {
            if open.is_some() || found.is_some() {
                bail!("more than one '{begin}' line");
            }
            open = Some((at, next));
        } else if bare == end {
            let Some((start, body)) = open.take() else {
                bail!("'{end}' has no '{begin}' line before it");
            };
            found = Some(Span {
                whole: start..next,
                body: body..at,
            });
        }
        at = next;
    }
    if open.is_some() {
        bail!("'{begin}' has no '{end}' line after it");
    }
    Ok(found)
}

/// `text` with `session`'s block holding `body` (whole lines): in place of the old block, else
/// appended after a blank line. An empty `body` removes the block.
pub fn replace(text: &str, session: &str, span: Option<&Span>, body: &str) -> String {
    let block = if body.is_empty() {
        String::new()
    } else {
        format!("{}\n{body}{}\n", begin_marker(session), end_marker(session))
    };
    match span {
        Some(span) => {
            let mut after = &text[span.whole.end..];
            if block.is_empty() && text[..span.whole.start].ends_with("\n\n") {
                // The blank line vault put before the block goes with it.
                after = after.strip_prefix('\n').unwrap_or(after);
            }
            let before = &text[..span.whole.start];
            let before = if block.is_empty() && after.is_empty() {
                before
                    .strip_suffix('\n')
                    .filter(|b| b.ends_with('\n'))
                    .unwrap_or(before)
            } else {
                before
            };
            format!("{before}{block}{after}")
        }
        None if block.is_empty() => text.to_string(),
        None => {
            let mut out = text.to_string();
            if !out.is_empty() {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push('\n');
            }
            out.push_str(&block);
            out
        }
    }
}

/// One `[...]` section of a block: its header's name (`profile dev/Developer`,
/// `sso-session corp`) and its text, header line included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub header: String,
    pub text: String,
}

/// The sections of a block's body; lines before the first header are dropped.
pub fn sections(body: &str) -> Vec<Section> {
    let mut out: Vec<Section> = vec![];
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            out.push(Section {
                header: header.split_whitespace().collect::<Vec<_>>().join(" "),
                text: String::new(),
            });
        }
        if let Some(section) = out.last_mut() {
            section.text.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "# >>> vault sso populate corp: vault rewrites this block; edit outside it >>>\n\
                         [profile a]\nx = 1\n\n[profile b]\nx = 2\n\
                         # <<< vault sso populate corp <<<\n";

    #[test]
    fn the_block_is_found_and_replaced_in_place() {
        let text = format!("# mine\n[profile m]\n\n{BLOCK}\n[profile after]\n");
        let span = find(&text, "corp").unwrap().unwrap();
        assert_eq!(
            &text[span.body.clone()],
            "[profile a]\nx = 1\n\n[profile b]\nx = 2\n"
        );
        let sections = sections(&text[span.body.clone()]);
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[1].header, "profile b");
        assert_eq!(sections[0].text, "[profile a]\nx = 1\n\n");
        let new = replace(&text, "corp", Some(&span), "[profile c]\n");
        assert_eq!(
            new,
            "# mine\n[profile m]\n\n\
             # >>> vault sso populate corp: vault rewrites this block; edit outside it >>>\n\
             [profile c]\n# <<< vault sso populate corp <<<\n\n[profile after]\n"
        );
        assert_eq!(find(&text, "other").unwrap(), None);
    }

    #[test]
    fn a_new_block_is_appended_after_a_blank_line_and_an_empty_one_removed() {
        let new = replace(
            "[profile m]\nx = 1",
            "corp",
            None,
            "[profile a]\nx = 1\n\n[profile b]\nx = 2\n",
        );
        assert_eq!(new, format!("[profile m]\nx = 1\n\n{BLOCK}"));
        let span = find(&new, "corp").unwrap().unwrap();
        assert_eq!(
            replace(&new, "corp", Some(&span), ""),
            "[profile m]\nx = 1\n"
        );
        assert_eq!(
            replace("", "corp", None, "[profile a]\n").lines().count(),
            3
        );
    }

    #[test]
    fn broken_markers_are_refused() {
        let begin = BLOCK.lines().next().unwrap();
        assert!(find(&format!("{begin}\n[profile a]\n"), "corp").is_err());
        assert!(find("# <<< vault sso populate corp <<<\n", "corp").is_err());
        assert!(find(&format!("{BLOCK}{BLOCK}"), "corp").is_err());
    }
}
