//! Rate limits, kept in the counter store so that every instance of the application
//! shares them.

use std::net::{IpAddr, Ipv6Addr};

use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::Auth;
use crate::config::RateLimit;
use crate::error::{Error, Result};
use crate::machine::seconds_until;
use crate::telemetry;

/// What a rate limit counts, which names its counters in the counter store. The names
/// are stored data (counters outlive a restart and are shared by every instance): a
/// variant's name never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Counted {
    /// Sign-in attempts from one client network.
    LoginsPerNetwork,
    /// Sign-in attempts for one identifier, known or not.
    LoginsPerIdentifier,
    /// Registrations from one client network.
    RegistrationsPerNetwork,
    /// Mails (links) asked for from one client network.
    MailsPerNetwork,
    /// Mails (links) sent to one address.
    MailsPerAddress,
    /// Changes of address asked for by one account (by its id).
    EmailChangesPerAccount,
    /// Access tokens issued to one account (by its id), by session or API key.
    AccessTokensPerAccount,
    /// A sign-in identifier guarded by the lockout (see `lockout::Subject`).
    LockoutIdentifier,
}

impl Counted {
    /// The prefix of the counters' keys.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::LoginsPerNetwork => "rl:login:ip",
            Self::LoginsPerIdentifier => "rl:login:id",
            Self::RegistrationsPerNetwork => "rl:register:ip",
            Self::MailsPerNetwork => "rl:mail:ip",
            Self::MailsPerAddress => "rl:mail:addr",
            Self::EmailChangesPerAccount => "rl:email_change:u",
            Self::AccessTokensPerAccount => "rl:token:u",
            Self::LockoutIdentifier => "i",
        }
    }

    /// The name of the limit that counts this, as the [`RateLimits`](crate::RateLimits)
    /// field is called: the `limit` label of the refusals' metric.
    pub(super) fn limit(self) -> &'static str {
        match self {
            Self::LoginsPerNetwork => "login_per_ip",
            Self::LoginsPerIdentifier => "login_per_identifier",
            Self::RegistrationsPerNetwork => "register_per_ip",
            Self::MailsPerNetwork => "mail_per_ip",
            Self::MailsPerAddress => "mail_per_address",
            Self::EmailChangesPerAccount => "email_change_per_account",
            Self::AccessTokensPerAccount => "token_per_account",
            Self::LockoutIdentifier => "lockout",
        }
    }

    /// The key of the counter for `value`. Keys never contain an address or identifier
    /// in clear: a digest keeps the counter store free of personal data and bounds key
    /// length. Only an account id, which is neither, is kept as it is.
    pub(super) fn key(self, value: &str) -> String {
        match self {
            Self::EmailChangesPerAccount | Self::AccessTokensPerAccount => {
                format!("{}:{value}", self.as_str())
            }
            _ => {
                let digest = Sha256::digest(value.as_bytes());
                format!("{}:{}", self.as_str(), hex::encode(&digest[..16]))
            }
        }
    }
}

impl std::fmt::Display for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The network a client address is counted under: an IPv4 address itself (also when
/// written as an IPv4-mapped IPv6 address), an IPv6 address's first `ipv6_prefix` bits,
/// since one customer usually holds a whole /64 and could otherwise rotate through it.
pub(super) fn client_network(ip: IpAddr, ipv6_prefix: u8) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let bits = u32::from(ipv6_prefix.min(128));
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                let network = Ipv6Addr::from(u128::from(v6) & mask);
                format!("{network}/{bits}")
            }
        },
    }
}

impl Auth {
    /// Counts one attempt against `limit` in the `counted` counter of `value`.
    ///
    /// # Errors
    /// [`Error::RateLimited`] once the window holds more than `limit.max` attempts.
    pub(super) async fn hit(
        &self,
        counted: Counted,
        value: &str,
        limit: RateLimit,
        now: OffsetDateTime,
    ) -> Result<()> {
        let counter = self
            .inner
            .counters
            .increment(&counted.key(value), limit.window, now)
            .await?;
        if counter.count > limit.max {
            telemetry::rate_limited(counted.limit());
            return Err(Error::RateLimited {
                retry_after: seconds_until(counter.expires_at, now),
            });
        }
        Ok(())
    }

    /// Counts one attempt per client network (see [`client_network`]), when the address
    /// is known.
    pub(super) async fn hit_ip(
        &self,
        counted: Counted,
        ip: Option<IpAddr>,
        limit: RateLimit,
        now: OffsetDateTime,
    ) -> Result<()> {
        match ip {
            Some(ip) => {
                let network = client_network(ip, self.inner.config.rate_limits.ipv6_prefix);
                self.hit(counted, &network, limit, now).await
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn counter_keys_stay_what_stores_already_hold() {
        let digest = "b5fc85e55755f9e0d030a10ab4429b6b";
        for (counted, prefix) in [
            (Counted::LoginsPerNetwork, "rl:login:ip"),
            (Counted::LoginsPerIdentifier, "rl:login:id"),
            (Counted::RegistrationsPerNetwork, "rl:register:ip"),
            (Counted::MailsPerNetwork, "rl:mail:ip"),
            (Counted::MailsPerAddress, "rl:mail:addr"),
            (Counted::LockoutIdentifier, "i"),
        ] {
            assert_eq!(counted.key("ada@example.com"), format!("{prefix}:{digest}"));
            assert_eq!(counted.to_string(), prefix);
        }
        assert_eq!(
            Counted::EmailChangesPerAccount.key("0190a1b2-0000-7000-8000-000000000000"),
            "rl:email_change:u:0190a1b2-0000-7000-8000-000000000000",
            "an account id is no personal data"
        );
        assert_eq!(
            Counted::AccessTokensPerAccount.key("0190a1b2-0000-7000-8000-000000000000"),
            "rl:token:u:0190a1b2-0000-7000-8000-000000000000"
        );
    }

    #[test]
    fn ipv6_addresses_count_by_prefix() {
        let a = client_network(ip("2001:db8:1:2:aaaa::1"), 64);
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(client_network(ip("2001:db8:1:2:ffff:1:2:3"), 64), a);
        assert_ne!(client_network(ip("2001:db8:1:3::1"), 64), a);
        assert_eq!(
            client_network(ip("2001:db8:1:2:3::1"), 48),
            "2001:db8:1::/48"
        );
        assert_eq!(client_network(ip("2001:db8::1"), 128), "2001:db8::1/128");
        assert_eq!(client_network(ip("2001:db8::1"), 0), "::/0");
        assert_eq!(client_network(ip("2001:db8::1"), 200), "2001:db8::1/128");
    }

    #[test]
    fn ipv4_counts_by_address_also_when_mapped() {
        assert_eq!(client_network(ip("192.0.2.7"), 64), "192.0.2.7");
        assert_eq!(client_network(ip("::ffff:192.0.2.7"), 64), "192.0.2.7");
        assert_ne!(client_network(ip("192.0.2.8"), 64), "192.0.2.7");
    }
}
