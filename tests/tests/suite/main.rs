//! The integration and browser tests, as one test binary: each module is one area of the product. One binary
//! links the server once instead of once per file, which keeps a cold build's time and disk use down; nextest
//! still runs every test in its own process.

mod accounts;
mod admin;
mod api;
mod browser;
mod dashboard;
mod frame;
mod permissions;
mod return_form;
mod returns;
mod returns_store;
mod rollout;
mod scorecard;
mod security;
mod settings;
mod signin;
mod store;
