//! Shells: quoting values so any byte string round-trips, and emitting set/unset statements.

pub mod emit;
pub mod quote;

/// The shells vault speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Pwsh,
    Nu,
}

/// What to change in an environment: variables to set (in order) and variables to remove.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvChanges {
    pub set: Vec<(String, String)>,
    pub unset: Vec<String>,
}

impl Shell {
    /// How this shell's glue observes the paths of a watch record.
    pub fn watch_style(self) -> crate::activate::watch::Style {
        use crate::activate::watch::Style;
        match self {
            Shell::Bash | Shell::Zsh => Style::Posix,
            Shell::Fish => Style::Fish,
            Shell::Nu => Style::Nu,
            Shell::Pwsh => Style::Pwsh,
        }
    }
}
