//! Entry point: parse the command line, run it, turn errors into `vault: ...` and an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = vault::cli::Cli::parse();
    match vault::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` joins the anyhow context chain on one line: "what: why: cause".
            eprintln!("vault: {err:#}");
            ExitCode::from(1)
        }
    }
}
