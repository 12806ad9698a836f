//! The router and the server's life cycle.

use std::net::SocketAddr;
use std::sync::Arc;

use app::i18n::{Lang, LANG_COOKIE};
use app::services::AppState;
use app::store::Store;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;

/// State shared by the axum handlers: Leptos options and the application state.
#[derive(Clone, axum::extract::FromRef)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    pub app: AppState,
}

/// Leptos options from cargo-leptos' environment, with our defaults where it is absent (plain `cargo run`, tests).
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let output_name = std::env::var("LEPTOS_OUTPUT_NAME")
        .ok()
        .or_else(|| option_env!("LEPTOS_OUTPUT_NAME").map(str::to_string))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "gongkai".to_string());
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .site_addr(config.addr)
        .build()
}

/// The routes the server answers itself (besides the Leptos pages, the server functions and API v1): method and
/// path. The router is built from this list, and the permission matrix of the tests checks that each one has an
/// entry.
pub const SERVER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/lang/{code}"),
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    ("POST", "/account/password"),
    ("GET", "/admin/audit.xlsx"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{id}/password"),
    ("POST", "/admin/users/{id}/grants"),
    ("POST", "/admin/users/{id}/{act}"),
    ("POST", "/admin/tokens"),
    ("POST", "/admin/tokens/{id}/revoke"),
    ("POST", "/admin/schemes"),
    ("POST", "/admin/calendar"),
    ("GET", "/returns/template.xlsx"),
    ("POST", "/returns/upload"),
    ("POST", "/returns/form"),
    ("POST", "/returns/confirm"),
    ("POST", "/returns/{id}/confirm"),
    ("POST", "/returns/{id}/discard"),
    ("POST", "/returns/{id}/decision"),
    ("GET", "/returns/{id}/file"),
    ("GET", "/dashboard/charts/{file}"),
    ("GET", "/dashboard/tables/{file}"),
    ("GET", "/offices/{code}/scorecard/{file}"),
];

/// The most bytes one upload request may carry (several workbooks or a .zip); each file is held to the configured
/// per-file limit (default 20 MB) while it is read.
pub const MAX_UPLOAD_REQUEST_BYTES: usize = 100 * 1024 * 1024;

/// The handler of one route of [`SERVER_ROUTES`].
fn server_handler(method: &str, path: &str) -> axum::routing::MethodRouter<ServerState> {
    match (method, path) {
        ("GET", "/health") => get(health),
        ("GET", "/lang/{code}") => get(switch_language),
        ("POST", "/auth/login") => post(crate::auth::login),
        ("POST", "/auth/logout") => post(crate::auth::logout),
        ("POST", "/account/password") => post(crate::auth::change_password),
        ("GET", "/admin/audit.xlsx") => get(crate::admin::audit_xlsx),
        ("POST", "/admin/users") => post(crate::admin::create_user),
        ("POST", "/admin/users/{id}/password") => post(crate::admin::reset_password),
        ("POST", "/admin/users/{id}/grants") => post(crate::admin::change_grants),
        ("POST", "/admin/users/{id}/{act}") => post(crate::admin::set_user_state),
        ("POST", "/admin/tokens") => post(crate::admin::create_token),
        ("POST", "/admin/tokens/{id}/revoke") => post(crate::admin::revoke_token),
        ("POST", "/admin/schemes") => post(crate::settings::store_scheme),
        ("POST", "/admin/calendar") => post(crate::settings::import_year),
        ("GET", "/returns/template.xlsx") => get(crate::returns::template),
        ("POST", "/returns/upload") => {
            post(crate::returns::upload).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_REQUEST_BYTES))
        }
        ("POST", "/returns/form") => post(crate::returns::submit_form),
        ("POST", "/returns/confirm") => post(crate::returns::confirm_all),
        ("POST", "/returns/{id}/confirm") => post(crate::returns::confirm),
        ("POST", "/returns/{id}/discard") => post(crate::returns::discard),
        ("POST", "/returns/{id}/decision") => post(crate::returns::decide),
        ("GET", "/returns/{id}/file") => get(crate::returns::file),
        ("GET", "/dashboard/charts/{file}") => get(crate::dashboard::chart),
        ("GET", "/dashboard/tables/{file}") => get(crate::dashboard::table),
        ("GET", "/offices/{code}/scorecard/{file}") => get(crate::dashboard::scorecard_table),
        (method, path) => unreachable!("server route {method} {path} has no handler"),
    }
}

/// Builds the whole application router around a store.
pub fn build_router(config: &Config, store: Arc<dyn Store>) -> Router {
    let leptos_options = leptos_options(config);
    let app_state =
        AppState::new(store).with_secure_cookies(config.secure_cookies).with_trusted_proxies(&config.trusted_proxies);
    let state = ServerState { leptos_options: leptos_options.clone(), app: app_state.clone() };
    let routes = generate_route_list(app::App);
    // The context of every page render and server function: the application state, and the request's CSP nonce.
    let context = {
        let context_state = app_state.clone();
        move || {
            provide_context(context_state.clone());
            crate::security::provide_request_nonce();
        }
    };
    let security = crate::security::SecurityPolicy {
        hsts: config.secure_cookies,
        live_reload: std::env::var_os("LEPTOS_WATCH").is_some(),
    };
    SERVER_ROUTES
        .iter()
        .fold(Router::new(), |router, (method, path)| router.route(path, server_handler(method, path)))
        .nest("/api/v1", crate::api::router())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, app::shell))
        .layer(axum::middleware::from_fn_with_state(
            (app_state.clone(), crate::page_cache::PageCache::default()),
            crate::page_cache::national_dashboard,
        ))
        .layer(axum::middleware::from_fn_with_state(app_state.clone(), crate::auth::resolve))
        // Outside the sign-in layer, so that its own answers (redirects to sign in) carry the headers too.
        .layer(axum::middleware::from_fn_with_state(security, crate::security::headers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /health`: the server answers and the database is readable.
async fn health(State(state): State<AppState>) -> Response {
    match state.store.office_versions().await {
        Ok(versions) => Json(serde_json::json!({
            "status": "ok",
            "database": "ok",
            "office_versions": versions.len(),
        }))
        .into_response(),
        Err(e) => {
            tracing::error!("health check failed: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "error", "database": "unavailable" })))
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_plain_local_paths_are_accepted_as_a_return_address() {
        assert!(is_local_path("/catalog"));
        assert!(is_local_path("/offices?q=%E6%96%B0&as_of=2022-12-31"));
        for bad in
            ["", "catalog", "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/x", "/ /x", "https://x"]
        {
            assert!(!is_local_path(bad), "{bad:?} must be refused");
        }
    }
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    next: Option<String>,
}

/// `GET /lang/{zh|en}?next=/path`: remembers the language in a cookie and returns to the page. A plain link, so
/// it works without JavaScript; `next` must be a local path.
async fn switch_language(Path(code): Path<String>, Query(query): Query<LangQuery>) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return crate::api::error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("不支持的语言“{code}”：可选 zh 或 en"),
        );
    };
    let next = query.next.filter(|n| is_local_path(n)).unwrap_or_else(|| "/".to_string());
    let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.short());
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&next) {
        headers.insert(header::LOCATION, location);
    } else {
        headers.insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

/// Whether `next` can only lead back to this site: an absolute path, with no second slash or backslash after the
/// first (`//host`, `/\\host`), and no control character or white space anywhere, since browsers drop tabs and line
/// breaks from a URL before resolving it (`/<TAB>/host` would become `//host`).
pub(crate) fn is_local_path(next: &str) -> bool {
    let mut chars = next.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// A server listening in the background (tests, benchmarks).
pub struct RunningServer {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops accepting connections, finishes in-flight requests and closes the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // In-flight requests get a few seconds to finish; an idle keep-alive connection must not hold the stop.
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut self.task).await.is_err() {
            tracing::warn!("connections still open 5 s after the stop signal: closing them");
            self.task.abort();
            let _ = (&mut self.task).await;
        }
        self.store.close().await;
    }
}

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] app::store::StoreError),
    #[error("数据库初始化失败：{0}")]
    Setup(#[from] app::services::setup::SetupError),
    #[error("无法监听地址 {addr}：{source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// Opens and prepares the database, binds the address and serves in the background.
pub async fn start(config: Config) -> Result<RunningServer, StartError> {
    let store = app::store::connect(&config.database_url).await?;
    let report = app::services::setup::prepare(store.as_ref(), config.demo_if_empty).await?;
    tracing::info!(?report.catalog, direct = report.direct_customs_loaded.is_some(), demo = report.demo_loaded.is_some(), "database ready");
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind { addr: config.addr, source })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.addr, source })?;
    let demo_history = config.demo_history && app::services::setup::is_demo(store.as_ref()).await.unwrap_or(false);
    let router = build_router(&Config { addr, ..config }, store.clone());
    if demo_history {
        // The history of the demo returns goes through the full pipeline (thousands of workbooks): in the
        // background, so the server answers at once; pages show what is loaded so far.
        let history_store = store.clone();
        tokio::spawn(async move {
            let until = app::services::demo_history::history_until();
            let mut reported = 0;
            let loaded =
                app::services::demo_history::load_demo_history(history_store.as_ref(), until, |done, total| {
                    if done >= reported + 200 || done == total {
                        reported = done;
                        tracing::info!("demo history: {done}/{total} returns");
                    }
                })
                .await;
            match loaded {
                Ok(summary) if summary.filed > 0 => {
                    tracing::info!(?summary, "demo history loaded");
                    println!("示例填报历史已载入：{} 份填报，{} 份审核通过", summary.filed, summary.accepted);
                }
                Ok(_) => {}
                Err(e) => tracing::error!("demo history could not be loaded: {e}"),
            }
        });
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!("server stopped with an error: {e}");
        }
    });
    Ok(RunningServer { addr, store, shutdown: Some(tx), task })
}
