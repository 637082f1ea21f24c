//! [`RetryPolicy`]: when a failed attempt is tried again, and after how long.

use std::time::{Duration, SystemTime};

use super::{HeaderMap, Method, StatusCode};

/// When and how a failed request is tried again: on connection errors, timeouts, and
/// statuses 408, 409, 429 and 5xx, with exponential backoff and jitter, honouring the
/// server's `Retry-After`. By default only idempotent methods are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_non_idempotent: bool,
    idempotency_header: Option<String>,
}

impl Default for RetryPolicy {
    /// Two retries, backing off from 0.5 s up to 8 s.
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            retry_non_idempotent: false,
            idempotency_header: None,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry; it doubles for each one after, up to `max_backoff`.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between tries, also the cap on a server's `Retry-After`.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Also retry `POST` and `PATCH`, which may not be safe to repeat.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// With [`retry_non_idempotent`](Self::retry_non_idempotent), sends a fresh random key
    /// in this header on each `POST` or `PATCH` that has none (the same key on every
    /// attempt), so the server applies a retried request once: Stripe's `Idempotency-Key`.
    pub fn idempotency_key(mut self, header: impl Into<String>) -> Self {
        self.idempotency_header = Some(header.into());
        self
    }

    /// The header and a new key for a request of `method` that may be retried although
    /// repeating it is not safe.
    pub(crate) fn idempotency_key_for(&self, method: &Method) -> Option<(&str, String)> {
        let header =
            self.idempotency_header.as_deref().filter(|_| self.retry_non_idempotent && !is_idempotent(method))?;
        Some((header, format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))))
    }

    pub(crate) fn allows(&self, method: &Method) -> bool {
        is_idempotent(method) || self.retry_non_idempotent
    }

    /// The wait before retry number `retry` (1-based): the server's `Retry-After` when it
    /// gives one, else exponential backoff less up to 25% jitter, so clients spread out.
    pub(crate) fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(wait) = headers.and_then(retry_after) {
            return wait.min(self.max_backoff);
        }
        let exponential = self.initial_backoff.saturating_mul(2_u32.saturating_pow(retry.saturating_sub(1)));
        exponential.min(self.max_backoff).mul_f64(1.0 - 0.25 * fastrand::f64())
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE)
}

/// `Retry-After` as seconds or an HTTP date, or the non-standard `retry-after-ms`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim);
    if let Some(millis) = text("retry-after-ms").and_then(|value| value.parse::<f64>().ok()) {
        return Duration::try_from_secs_f64(millis / 1000.0).ok();
    }
    let value = text("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).expect("a header value"));
        }
        headers
    }

    #[test]
    fn retry_after_reads_seconds_milliseconds_and_dates() {
        assert_eq!(retry_after(&headers(&[("retry-after", "3")])), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&headers(&[("retry-after", " 0.5 ")])), Some(Duration::from_millis(500)));
        assert_eq!(
            retry_after(&headers(&[("retry-after", "9"), ("retry-after-ms", "250")])),
            Some(Duration::from_millis(250))
        );
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let wait = retry_after(&headers(&[("retry-after", &soon)])).expect("a date");
        assert!(wait > Duration::from_secs(27) && wait <= Duration::from_secs(30), "{wait:?}");
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(30));
        assert_eq!(retry_after(&headers(&[("retry-after", &past)])), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-1")])), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy =
            RetryPolicy::default().initial_backoff(Duration::from_millis(100)).max_backoff(Duration::from_millis(1000));
        for (retry, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (40, 1000)] {
            let delay = policy.delay(retry, None);
            let full = Duration::from_millis(full);
            assert!(delay <= full && delay >= full.mul_f64(0.75), "retry {retry}: {delay:?}");
        }
        // The server's word wins, within the cap.
        assert_eq!(policy.delay(1, Some(&headers(&[("retry-after", "0.2")]))), Duration::from_millis(200));
        assert_eq!(policy.delay(1, Some(&headers(&[("retry-after", "60")]))), Duration::from_millis(1000));
    }

    #[test]
    fn only_idempotent_methods_are_retried_unless_asked_and_keys_go_with_the_others() {
        let policy = RetryPolicy::default().idempotency_key("Idempotency-Key");
        assert!(policy.allows(&Method::PUT) && !policy.allows(&Method::POST));
        assert_eq!(policy.idempotency_key_for(&Method::POST), None, "not retried, so no key");
        let policy = policy.retry_non_idempotent(true);
        assert!(policy.allows(&Method::POST));
        let (header, key) = policy.idempotency_key_for(&Method::POST).expect("a key");
        assert_eq!((header, key.len()), ("Idempotency-Key", 32));
        assert_ne!(policy.idempotency_key_for(&Method::POST).map(|(_, key)| key), Some(key), "a new key each time");
        assert_eq!(policy.idempotency_key_for(&Method::GET), None);
        assert!(retryable_status(StatusCode::TOO_MANY_REQUESTS) && retryable_status(StatusCode::BAD_GATEWAY));
        assert!(!retryable_status(StatusCode::NOT_FOUND));
    }
}
