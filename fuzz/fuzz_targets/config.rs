//! Config loading: `ConfigFile::parse`, then `settings` and `chain` for every profile with a
//! fake store (`has_keys` decided by the first input byte). Never panics; errors are one line.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vault::profile::{ConfigFile, ProfileError};

fuzz_target!(|data: &[u8]| {
    let Some((&keys_mask, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let config = match ConfigFile::parse(Path::new("/fuzz/.aws/config"), text) {
        Ok(config) => config,
        Err(e) => {
            let message = e.to_string();
            assert!(
                !message.contains(['\n', '\r']),
                "multi-line error: {message:?}"
            );
            return;
        }
    };
    // A profile has keys when the bit picked by its name's length is set in the mask.
    let has_keys = |name: &str| Ok::<bool, ProfileError>(keys_mask & (1 << (name.len() % 8)) != 0);
    let mut names: Vec<String> = config
        .profile_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    // Names only referenced (source_profile / include_profile) and a missing one, too.
    for props in config.profiles.values() {
        for key in ["source_profile", "include_profile"] {
            if let Some(v) = props.get(key) {
                names.push(v.trim().to_string());
            }
        }
    }
    names.push("not-in-config".into());
    for name in &names {
        let _ = config.settings(name);
        match config.chain(name, has_keys) {
            Ok(chain) => {
                assert_eq!(&chain.target, name);
                assert!(
                    chain.hops.len() <= config.profiles.len(),
                    "more hops than profiles"
                );
                for hop in &chain.hops {
                    assert!(!hop.role_arn.is_empty());
                }
            }
            Err(e) => {
                let message = e.to_string();
                assert!(
                    !message.contains(['\n', '\r']),
                    "multi-line error: {message:?}"
                );
            }
        }
    }
});
