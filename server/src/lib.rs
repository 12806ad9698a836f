//! Gongkai's server: the axum application (pages, server functions, JSON API v1) and its start-up.
//!
//! - [`config`]: settings from flags and environment (`DATABASE_URL`, `GONGKAI_ADDR`, …);
//! - [`web`]: assembles the router — Leptos pages and server functions from `app`, the JSON API, static files,
//!   the language switch, health check — and serves it;
//! - [`auth`]: resolves the caller of every request; the sign-in, sign-out and password forms;
//! - [`api`]: the JSON API v1 and its OpenAPI description;
//! - [`admin`]: the audit log export and the user and token forms;
//! - [`returns`]: return templates, uploads, confirmation and verification forms;
//! - [`uploads`]: the bounds of an upload's body: caller first, permits, deadlines, request-wide zip totals;
//! - [`settings`]: the scoring scheme and working-day calendar forms of headquarters;
//! - [`dashboard`]: chart and table downloads of the dashboards;
//! - [`page_cache`]: the rendered national dashboard, kept per session until its data changes;
//! - [`security`]: the Content-Security-Policy with its per-request nonce, HSTS and `Cache-Control` of responses;
//! - [`cli`]: the `gongkai` command line.

pub mod admin;
pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod page_cache;
pub mod returns;
pub mod security;
pub mod settings;
pub mod uploads;
pub mod web;

pub use config::Config;
pub use web::{build_router, start, RunningServer};
