//! One file per subcommand; each is a thin function over the core.

mod add;
mod clear;
mod completions;
mod doctor;
mod exec;
mod export;
pub mod hook;
mod hook_env;
mod import;
mod import_credentials;
mod list;
mod lock;
mod login;
mod man;
mod prompt;
mod remove;
mod rotate;
mod sso;
mod suggest;
mod trust;
mod use_profile;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::store::open_selected as open_store;

pub fn run(cli: Cli) -> Result<ExitCode> {
    dispatch(cli).map_err(suggest::improve)
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    let flags = cli.flags();
    if flags.debug.debug || crate::settings::get().debug {
        crate::debug::enable();
    }
    let backend = flags.backend;
    match cli.command {
        Command::Add(args) => add::run(open_store(backend)?.as_ref(), args),
        // Profile names need no store: completion scripts call this at every TAB.
        Command::List(args) if args.profiles => list::profile_names(),
        Command::List(args) => list::run(open_store(backend)?.as_ref(), args),
        Command::Remove(args) => remove::run(open_store(backend)?.as_ref(), args),
        Command::Clear(args) => clear::run(open_store(backend)?.as_ref(), args),
        Command::Lock(_) => lock::run(),
        Command::Exec(args) => exec::run(open_store(backend)?.as_ref(), args),
        Command::Export(args) => export::run(open_store(backend)?.as_ref(), args),
        Command::Login(args) => login::run(open_store(backend)?.as_ref(), args),
        Command::Rotate(args) => rotate::run(open_store(backend)?.as_ref(), args),
        Command::Sso(args) => sso::run(open_store(backend)?.as_ref(), args),
        Command::ImportAwsVault(args) => import::run(open_store(backend)?.as_ref(), args),
        Command::ImportCredentials(args) => {
            import_credentials::run(open_store(backend)?.as_ref(), args)
        }
        Command::Doctor(args) => doctor::run(backend, args),
        Command::Hook(args) => hook::run(args),
        Command::HookEnv(args) => hook_env::run(backend, args),
        Command::Use(args) => use_profile::use_profile(backend, args),
        Command::Unuse => use_profile::unuse(),
        Command::Reload(_) => use_profile::reload(backend),
        Command::Allow(args) => trust::allow(args),
        Command::Deny(args) => trust::deny(args),
        Command::Prompt(args) => prompt::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

/// `'a', 'b', 'c'`: profile names in a message.
fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}
