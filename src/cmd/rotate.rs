//! `vault rotate PROFILE`: replace a profile's stored access key with a new one
//! (the algorithm is `creds/rotate.rs`; this prints its progress).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::RotateArgs;
use crate::creds::rotate::{Progress, rotate};
use crate::debug::redact_key_id as show;
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: RotateArgs) -> Result<ExitCode> {
    let rotated = rotate(store, &args.profile, args.no_session, &mut print)?;
    println!(
        "Rotated the access key of '{}': {} -> {}.",
        rotated.owner,
        show(&rotated.old_key),
        show(&rotated.new_key)
    );
    Ok(ExitCode::SUCCESS)
}

fn print(progress: Progress) {
    match progress {
        Progress::Started {
            owner,
            old_key,
            via: None,
        } => println!(
            "Rotating the access key {} stored for '{owner}'.",
            show(old_key)
        ),
        Progress::Started {
            owner,
            old_key,
            via: Some(via),
        } => println!(
            "Rotating the access key {} stored for '{owner}', with credentials of '{via}'.",
            show(old_key)
        ),
        Progress::Created { new_key, who } => {
            println!("Created new access key {} for {who}.", show(new_key))
        }
        Progress::Stored { owner } => println!("Stored the new key for '{owner}'."),
        Progress::Works => println!("The new key works."),
        Progress::ClearedSessions(profiles) => {
            println!(
                "Cleared cached sessions of {}.",
                super::quoted_list(profiles)
            )
        }
        Progress::DeletedOld {
            old_key,
            already_gone: false,
        } => println!("Deleted the old key {}.", show(old_key)),
        Progress::DeletedOld {
            old_key,
            already_gone: true,
        } => println!("The old key {} was already deleted.", show(old_key)),
    }
}
