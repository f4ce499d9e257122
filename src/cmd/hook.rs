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

    /// zsh runs every shared function under `emulate -L zsh` from a list in vault.zsh: a
    /// function added to posix.sh and not to that list would see the user's options.
    #[test]
    fn zsh_wraps_every_shared_function() {
        let zsh = include_str!("../../shell/vault.zsh");
        let list_start = zsh.find("for f in ").expect("the wrapping loop") + "for f in ".len();
        let list_end = list_start + zsh[list_start..].find("; do").expect("its list");
        let wrapped: Vec<&str> = zsh[list_start..list_end]
            .split_whitespace()
            .filter(|w| *w != "\\")
            .collect();
        let defined = POSIX.lines().filter_map(|line| {
            let line = line.strip_prefix("function ").unwrap_or(line);
            line.strip_suffix("() {")
                .or_else(|| line.strip_suffix(" {"))
                .filter(|name| !name.contains(' ') && !name.starts_with('#'))
        });
        let mut seen = 0;
        for name in defined {
            seen += 1;
            // __vault_hook reads `$?` first and only saves and returns it.
            if name != "__vault_hook" {
                assert!(
                    wrapped.contains(&name),
                    "{name} is not in vault.zsh's emulate list"
                );
            }
        }
        assert!(seen >= 6, "found the shared functions ({seen})");
    }
}
