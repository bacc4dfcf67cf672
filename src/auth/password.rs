//! Password hashing with argon2id at OWASP's minimum parameters
//! (m = 19456 KiB, t = 2, p = 1).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::errors::ApiError;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

/// Checks `password` against a stored hash. With no stored hash (unknown
/// account, or an invitation not yet accepted) it still does the same work
/// against a dummy hash, so timing does not tell whether an account exists.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    let ok = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && real
}

type Job = Box<dyn FnOnce() + Send>;

/// Lowers the calling thread's CPU priority (nice 10): a password check
/// takes tens of milliseconds of a core, and during a flood of sign-ins
/// both cores would otherwise be theirs while every other request waits
/// its turn behind them. At nice 10 they still use any idle core, but an
/// ordinary request runs first (issue 23: `GET /me` during 400 sign-ins).
#[allow(unsafe_code)]
fn yield_to_requests() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its integer arguments; `PRIO_PROCESS`
    // with a thread id changes that one thread's nice value on Linux.
    unsafe {
        let tid = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10) != 0 {
            tracing::debug!("could not lower the password threads' priority");
        }
    }
}

/// The threads that hash and check passwords. Each check costs 19 MiB and
/// tens of milliseconds of a core; run without a bound (actix's blocking
/// pool has 512 threads), a burst of sign-ins held a gigabyte and made
/// every other request wait. Here at most `threads` run, at most `queue`
/// wait, and anything beyond is refused at once with 429.
pub struct PasswordWork {
    jobs: mpsc::Sender<Job>,
    /// Checks running or waiting; never more than `capacity`.
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// Gives back a place when a job ends, runs or not (even if it panicked).
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordWork {
    /// `threads` 0 means one per core.
    pub fn new(threads: usize, queue: usize) -> anyhow::Result<PasswordWork> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("passwords-{i}"))
                .spawn(move || {
                    yield_to_requests();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let next = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        // Ends when the sender is gone, with its `PasswordWork`.
                        let Ok(job) = next else { return };
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })?;
        }
        Ok(PasswordWork {
            jobs,
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: threads + queue,
        })
    }

    /// Runs `f` on a password thread, or answers 429 when all are busy and
    /// the queue is full.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let admitted = self
            .admitted
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.capacity).then_some(n + 1)
            });
        if admitted.is_err() {
            return Err(ApiError::too_many_requests(
                "The server is busy checking passwords. Try again in a moment.",
                1,
            ));
        }
        let admission = Admission(self.admitted.clone());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _admission = admission;
            let _ = tx.send(f());
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal(anyhow::anyhow!("the password threads have stopped")))?;
        rx.await
            .map_err(|_| ApiError::internal(anyhow::anyhow!("a password check failed")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse", Some(&h)));
        assert!(!verify("wrong horse", Some(&h)));
        assert!(!verify("not a real password", None));
    }

    #[tokio::test]
    async fn beyond_threads_and_queue_the_answer_is_429() {
        let work = Arc::new(PasswordWork::new(1, 1).unwrap());
        let (release, gate) = mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let mut held = Vec::new();
        for _ in 0..2 {
            let (work, gate) = (work.clone(), gate.clone());
            held.push(tokio::spawn(async move {
                work.run(move || gate.lock().map(|g| g.recv().is_ok()).unwrap_or(false))
                    .await
            }));
        }
        // One runs and one waits; a third finds no place.
        while work.admitted.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        let refused = work.run(|| true).await.expect_err("refused");
        assert_eq!(refused.kind(), crate::errors::ProblemType::TooManyRequests);
        release.send(()).unwrap();
        release.send(()).unwrap();
        for h in held {
            assert!(h.await.unwrap().ok() == Some(true));
        }
        assert!(work.run(|| true).await.ok() == Some(true));
    }
}
