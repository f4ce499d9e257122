//! The process's one async runtime, built on first use.

use std::future::Future;
use std::sync::OnceLock;
use std::task::{Context as TaskContext, Poll, Waker};

use anyhow::{Context, Result};
use tokio::runtime::Runtime;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The runtime every AWS call runs on. Current-thread: vault makes one call at a time, and a
/// second thread calling `block_on` (the `exec --server` renewer) waits its turn.
pub fn runtime() -> Result<&'static Runtime> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    // Said in --debug so a test can see that a plan served from the cache starts none.
    crate::debug!("starting the async runtime");
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // Two threads may race to build one; the loser's is dropped unused.
    Ok(RUNTIME.get_or_init(|| built))
}

/// The output of a future that needs no I/O driver and finishes at its first poll (the SDK's
/// profile-file parser is `async` but reads files synchronously), without starting a runtime.
/// `None` if it would have waited.
pub fn ready<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut TaskContext::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_futures_need_no_runtime() {
        assert_eq!(ready(async { 7 }), Some(7));
        assert_eq!(ready(std::future::pending::<()>()), None);
    }

    #[test]
    fn one_runtime_serves_every_call() {
        let first = runtime().unwrap() as *const Runtime;
        let second = runtime().unwrap() as *const Runtime;
        assert_eq!(first, second);
        // Timers work: the runtime has its drivers.
        let slept = runtime().unwrap().block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            "slept"
        });
        assert_eq!(slept, "slept");
    }
}
