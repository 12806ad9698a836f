//! Gongkai's user interface (Leptos) and server functions.
//!
//! Built twice: with `ssr` for the server (pages rendered to HTML, server functions backed by the store) and with
//! `hydrate` for the wasm client that takes over the rendered page. Layout:
//! - [`shell`]: the HTML document, the router and the list of pages;
//! - [`components`]: the page frame (header, navigation, language switch) and shared pieces;
//! - [`pages`]: one module per page, by domain (overview, catalog, offices);
//! - [`functions`]: server functions by domain and the views they return;
//! - [`i18n`], [`error`]: language and the error type of this layer;
//! - `services`, `store` (server only): use cases and all database access.

#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod functions;
pub mod i18n;
pub mod pages;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;

pub use shell::{shell, App};

/// Entry point of the wasm client: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
