//! `vault allow [PATH]` and `vault deny [PATH]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::activate::dotfile::{self, FILE_NAME, Request};
use crate::activate::trust::{Grants, ProjectFile, TrustDb};
use crate::cli::{AllowArgs, TrustArgs};

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

/// Every setting the file makes, for one line: `profile 'x', region 'y', duration 2h, ...`.
fn settings(request: &Request) -> String {
    let mut parts = vec![format!("profile '{}'", request.profile)];
    if let Some(region) = &request.region {
        parts.push(format!("region '{region}'"));
    }
    if let Some(duration) = request.duration {
        parts.push(format!("duration {}", humantime::format_duration(duration)));
    }
    if request.no_session {
        parts.push("no_session: your long-term keys in the shell".to_string());
    }
    parts.join(", ")
}

/// What the user confirms: `no_session` only by the flag or a yes typed on the terminal.
fn confirm(file: &ProjectFile, request: &Request, flag: bool) -> Result<Grants> {
    if !request.no_session || flag {
        return Ok(Grants {
            no_session: request.no_session,
        });
    }
    let shown = crate::term::escape(&file.path.display().to_string()).into_owned();
    let question = format!(
        "{shown} sets {}.\nno_session puts your long-term AWS keys (not a temporary session) into \
         every shell in this folder. Allow that? [y/N] ",
        crate::term::escape(&settings(request))
    );
    match crate::tty::confirm(&question) {
        Ok(true) => Ok(Grants { no_session: true }),
        Ok(false) => bail!("{shown} not allowed (it asks for no_session)"),
        Err(e) => bail!(
            "{shown} asks for no_session (your long-term keys in the shell) and there is no one \
             to confirm it ({e}): run `vault allow --allow-no-session` to allow that"
        ),
    }
}

pub fn allow(args: AllowArgs) -> Result<ExitCode> {
    let file = ProjectFile::read(&target(args.path.as_deref())?)?;
    // Refuse to trust what would not activate anyway, and say why now rather than at a prompt.
    let request = dotfile::parse(&file.content).map_err(|e| {
        anyhow::anyhow!("{}: {e} (fix the file, then allow it)", file.path.display())
    })?;
    let grants = confirm(&file, &request, args.allow_no_session)?;
    TrustDb::open_default()?.allow(&file, grants)?;
    // After the allowance, so a refusal above stays the one line it is.
    warn_unknown_profile(&file.path, &request.profile);
    crate::term::say(&format!(
        "allowed {} ({})",
        file.path.display(),
        settings(&request)
    ));
    Ok(ExitCode::SUCCESS)
}

/// Said at once, not at the next prompt: the file names a profile the config does not have.
/// Only a warning: keys stored under that name (`vault add --no-add-config`) still activate.
fn warn_unknown_profile(file: &Path, profile: &str) {
    let Ok(config) = crate::profile::load_config() else {
        return;
    };
    if config.has_profile(profile) {
        return;
    }
    let near = super::suggest::closest(profile, config.profile_names())
        .map(|near| format!(" (did you mean '{near}'?)"))
        .unwrap_or_default();
    crate::note!(
        "vault: warning: {} names profile '{profile}', which is not in {}{near}; the folder activates only if keys are stored under that name",
        file.display(),
        config.path.display()
    );
}

pub fn deny(args: TrustArgs) -> Result<ExitCode> {
    let file = ProjectFile::read(&target(args.path.as_deref())?)?;
    TrustDb::open_default()?.deny(&file)?;
    crate::term::say(&format!("denied {}", file.path.display()));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_shown() {
        let request = dotfile::parse(
            "profile = \"prod\"\nregion = \"eu-west-1\"\nduration = \"2h\"\nno_session = true\n",
        )
        .unwrap();
        assert_eq!(
            settings(&request),
            "profile 'prod', region 'eu-west-1', duration 2h, no_session: your long-term keys in the shell"
        );
        assert_eq!(
            settings(&dotfile::parse("will\n").unwrap()),
            "profile 'will'"
        );
    }
}
