//! Turns for heavy reads: availability over long windows computes for long
//! enough that, run by everyone at once, it takes every core and the
//! memory with it. About one turn per core computes at a time; the rest
//! wait briefly and are then told to come back (429 with `Retry-After`),
//! so everyone else's requests keep their speed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::errors::ApiError;

/// How long a heavy read waits for a turn before it is turned away.
pub const WAIT: Duration = Duration::from_secs(2);

/// The turns; cloned handles share them.
#[derive(Clone)]
pub struct HeavyReads {
    turns: Arc<Semaphore>,
    wait: Duration,
}

/// A turn, given back when dropped.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
}

impl HeavyReads {
    pub fn new(turns: usize, wait: Duration) -> HeavyReads {
        HeavyReads {
            turns: Arc::new(Semaphore::new(turns.max(1))),
            wait,
        }
    }

    /// One turn per core this process may use.
    pub fn per_core() -> HeavyReads {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        HeavyReads::new(cores, WAIT)
    }

    /// Waits up to the wait for a turn; 429 after it.
    pub async fn turn(&self) -> Result<Turn, ApiError> {
        match tokio::time::timeout(self.wait, self.turns.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Turn { _permit: permit }),
            _ => Err(ApiError::too_many_requests(
                "Many searches for free time are running; try again in a moment.",
                self.wait.as_secs().max(1),
            )),
        }
    }
}
