//! `vault hook SHELL`: print the glue for a shell's startup file, with this binary's absolute
//! path baked in so aliases and PATH changes do not matter.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::HookArgs;
use crate::shell::{Shell, quote};

const PLACEHOLDER: &str = "'@VAULT@'";

pub fn run(args: HookArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot find the vault binary's own path")?;
    let exe = exe.to_string_lossy();
    print!("{}", glue(args.shell.into(), &exe));
    Ok(ExitCode::SUCCESS)
}

/// The part bash and zsh share, put in place of their `# @POSIX@` line.
const POSIX: &str = include_str!("../../shell/posix.sh");
const POSIX_LINE: &str = "# @POSIX@\n";

/// The glue for `shell` with `exe` quoted for that shell.
pub fn glue(shell: Shell, exe: &str) -> String {
    let (template, quoted) = match shell {
        Shell::Bash => (include_str!("../../shell/vault.bash"), quote::posix(exe)),
        Shell::Zsh => (include_str!("../../shell/vault.zsh"), quote::posix(exe)),
        Shell::Fish => (include_str!("../../shell/vault.fish"), quote::fish(exe)),
        Shell::Pwsh => (include_str!("../../shell/vault.ps1"), quote::pwsh(exe)),
        Shell::Nu => (include_str!("../../shell/vault.nu"), quote::nu(exe)),
    };
    template
        .replace(POSIX_LINE, POSIX)
        .replace(PLACEHOLDER, &quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_and_zsh_share_the_posix_part() {
        for shell in [Shell::Bash, Shell::Zsh] {
            let text = glue(shell, "/opt/vault");
            assert!(text.contains(POSIX), "{shell:?}");
            assert!(!text.contains(POSIX_LINE), "{shell:?}");
            assert!(!text.contains(PLACEHOLDER), "{shell:?}");
            assert!(text.contains("='/opt/vault'"), "{shell:?}");
        }
    }
}
