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
