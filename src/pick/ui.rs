//! The picker on the terminal: a query line and the matching rows under it, redrawn at each
//! key, erased on the way out.
//!
//! Drawn on /dev/tty, never stdout: under the shell glue (`vault use`) stdout is evaluated by
//! the shell, and with `eval "$(vault export)"` it is captured. Keys come through the `console`
//! crate (already what clap's ecosystem uses; small, no async runtime, Windows too), which puts
//! the terminal in raw mode only while it waits for one key and puts it back before returning
//! it, so no way out of the picker leaves the terminal raw. In raw mode Ctrl-C is a key, not a
//! signal: it cancels like Esc. Not dialoguer's FuzzySelect: on Ctrl-C it raises SIGINT with
//! the cursor hidden and its list left on screen, and it has no columns.

use std::io;

use console::{Key, Term};

use super::filter::Filter;

/// What the person did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Chose(usize),
    Cancelled,
}

/// The terminal the picker draws on, or `None` when there is none to talk to (no terminal on
/// stdin, or no controlling terminal): then vault must not wait for keys nobody can type.
pub fn terminal() -> Option<Term> {
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() {
        return None;
    }
    #[cfg(unix)]
    {
        let open = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
        };
        let (read, write) = (open().ok()?, open().ok()?);
        let term = Term::read_write_pair(read, write);
        term.is_term().then_some(term)
    }
    #[cfg(not(unix))]
    {
        let term = Term::stderr();
        term.is_term().then_some(term)
    }
}

/// Let the person choose one of `lines` (rows already laid out) whose names are `names` and
/// whose other columns are `details`. `title` says what the choice is for.
pub fn pick(
    term: &Term,
    title: &str,
    names: &[String],
    details: &[String],
    lines: &[String],
) -> io::Result<Outcome> {
    let mut filter = Filter::default();
    let mut query = String::new();
    let mut shown = filter.matches(&query, names, details);
    let mut selected = 0usize;
    let mut top = 0usize;
    let result = loop {
        let (height, width) = term.size();
        // The query line, and at least one row, whatever the terminal's size.
        let room = (height as usize).saturating_sub(2).max(1);
        if selected < top {
            top = selected;
        } else if selected >= top + room {
            top = selected + 1 - room;
        }
        draw(
            term,
            title,
            &query,
            &shown,
            lines,
            selected,
            top,
            room,
            width as usize,
        )?;
        let key = match term.read_key_raw() {
            Ok(key) => key,
            // End of input (the terminal went away) or a read error: nothing was chosen.
            Err(e) => {
                erase(term)?;
                return Err(e);
            }
        };
        match key {
            Key::Escape | Key::CtrlC | Key::Char('\x03' | '\x04') => break Outcome::Cancelled,
            Key::Enter => {
                if let Some(&row) = shown.get(selected) {
                    break Outcome::Chose(row);
                }
            }
            Key::ArrowUp | Key::BackTab | Key::Char('\x10') => {
                selected = selected
                    .checked_sub(1)
                    .unwrap_or(shown.len().saturating_sub(1));
            }
            Key::ArrowDown | Key::Tab | Key::Char('\x0e') => {
                selected = if selected + 1 >= shown.len() {
                    0
                } else {
                    selected + 1
                };
            }
            Key::PageUp => selected = selected.saturating_sub(room),
            Key::PageDown => {
                selected = (selected + room).min(shown.len().saturating_sub(1));
            }
            Key::Home => selected = 0,
            Key::End => selected = shown.len().saturating_sub(1),
            Key::Backspace => {
                query.pop();
                shown = filter.matches(&query, names, details);
                selected = 0;
            }
            // Ctrl-U clears the query, as in a shell.
            Key::Char('\x15') => {
                query.clear();
                shown = filter.matches(&query, names, details);
                selected = 0;
            }
            Key::Char(c) if !c.is_control() => {
                query.push(c);
                shown = filter.matches(&query, names, details);
                selected = 0;
            }
            _ => {}
        }
    };
    erase(term)?;
    Ok(result)
}

/// One frame: from the start of the query line down, everything redrawn; the cursor left
/// at the end of the query, where typing goes. Rows are cut to the width so none wraps (a
/// wrapped row would break the count of lines to go back up).
#[allow(clippy::too_many_arguments)]
fn draw(
    term: &Term,
    title: &str,
    query: &str,
    shown: &[usize],
    lines: &[String],
    selected: usize,
    top: usize,
    room: usize,
    width: usize,
) -> io::Result<()> {
    let fit = |text: &str, w: usize| console::truncate_str(text, w, "…").into_owned();
    let width = width.max(10);
    let head = format!("{title} ({}/{}) > ", shown.len(), lines.len());
    let typed = crate::term::escape(query);
    let prompt = fit(&format!("{head}{typed}"), width - 1);
    let mut frame = format!("\r\x1b[J{prompt}");
    let mut below = 0;
    if shown.is_empty() {
        frame.push_str("\r\n  (no profile matches)");
        below = 1;
    }
    for (at, &row) in shown.iter().enumerate().skip(top).take(room) {
        let text = fit(&lines[row], width - 3);
        if at == selected {
            // Reverse video: the selection shows on any colour scheme, and without colour.
            frame.push_str(&format!("\r\n\x1b[7m> {text}\x1b[0m"));
        } else {
            frame.push_str(&format!("\r\n  {text}"));
        }
        below += 1;
    }
    if below > 0 {
        frame.push_str(&format!("\x1b[{below}A"));
    }
    frame.push_str(&format!("\r\x1b[{}C", console::measure_text_width(&prompt)));
    term.write_str(&frame)?;
    term.flush()
}

/// Remove the picker from the screen, leaving the cursor where the picker began.
fn erase(term: &Term) -> io::Result<()> {
    term.write_str("\r\x1b[J")?;
    term.flush()
}
