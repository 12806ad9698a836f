//! Server-side use cases that combine the pure `analytics` crate with the [`Store`](crate::store::Store):
//! installing the standard catalog, importing the office list and showing it within a caller's scope, preparing a
//! fresh database.
//!
//! The CLI, the JSON API and the server functions all go through these functions, so real data and the demo
//! data set take the same path. CPU-bound parsing runs on the blocking pool, never on the async runtime.

pub mod accounts;
pub mod calendar;
pub mod catalog;
pub mod dashboard;
pub mod demo_history;
pub mod directory;
pub mod offices;
pub mod returns;
pub mod rollout;
pub mod scorecard;
pub mod setup;
pub mod upload_reports;

use std::sync::Arc;

use crate::store::Store;

/// Shared state of the running application, provided to server functions as context.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Session lifetimes, cookie flags and the throttling rule.
    pub auth: accounts::AuthPolicy,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`GONGKAI_TRUSTED_PROXIES`); empty: the peer of
    /// the connection is the client, and the header, which anyone can write, is ignored.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Upload size limits of returns.
    pub return_limits: returns::ReturnLimits,
    /// Reports of recent uploads, for the page a plain (no-script) upload form is sent to.
    pub upload_reports: Arc<upload_reports::UploadReports>,
    /// Web forms refused for their errors, for the form page they are sent back to (with what was typed).
    pub rejected_forms: Arc<upload_reports::RejectedForms>,
    /// Outcomes of the administration forms that report more than a status (schemes, calendar).
    pub admin_forms: Arc<upload_reports::AdminForms>,
    /// Uploads read and checked at once, server-wide ([`UPLOAD_PERMITS`]): each may hold up to a few hundred MB.
    pub upload_permits: Arc<tokio::sync::Semaphore>,
}

/// How many uploads the server reads, unpacks and checks at the same time; the others wait briefly, then are asked
/// to try again.
pub const UPLOAD_PERMITS: usize = 2;

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            auth: accounts::AuthPolicy::default(),
            trusted_proxies: Arc::from(Vec::new()),
            return_limits: returns::ReturnLimits::default(),
            upload_reports: Arc::new(upload_reports::UploadReports::default()),
            rejected_forms: Arc::new(upload_reports::RejectedForms::default()),
            admin_forms: Arc::new(upload_reports::AdminForms::default()),
            upload_permits: Arc::new(tokio::sync::Semaphore::new(UPLOAD_PERMITS)),
        }
    }

    /// The same state trusting `X-Forwarded-For` from these proxies.
    pub fn with_trusted_proxies(mut self, proxies: &[std::net::IpAddr]) -> Self {
        self.trusted_proxies = Arc::from(proxies.to_vec());
        self
    }

    /// The same state with the session cookie marked `Secure` or not.
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.auth.session.secure_cookie = secure;
        self
    }
}

/// The date in China (UTC+8), which is what "today" means to every user of the product.
pub fn today_in_china() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Hex SHA-256 of some bytes, to recognise a file seen before.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
