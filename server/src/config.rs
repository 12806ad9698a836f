//! Settings of a running server, from command-line flags with environment overrides.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The default embedded database, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/gongkai.db";

/// Everything `gongkai serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path` (created and migrated on start) or, later, `postgres://…`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// Folder with the built client (`pkg/`) and static assets, as cargo-leptos writes it.
    pub site_root: PathBuf,
    /// Load the demo data set when the database has no office yet.
    pub demo_if_empty: bool,
    /// With the demo data set, also load its rollout history of returns (in the background after start-up).
    pub demo_history: bool,
    /// Mark the session cookie `Secure` (HTTPS deployments; off for http://127.0.0.1).
    pub secure_cookies: bool,
    /// Reverse proxies in front of the server whose `X-Forwarded-For` is believed (`GONGKAI_TRUSTED_PROXIES`,
    /// comma-separated IP addresses). Empty: the connection's peer is the client address that sign-in throttling
    /// and the audit log record.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Config {
    /// Defaults for a developer machine: the embedded database, 127.0.0.1:3000, the cargo-leptos site folder.
    pub fn from_env() -> Self {
        let database_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string());
        let addr = std::env::var("GONGKAI_ADDR")
            .ok()
            .or_else(|| std::env::var("LEPTOS_SITE_ADDR").ok())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
        let site_root =
            std::env::var("LEPTOS_SITE_ROOT").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("target/site"));
        Self {
            database_url,
            addr,
            site_root,
            demo_if_empty: true,
            demo_history: true,
            secure_cookies: secure_cookies_from_env(),
            trusted_proxies: trusted_proxies_from_env().unwrap_or_default(),
        }
    }
}

/// `GONGKAI_SECURE_COOKIES=true` (or `1`) marks the session cookie `Secure`.
pub fn secure_cookies_from_env() -> bool {
    std::env::var("GONGKAI_SECURE_COOKIES").is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// `GONGKAI_TRUSTED_PROXIES=10.0.0.5,10.0.0.6`: the reverse proxies whose `X-Forwarded-For` is believed. An entry
/// that is not an IP address is an error naming it (the server refuses to start rather than trust the wrong hop).
pub fn trusted_proxies_from_env() -> Result<Vec<std::net::IpAddr>, String> {
    match std::env::var("GONGKAI_TRUSTED_PROXIES") {
        Ok(list) => parse_trusted_proxies(&list),
        Err(_) => Ok(Vec::new()),
    }
}

/// Parses a comma-separated list of IP addresses (spaces and empty entries ignored).
pub fn parse_trusted_proxies(list: &str) -> Result<Vec<std::net::IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry.parse().map_err(|_| format!("GONGKAI_TRUSTED_PROXIES 中的“{entry}”不是有效的 IP 地址")))
        .collect()
}
