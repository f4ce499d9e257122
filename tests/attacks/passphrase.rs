//! The store passphrase never reaches a process vault starts.

use crate::LIMIT;
use crate::support::{self, *};

/// The store's passphrase never reaches a process vault starts: an `exec` child (plain and
/// `--server`) and `mfa_process` see neither variable nor the value (a child holding it could
/// unlock the store and print the long-term keys).
#[test]
fn the_store_passphrase_reaches_no_child() {
    let sb = Sandbox::new();
    let seen = sb.path("mfa-env");
    sb.write_config(&format!(
        "[profile will]\nmfa_serial = arn:aws:iam::123456789012:mfa/will\n\
         mfa_process = sh -c 'env > {}; echo 123456'\n",
        seen.display()
    ));
    sb.add("will");
    let leaked =
        |text: &str| text.contains("VAULT_FILE_PASSPHRASE") || text.contains(support::PASSPHRASE);
    for args in [
        &["exec", "will", "--", "env"][..],
        &["exec", "will", "--server", "--", "env"][..],
        &["exec", "will", "--no-session", "--", "env"][..],
    ] {
        let mut cmd = sb.vault(args);
        cmd.env("AWS_VAULT_FILE_PASSPHRASE", support::PASSPHRASE);
        let out = support::run_bounded(&mut cmd, LIMIT);
        support::assert_success(&out);
        let env = support::stdout(&out);
        assert!(
            env.contains("AWS_VAULT=will"),
            "{args:?}: the child ran: {env}"
        );
        assert!(!leaked(&env), "{args:?}: the child got the passphrase");
    }
    let mfa_env = std::fs::read_to_string(&seen).expect("mfa_process ran");
    assert!(
        mfa_env.contains("HOME="),
        "mfa_process wrote its environment"
    );
    assert!(!leaked(&mfa_env), "mfa_process got the passphrase");
}
