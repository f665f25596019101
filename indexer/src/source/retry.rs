//! Retrying transient RPC failures: which failures pass, and how long to wait.

use std::time::Duration;

use rand::Rng;
use solana_client::client_error::{ClientError, ClientErrorKind};
use solana_client::rpc_request::RpcError;

/// Retry policy for transient RPC failures.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 8,
            base: Duration::from_millis(100),
            max: Duration::from_secs(10),
        }
    }
}

impl Backoff {
    /// Delay before retry number `attempt` (0-based): exponential, capped, full jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.min(16)));
        let cap = exp.min(self.max);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX).max(1);
        Duration::from_millis(rand::thread_rng().gen_range(millis / 2..=millis))
    }
}

/// Whether an RPC failure is worth retrying: rate limits, timeouts, connection
/// failures, server errors, and answers that do not parse (a proxy's error page).
pub fn is_transient(err: &ClientError) -> bool {
    match err.kind() {
        // An HTTP status says whether: a timeout, a rate limit or a server error will
        // pass; a wrong URL or key (401, 403, 404) will not. No status: the connection.
        ClientErrorKind::Reqwest(err) => err.status().is_none_or(|status| {
            status.is_server_error() || matches!(status.as_u16(), 408 | 425 | 429)
        }),
        ClientErrorKind::Io(_) | ClientErrorKind::SerdeJson(_) => true,
        ClientErrorKind::RpcError(RpcError::RpcRequestError(_) | RpcError::ParseError(_)) => true,
        ClientErrorKind::RpcError(RpcError::RpcResponseError { code, .. }) => {
            // Node behind, block not available yet, or an internal error.
            matches!(
                *code,
                -32004 | -32005 | -32007 | -32014 | -32016 | -32603 | 429
            )
        }
        ClientErrorKind::Middleware(_) | ClientErrorKind::Custom(_) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let backoff = Backoff {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for attempt in 0..10 {
            let delay = backoff.delay(attempt);
            let ceiling = (100u64 << attempt.min(16)).min(1_000);
            assert!(
                delay <= Duration::from_millis(ceiling),
                "{attempt}: {delay:?}"
            );
            assert!(
                delay >= Duration::from_millis(ceiling / 2),
                "{attempt}: {delay:?}"
            );
        }
    }
}
