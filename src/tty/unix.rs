//! Prompts on a Unix terminal. While a prompt is open vault has changed the terminal's settings
//! (echo off for a secret), so it gives them back on every way out: an answer, an error, a panic
//! (the guard's `Drop`), and the signals that end a process (SIGINT, SIGTERM, SIGHUP, SIGQUIT:
//! the handler restores the terminal first thing, then the signal does what it would have done
//! without the prompt).
//!
//! Not rpassword: it reads in raw mode with ISIG cleared and, on Ctrl-C, raises SIGINT before
//! it restores the terminal, so vault died with ISIG still cleared and zsh and fish (which do
//! not reset it) had Ctrl-C switched off for the rest of the session. Here the terminal stays in
//! canonical mode with ISIG on and only echo is turned off: the kernel edits the line, and
//! Ctrl-C, Ctrl-\ and Ctrl-D keep their usual meaning.

use std::cell::UnsafeCell;
use std::fs::{File, OpenOptions};
use std::io::{PipeReader, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};

use libc::c_int;
use zeroize::Zeroizing;

use super::PromptError;

/// The signals that end a process and that a person at a prompt can send (Ctrl-C, Ctrl-\, a
/// closed terminal window, `kill`).
const CAUGHT: [c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// One prompt at a time: the statics below belong to the open one.
static ONE_PROMPT: Mutex<()> = Mutex::new(());
/// The open prompt's terminal, -1 when none: the signal handler restores [`SAVED`] on it.
static TTY_FD: AtomicI32 = AtomicI32::new(-1);
/// The write end of the open prompt's wake-up pipe, -1 when none.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
/// The first signal caught while the prompt was open, 0 when none.
static SIGNALLED: AtomicI32 = AtomicI32::new(0);
/// The terminal's settings before the open prompt changed them.
static SAVED: SavedTermios = SavedTermios(UnsafeCell::new(MaybeUninit::uninit()));

struct SavedTermios(UnsafeCell<MaybeUninit<libc::termios>>);
// SAFETY: written only under ONE_PROMPT while TTY_FD is -1, read (by the handler) only after
// TTY_FD, stored after the write with SeqCst, names a terminal.
unsafe impl Sync for SavedTermios {}

extern "C" fn on_signal(signal: c_int) {
    // Only async-signal-safe calls: tcflush, tcsetattr, write, atomics; errno is the interrupted code's.
    let errno = errno::errno();
    let fd = TTY_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        // Drop what was typed and not yet sent with Enter (part of a secret, in canonical mode
        // still in the terminal's queue), or the shell would read it as its next command line.
        // SAFETY: SAVED holds a termios whenever TTY_FD is not -1 (see SavedTermios).
        unsafe {
            libc::tcflush(fd, libc::TCIFLUSH);
            libc::tcsetattr(fd, libc::TCSANOW, (*SAVED.0.get()).as_ptr());
        }
    }
    let _ = SIGNALLED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    let wake = WAKE_FD.load(Ordering::SeqCst);
    if wake >= 0 {
        // SAFETY: writing one byte from a live buffer; the fd is non-blocking.
        unsafe { libc::write(wake, [1u8].as_ptr().cast(), 1) };
    }
    errno::set_errno(errno);
}

/// Read one line typed at the terminal, shown or hidden, with the terminal restored on return.
pub(super) fn read_line(prompt: &str, hidden: bool) -> Result<Zeroizing<Vec<u8>>, PromptError> {
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| PromptError::NoTerminal)?;
    let prompting = Prompting::start(&tty, hidden)?;
    let answer = prompting.read(&mut tty, prompt);
    match prompting.finish() {
        None => answer,
        Some(signal) => Err(deliver(signal, &mut tty)),
    }
}

/// A signal came while the prompt was open and the terminal is back as it was: end the
/// prompt's line and let the signal act as it would have without the prompt. With no handler
/// of vault's for it, that ends vault (Ctrl-C after one line saying so), by the signal, so a
/// script running vault sees it was interrupted. With one (the hook's, see
/// [`make_prompts_interruptible`]) the prompt fails and the caller says what was cancelled.
fn deliver(signal: c_int, tty: &mut File) -> PromptError {
    let _ = tty.write_all(b"\n");
    if signal == libc::SIGINT && disposition_is_default(signal) {
        crate::term::say("cancelled (Ctrl-C)");
    }
    // SAFETY: raising a signal in this thread; its action is the one vault had before.
    unsafe { libc::raise(signal) };
    if signal == libc::SIGINT {
        PromptError::Cancelled
    } else {
        PromptError::Signal(signal)
    }
}

fn disposition_is_default(signal: c_int) -> bool {
    // SAFETY: querying (not changing) a signal's action into a zeroed struct.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut action) == 0
            && action.sa_sigaction == libc::SIG_DFL
    }
}

/// The open prompt: the terminal's settings and the signal actions it changed, put back by
/// [`Prompting::finish`] or, on any other way out, by `Drop`.
struct Prompting {
    fd: RawFd,
    saved: libc::termios,
    previous: Vec<(c_int, libc::sigaction)>,
    wake: PipeReader,
    wake_writer: Option<std::io::PipeWriter>,
    restored: bool,
    _one_prompt: MutexGuard<'static, ()>,
}

impl Prompting {
    fn start(tty: &File, hidden: bool) -> Result<Self, PromptError> {
        let one_prompt = ONE_PROMPT
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let fd = tty.as_raw_fd();
        let saved = get_attr(fd)?;
        let (wake, wake_writer) = std::io::pipe()?;
        set_nonblocking(wake_writer.as_raw_fd())?;
        // SAFETY: under ONE_PROMPT with TTY_FD -1, nothing else reads or writes SAVED.
        unsafe { (*SAVED.0.get()).write(saved) };
        SIGNALLED.store(0, Ordering::SeqCst);
        WAKE_FD.store(wake_writer.as_raw_fd(), Ordering::SeqCst);
        TTY_FD.store(fd, Ordering::SeqCst);
        let mut prompting = Prompting {
            fd,
            saved,
            previous: Vec::new(),
            wake,
            wake_writer: Some(wake_writer),
            restored: false,
            _one_prompt: one_prompt,
        };
        prompting.catch_signals();
        if hidden {
            let mut quiet = saved;
            // Echo nothing typed but the final newline, so the cursor still moves on.
            quiet.c_lflag &= !(libc::ECHO | libc::ECHOE | libc::ECHOK);
            quiet.c_lflag |= libc::ECHONL;
            set_attr(fd, &quiet)?;
        }
        Ok(prompting)
    }

    /// Catch [`CAUGHT`], except a signal vault was started with ignored (`nohup`): that one
    /// stays ignored.
    fn catch_signals(&mut self) {
        let handler: extern "C" fn(c_int) = on_signal;
        for signal in CAUGHT {
            // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe. No
            // SA_RESTART, so a signal also ends a blocked poll (EINTR).
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                for other in CAUGHT {
                    libc::sigaddset(&mut action.sa_mask, other);
                }
                let mut previous: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut previous) != 0
                    || previous.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                if libc::sigaction(signal, &action, std::ptr::null_mut()) == 0 {
                    self.previous.push((signal, previous));
                }
            }
        }
    }

    /// Show the prompt and read up to the end of the line. A signal ends the wait (the
    /// handler writes to the wake-up pipe, so one that comes just before `poll` counts too).
    fn read(&self, tty: &mut File, prompt: &str) -> Result<Zeroizing<Vec<u8>>, PromptError> {
        tty.write_all(prompt.as_bytes())?;
        tty.flush()?;
        // The longest line a terminal in canonical mode takes is 4095 bytes (Linux): room for
        // it up front, so no reallocation leaves a copy of a secret behind.
        let mut line = Zeroizing::new(Vec::with_capacity(4096));
        let mut chunk = Zeroizing::new([0u8; 512]);
        loop {
            let mut fds = [
                libc::pollfd {
                    fd: self.fd,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: self.wake.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: polling two live descriptors described by a live array.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if SIGNALLED.load(Ordering::SeqCst) != 0 || fds[1].revents != 0 {
                return Err(PromptError::Cancelled);
            }
            if ready < 0 {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err.into());
            }
            if fds[0].revents == 0 {
                continue;
            }
            let n = match tty.read(&mut chunk[..]) {
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err.into()),
            };
            if n == 0 {
                // Ctrl-D: on an empty line, no answer; after some text, that text.
                if line.is_empty() {
                    return Err(PromptError::EndOfInput);
                }
                return Ok(line);
            }
            if let Some(end) = chunk[..n].iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&chunk[..end]);
                return Ok(line);
            }
            line.extend_from_slice(&chunk[..n]);
        }
    }

    /// Put the terminal and the signal actions back; the signal caught meanwhile, if any.
    fn finish(mut self) -> Option<c_int> {
        self.restore();
        match SIGNALLED.swap(0, Ordering::SeqCst) {
            0 => None,
            signal => Some(signal),
        }
    }

    fn restore(&mut self) {
        if self.restored {
            return;
        }
        self.restored = true;
        // The terminal first: a signal from here on finds it as it was.
        let _ = set_attr(self.fd, &self.saved);
        TTY_FD.store(-1, Ordering::SeqCst);
        for (signal, previous) in self.previous.drain(..) {
            // SAFETY: putting back the action read in catch_signals.
            unsafe { libc::sigaction(signal, &previous, std::ptr::null_mut()) };
        }
        WAKE_FD.store(-1, Ordering::SeqCst);
        self.wake_writer = None;
    }
}

impl Drop for Prompting {
    fn drop(&mut self) {
        self.restore();
    }
}

fn get_attr(fd: RawFd) -> Result<libc::termios, PromptError> {
    let mut termios = MaybeUninit::<libc::termios>::uninit();
    // SAFETY: tcgetattr fills the struct when it returns 0.
    if unsafe { libc::tcgetattr(fd, termios.as_mut_ptr()) } != 0 {
        return Err(PromptError::NoTerminal);
    }
    // SAFETY: initialised by the successful tcgetattr.
    Ok(unsafe { termios.assume_init() })
}

fn set_attr(fd: RawFd, termios: &libc::termios) -> std::io::Result<()> {
    // SAFETY: a valid termios for a descriptor we hold open.
    if unsafe { libc::tcsetattr(fd, libc::TCSANOW, termios) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn set_nonblocking(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: reading and setting the flags of a descriptor we hold open.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Let Ctrl-C interrupt a terminal prompt instead of killing the process, so the hook can
/// record "cancelled" and not ask again at every prompt: with a handler of vault's for SIGINT,
/// [`deliver`] returns [`PromptError::Cancelled`] instead of ending vault.
pub(super) fn make_prompts_interruptible() {
    extern "C" fn on_interrupt(_: libc::c_int) {}
    // SAFETY: installing a handler that does nothing is async-signal-safe; without SA_RESTART a
    // blocked read returns EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as *const () as usize;
        action.sa_flags = 0;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}
