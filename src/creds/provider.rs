//! Carrying out a [`Plan`]: read the root credentials, reuse cached sessions, roles and root
//! results made by the same settings (their [`Binding`]), and make the remaining calls, each
//! one under a cross-process lock so N processes that need the same session make one call and
//! ask for one MFA code. A plan served from the cache starts no async runtime and builds no
//! SDK client: both are made only inside the closures that call out.

use anyhow::{Context, Result, bail};

use super::binding::Binding;
use super::items::{self, CachedSession, Wanted};
use super::mfa::MfaSource;
use super::plan::{Plan, Step};
use super::sts;
use super::{Credentials, process};
use crate::aws::{self, Endpoint};
use crate::clock::Clock;
use crate::profile::RootSource;
use crate::settings::Ttls;
use crate::store::lock::{self, LockGuard};
use crate::store::{SecretStore, StoreError};

pub struct Provider<'a> {
    pub store: &'a dyn SecretStore,
    pub ttls: Ttls,
    pub endpoint: Endpoint,
    pub mfa: MfaSource,
    /// What decides whether a cached session is still fresh.
    pub clock: &'a dyn Clock,
}

impl Provider<'_> {
    /// The credentials at the end of `plan`.
    pub fn credentials(&mut self, plan: &Plan) -> Result<Credentials> {
        // The runtime is asked for only when a step must call STS: a fully cached plan
        // starts none.
        self.run(plan, &lock::acquire, |provider, step, source| {
            aws::runtime()?.block_on(provider.call(step, source))
        })
    }

    /// The work of `credentials`, with the session lock and the STS call as parameters: the
    /// seam the unit tests use to count calls without a network or the user's lock folder.
    fn run(
        &mut self,
        plan: &Plan,
        lock: &dyn Fn(&str) -> Result<LockGuard>,
        mut call: impl FnMut(&mut Self, &Step, &Credentials) -> Result<Credentials>,
    ) -> Result<Credentials> {
        // What made each step's result: a cached item is reused only for the same (issue 10).
        let (root_binding, keys, root_creds) = self.root_binding(&plan.root)?;
        let bindings: Vec<Binding> = plan
            .steps
            .iter()
            .scan(root_binding.clone(), |binding, step| {
                *binding = binding.then(step);
                Some(binding.clone())
            })
            .collect();
        let wanted = |index: usize| Wanted {
            binding: &bindings[index],
            keys: keys.as_ref(),
            duration: plan.steps[index].duration(),
        };
        // Start after the last step whose result is cached and fresh: nothing before it is
        // needed, not even a credential_process or SSO sign-in.
        let mut start = 0;
        let mut current = None;
        for (index, step) in plan.steps.iter().enumerate().rev() {
            if let Some(key) = step.cache_key()
                && let Some(cached) = self.fresh(key, &wanted(index))?
            {
                crate::debug!("using cached {key}");
                start = index + 1;
                current = Some(cached.credentials.clone());
                break;
            }
        }
        let mut creds = match current {
            Some(creds) => creds,
            None => match root_creds {
                Some(creds) => creds,
                None => self.cached_root(&plan.root, &root_binding, lock)?,
            },
        };
        for (index, step) in plan.steps.iter().enumerate().skip(start) {
            creds = match step.cache_key() {
                Some(key) => {
                    let _guard = lock(key)?;
                    // Another process may have fetched it while we waited for the lock.
                    if let Some(cached) = self.fresh(key, &wanted(index))? {
                        crate::debug!("using {key}, cached by another process meanwhile");
                        cached.credentials.clone()
                    } else {
                        let fetched = call(self, step, &creds)?;
                        let session = CachedSession::new(fetched, &wanted(index));
                        items::write_session(self.store, key, &session)
                            .with_context(|| format!("cannot cache {key}"))?;
                        session.credentials.clone()
                    }
                }
                None => call(self, step, &creds)?,
            };
        }
        Ok(creds)
    }

    /// The binding of the plan's root, [`Binding::keys`] of its stored keys, and the keys
    /// themselves when they had to be read for it: new keys make every session built on the
    /// old ones a miss. A damaged keys item is not new keys (`vault add` writes them whole), so
    /// it leaves the key id unchecked and a cached session still serves, as before bindings;
    /// missing keys are the usual error. Other roots are bound by their settings only, so a
    /// cached session still saves running the credential_process or the SSO call.
    fn root_binding(
        &self,
        root: &RootSource,
    ) -> Result<(Binding, Option<Binding>, Option<Credentials>)> {
        let binding = Binding::root(root, self.endpoint.url.as_deref());
        let RootSource::StoredKeys { profile } = root else {
            return Ok((binding, None, None));
        };
        match items::read_keys(self.store, profile) {
            Ok(Some(keys)) => Ok((
                binding,
                Some(Binding::keys(&keys.access_key_id)),
                Some(keys),
            )),
            Ok(None) => Err(no_keys(profile)),
            Err(StoreError::Corrupt { .. }) => {
                crate::debug!(
                    "keys of '{profile}' are damaged: cached sessions checked without their key id"
                );
                Ok((binding, None, None))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The root's credentials when they are not stored keys, from the cache (`source:PROFILE`)
    /// while fresh and made by the same settings, else fetched (SSO and web identity under the
    /// lock) and cached when
    /// they expire (a credential_process that prints long-term keys is run every time, as the
    /// SDKs do: nothing says when they would go stale).
    fn cached_root(
        &self,
        root: &RootSource,
        binding: &Binding,
        lock: &dyn Fn(&str) -> Result<LockGuard>,
    ) -> Result<Credentials> {
        let key = items::source_item(root.profile());
        let wanted = Wanted {
            binding,
            keys: None,
            duration: self.root_duration(root),
        };
        if let Some(cached) = self.fresh(&key, &wanted)? {
            crate::debug!("using cached {key}");
            return Ok(cached.credentials.clone());
        }
        // No lock around a credential_process: the command may itself run vault for a profile
        // on this root (a loop the nesting limit stops), which would wait for our lock forever.
        let guard = match root {
            RootSource::CredentialProcess { .. } => None,
            _ => Some(lock(&key)?),
        };
        if guard.is_some()
            && let Some(cached) = self.fresh(&key, &wanted)?
        {
            crate::debug!("using {key}, cached by another process meanwhile");
            return Ok(cached.credentials.clone());
        }
        let fetched = self.root(root)?;
        if fetched.expiration.is_none() {
            return Ok(fetched);
        }
        let session = CachedSession::new(fetched, &wanted);
        items::write_session(self.store, &key, &session)
            .with_context(|| format!("cannot cache {key}"))?;
        Ok(session.credentials.clone())
    }

    /// The lifetime a root asks STS for: only a web identity asks one (the binding holds its
    /// `duration_seconds`, not AWS_ASSUME_ROLE_TTL); the others take what they are given.
    fn root_duration(&self, root: &RootSource) -> std::time::Duration {
        match root {
            RootSource::WebIdentity { web_identity, .. } => {
                super::web_identity::duration(web_identity, self.ttls.assume_role)
            }
            _ => std::time::Duration::ZERO,
        }
    }

    fn fresh(&self, key: &str, wanted: &Wanted) -> Result<Option<CachedSession>> {
        items::read_session(self.store, key, wanted, self.ttls.min_ttl, self.clock.now())
            .with_context(|| format!("cannot read cached {key}"))
    }

    fn root(&self, root: &RootSource) -> Result<Credentials> {
        match root {
            RootSource::StoredKeys { profile } => {
                items::read_keys(self.store, profile)?.ok_or_else(|| no_keys(profile))
            }
            RootSource::CredentialProcess { profile, command } => process::run(profile, command),
            RootSource::Sso { profile, sso } => {
                super::sso::credentials(self.store, profile, sso, self.ttls.min_ttl, self.clock)
            }
            RootSource::WebIdentity {
                profile,
                web_identity,
            } => super::web_identity::credentials(
                profile,
                web_identity,
                &self.endpoint,
                self.ttls.assume_role,
            ),
        }
    }

    async fn call(&mut self, step: &Step, source: &Credentials) -> Result<Credentials> {
        let mfa = match step.mfa_serial() {
            Some(serial) => {
                let owner = match step {
                    Step::GetSessionToken { profile, .. } => profile,
                    Step::AssumeRole { hop, .. } => &hop.profile,
                };
                Some((serial.to_string(), self.mfa.code(owner, serial)?))
            }
            None => None,
        };
        let mfa = mfa.as_ref().map(|(s, c)| (s.as_str(), c.as_str()));
        let client = sts::client(&self.endpoint, Some(source));
        match step {
            Step::GetSessionToken {
                profile, duration, ..
            } => {
                crate::debug!(
                    "GetSessionToken for '{profile}' with {} ({}s, mfa={}) at {}",
                    crate::debug::redact_key_id(&source.access_key_id),
                    duration.as_secs(),
                    mfa.is_some(),
                    self.endpoint.url.as_deref().unwrap_or("AWS")
                );
                if source.is_temporary() {
                    bail!(
                        "profile '{profile}': GetSessionToken needs long-term keys, not temporary ones (use --no-session)"
                    );
                }
                sts::get_session_token(&client, *duration, mfa)
                    .await
                    .with_context(|| format!("profile '{profile}'"))
            }
            Step::AssumeRole { hop, duration, .. } => {
                crate::debug!(
                    "AssumeRole {} for '{}' ({}s, mfa={})",
                    hop.role_arn,
                    hop.profile,
                    duration.as_secs(),
                    mfa.is_some()
                );
                let session_name = hop
                    .role_session_name
                    .clone()
                    .unwrap_or_else(super::session_name::default_session_name);
                sts::assume_role(
                    &client,
                    sts::AssumeRole {
                        role_arn: &hop.role_arn,
                        session_name: &session_name,
                        duration: *duration,
                        external_id: hop.external_id.as_deref(),
                        source_identity: hop.source_identity.as_deref(),
                        mfa,
                        tags: &hop.tags,
                    },
                )
                .await
                .with_context(|| format!("profile '{}'", hop.profile))
            }
        }
    }
}

fn no_keys(profile: &str) -> anyhow::Error {
    anyhow::anyhow!("no keys stored for profile '{profile}' (run `vault add {profile}`)")
}

#[cfg(test)]
mod tests;
