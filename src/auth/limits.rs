//! What keeps anonymous, expensive requests from taking the server: a
//! per-client-address budget on the password doors (sign-in on the API and
//! the page, forgot-password, accepting an invitation, resetting), the
//! bounded password threads, and a bound on reset requests still being
//! worked on after their answer.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use super::client::Proxies;
use super::password::PasswordWork;
use crate::config::Settings;
use crate::errors::ApiError;

/// Reset requests whose work may be pending at once (see
/// `flows::forgot_password`); more are refused with 429.
const RESETS_IN_FLIGHT: usize = 64;

pub struct Limits {
    pub proxies: Proxies,
    pub passwords: PasswordWork,
    pub per_client: PerClient,
    /// Places for reset requests answered but not yet worked on.
    pub resets: Arc<tokio::sync::Semaphore>,
}

impl Limits {
    pub fn new(settings: &Settings) -> anyhow::Result<Limits> {
        Ok(Limits {
            proxies: Proxies::parse(settings.trusted_proxies.as_deref().unwrap_or(""))?,
            passwords: PasswordWork::new(settings.password_threads, settings.password_queue)?,
            per_client: PerClient::new(settings.sign_in_per_minute, settings.sign_in_burst),
            resets: Arc::new(tokio::sync::Semaphore::new(RESETS_IN_FLIGHT)),
        })
    }
}

/// The per-address budget, in memory: each instance keeps its own, which
/// multiplies an attacker's allowance by the number of instances but needs
/// no shared store. The per-account throttle (in the database) is shared.
pub struct PerClient {
    limiter: RateLimiter<IpAddr, HashMapStateStore<IpAddr>, DefaultClock>,
    clock: DefaultClock,
    checks: AtomicU32,
}

impl PerClient {
    pub fn new(per_minute: u32, burst: u32) -> PerClient {
        let one = NonZeroU32::MIN;
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(one))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(one));
        let clock = DefaultClock::default();
        PerClient {
            limiter: RateLimiter::new(quota, HashMapStateStore::default(), clock.clone()),
            clock,
            checks: AtomicU32::new(0),
        }
    }

    /// Spends one of `client`'s attempts, or says how long to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), ApiError> {
        // Addresses whose budget is full again are forgotten now and then,
        // so a sweep of many addresses does not grow the map for ever.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            ApiError::too_many_requests(
                "Too many attempts from your address. Wait a little and try again.",
                wait.as_secs() + 1,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_spends_one_address_budget_only() {
        let limits = PerClient::new(1, 3);
        let (a, b): (IpAddr, IpAddr) = ("203.0.113.7".parse().unwrap(), "198.51.100.9".parse().unwrap());
        for _ in 0..3 {
            assert!(limits.check(a).is_ok());
        }
        let refused = limits.check(a).expect_err("refused");
        assert_eq!(refused.kind(), crate::errors::ProblemType::TooManyRequests);
        assert!(limits.check(b).is_ok());
    }
}
