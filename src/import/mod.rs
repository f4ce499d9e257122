//! Sources `vault import-aws-vault` copies long-term keys from. Each reader has its own
//! prompts and formats, and only reads: the command (`cmd/import.rs`) writes vault's items.

pub mod aws_vault;
pub mod credentials_file;
#[cfg(unix)]
pub mod pass;
#[cfg(target_os = "windows")]
pub mod wincred;
