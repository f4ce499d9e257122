//! Entry point: parse the command line, run it, turn errors into `vault: ...` and an exit code.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    // A panic says where, never what: its message can quote a secret (see panic_hook.rs).
    vault::panic_hook::install();
    // `vault list | head` must end quietly, like any Unix tool, not report a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Before anything else, and before any thread: no core dump of vault, and no child of
    // vault may inherit the passphrase that unlocks the store.
    vault::hardening::no_core_dumps();
    vault::store::file::take_passphrase_variables();
    let cli = match vault::cli::Cli::try_parse().map_err(|e| {
        let args: Vec<String> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        vault::cli::explain(e, &args)
    }) {
        Ok(cli) => cli,
        // Under the shell glue's `vault` function stdout is eval'd, so help goes to stderr
        // (__VAULT_SHELL is the glue's mark, not a setting).
        Err(err) if std::env::var_os("__VAULT_SHELL").is_some() => {
            eprint!("{}", err.render());
            return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
        }
        Err(err) => err.exit(),
    };
    match vault::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` joins the anyhow context chain on one line: "what: why: cause".
            vault::term::say(&format!("{err:#}"));
            ExitCode::from(1)
        }
    }
}
