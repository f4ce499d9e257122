//! `vault allow [PATH]` and `vault deny [PATH]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::activate::dotfile::{self, FILE_NAME};
use crate::activate::trust::{ProjectFile, TrustDb};
use crate::cli::TrustArgs;

/// The file meant: PATH itself, PATH/.awsvault for a folder, else the nearest above $PWD.
fn target(path: Option<&Path>) -> Result<PathBuf> {
    match path {
        Some(p) if p.is_dir() => Ok(p.join(FILE_NAME)),
        Some(p) => Ok(p.to_path_buf()),
        None => {
            let cwd = crate::activate::session::cwd();
            dotfile::find(&cwd).with_context(|| {
                format!(
                    "no {FILE_NAME} in {} or above it (name one: vault allow PATH)",
                    cwd.display()
                )
            })
        }
    }
}

pub fn allow(args: TrustArgs) -> Result<ExitCode> {
    let file = ProjectFile::read(&target(args.path.as_deref())?)?;
    // Refuse to trust what would not activate anyway, and say why now rather than at a prompt.
    let request = dotfile::parse(&file.content).map_err(|e| {
        anyhow::anyhow!("{}: {e} (fix the file, then allow it)", file.path.display())
    })?;
    TrustDb::open_default()?.allow(&file)?;
    crate::term::say(&format!(
        "allowed {} (profile '{}')",
        file.path.display(),
        request.profile
    ));
    Ok(ExitCode::SUCCESS)
}

pub fn deny(args: TrustArgs) -> Result<ExitCode> {
    let file = ProjectFile::read(&target(args.path.as_deref())?)?;
    TrustDb::open_default()?.deny(&file)?;
    crate::term::say(&format!("denied {}", file.path.display()));
    Ok(ExitCode::SUCCESS)
}
