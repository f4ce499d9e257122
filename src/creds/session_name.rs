//! The RoleSessionName vault sends when a profile sets none.
//!
//! aws-vault sends a new timestamp per call and the AWS SDKs a name of their own; vault sends
//! `vault-<local user>`, the same for every call of a user. Stable, because every role is now
//! cached (issue 11): a cached role and a freshly assumed one carry the same name, so CloudTrail
//! shows one name per user and role instead of one per call, and the name says whose machine
//! assumed the role. The user comes from the password database, not `$USER`, so it is the uid
//! vault runs as.

/// STS allows at most 64 characters from `[\w+=,.@-]` and at least 2.
const MAX: usize = 64;

pub fn default_session_name() -> String {
    let user = local_user().unwrap_or_else(|| "user".to_string());
    sanitise(&format!("vault-{user}"))
}

/// Every character STS refuses becomes `-`, and the name is cut to STS's length.
fn sanitise(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(MAX)
        .collect()
}

/// The login name of the uid vault runs as, if the password database has one.
#[cfg(unix)]
fn local_user() -> Option<String> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0 as libc::c_char; 4096];
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to a live local of the size given; getpwuid_r writes only there.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: on success pw_name points to a NUL-terminated string inside `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    let name = name.to_str().ok()?.to_string();
    (!name.is_empty()).then_some(name)
}

/// Windows has no password database to ask; the logon name is in the environment.
#[cfg(not(unix))]
fn local_user() -> Option<String> {
    std::env::var("USERNAME")
        .ok()
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_stable_and_within_what_sts_accepts() {
        let name = default_session_name();
        assert_eq!(name, default_session_name());
        assert!(name.starts_with("vault-") && name.len() >= 2 && name.len() <= MAX);
    }

    #[test]
    fn characters_sts_refuses_are_replaced_and_long_names_cut() {
        assert_eq!(sanitise("vault-a b/c"), "vault-a-b-c");
        assert_eq!(sanitise("vault-j.doe@corp"), "vault-j.doe@corp");
        assert_eq!(sanitise(&"x".repeat(100)).len(), MAX);
    }
}
