//! The administration handlers: `GET /admin/audit.xlsx`, the audit log search of `/admin/audit` (same filters,
//! every matching entry) as an Excel workbook, for HQ roles only; and the user and API token forms of
//! `/admin/users` and `/admin/tokens`, for 总署办公厅管理员 only.

use analytics::offices::OfficeCode;
use analytics::sheets::safe_text;
use app::auth::current::RequestAuth;
use app::auth::Role;
use app::functions::admin::{audit_filter, AuditQuery};
use app::functions::{is_hq, principal_of};
use app::services::accounts::{self, AccountError, NewAccount};
use app::services::today_in_china;
use app::services::AppState;
use app::store::AuditRow;
use app::store::{Actor, StoreError};
use axum::extract::rejection::FormRejection;
use axum::extract::Path;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Html;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Form;
use chrono::Utc;
use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde::Deserialize;

/// At most this many entries go into one workbook.
const EXPORT_LIMIT: i64 = 100_000;

/// The header row and the width of each column.
const COLUMNS: [(&str, f64); 10] = [
    ("时间（北京时间）", 18.0),
    ("操作人", 20.0),
    ("机构代码", 10.0),
    ("来源地址", 16.0),
    ("操作", 16.0),
    ("对象类型", 14.0),
    ("对象", 24.0),
    ("摘要", 60.0),
    ("变更前", 40.0),
    ("变更后", 40.0),
];

pub async fn audit_xlsx(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(query): Query<AuditQuery>,
) -> Response {
    let principal = match principal_of(&auth) {
        Ok(p) => p,
        Err(_) => return crate::api::error_response(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录"),
    };
    if !is_hq(&principal) {
        return crate::api::error_response(StatusCode::FORBIDDEN, "forbidden", "无权导出审计日志：仅限总署");
    }
    let filter = match audit_filter(&query) {
        Ok(f) => f,
        Err(e) => {
            return crate::api::error_response(StatusCode::BAD_REQUEST, "bad_request", &e.message(app::i18n::Lang::Zh))
        }
    };
    let rows = match state.store.search_audit(&filter, EXPORT_LIMIT, 0).await {
        Ok((rows, _)) => rows,
        Err(e) => {
            tracing::error!("audit export: {e}");
            return crate::api::error_response(StatusCode::INTERNAL_SERVER_ERROR, "internal", "审计日志暂时无法导出");
        }
    };
    match workbook(&rows) {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            );
            headers
                .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"audit.xlsx\""));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!("audit export workbook: {e}");
            crate::api::error_response(StatusCode::INTERNAL_SERVER_ERROR, "internal", "审计日志暂时无法导出")
        }
    }
}

/// The workbook: a bold, frozen header row in Chinese, one row per entry, times as date cells (Beijing time),
/// texts as [`safe_text`] makes them (cut to Excel's cell limit with a mark, never a formula).
pub fn workbook(rows: &[AuditRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("审计日志")?;
    let bold = Format::new().set_bold();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (col, (title, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *title, &bold)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let local = row.at.naive_utc() + chrono::Duration::hours(8);
        let at = ExcelDateTime::from_ymd(local.year() as u16, local.month() as u8, local.day() as u8)?.and_hms(
            local.hour() as u16,
            local.minute() as u8,
            local.second(),
        )?;
        sheet.write_datetime_with_format(r, 0, &at, &when)?;
        let texts = [
            Some(row.actor.as_str()),
            row.office_code.as_deref(),
            row.remote_addr.as_deref(),
            Some(row.action.as_str()),
            Some(row.entity_type.as_str()),
            row.entity_id.as_deref(),
            Some(row.summary.as_str()),
            row.before.as_deref(),
            row.after.as_deref(),
        ];
        for (c, text) in texts.iter().enumerate() {
            if let Some(text) = text {
                // Any entry may hold what a user typed: cut to a cell and never read as a formula.
                sheet.write_string(r, c as u16 + 1, safe_text(text))?;
            }
        }
    }
    book.save_to_buffer()
}

// --- Users and API tokens (总署办公厅管理员 only) ---------------------------------------------------------------
// Plain HTML forms of `/admin/users` and `/admin/tokens`: accepted only from this server's pages (Origin/Referer)
// with the session's CSRF token, then answered with a redirect back to the page carrying a status or error code
// (the page words it in Chinese). Every write is audited by the store.

/// Refuses a form unless it comes from this server's pages, from a signed-in 总署办公厅管理员 with the session's
/// CSRF token; otherwise the actor of the write and the caller's user id. `back` is the form's page.
pub(crate) fn admin_form_actor(
    state: &AppState,
    parts: &axum::http::request::Parts,
    csrf_token: Option<&str>,
    back: &str,
) -> Result<(Actor, i64), Box<Response>> {
    let (principal, actor) = crate::returns::form_caller(state, parts, csrf_token, back)?;
    if !principal.is_hq_admin() {
        let what = match back {
            "/admin/schemes" => "修改评分方案",
            "/admin/calendar" => "导入节假日安排",
            _ => "管理用户和接口令牌",
        };
        return Err(Box::new(crate::auth::forbidden(&parts.headers, &format!("仅总署办公厅管理员可以{what}。"))));
    }
    Ok((actor, principal.user_id))
}

/// The error code the administration pages explain (see `app::pages::admin::admin_error_message`).
fn account_error_code(error: &AccountError) -> &'static str {
    match error {
        AccountError::Username(_) => "username",
        AccountError::DisplayName(_) => "display_name",
        AccountError::Policy(_) => "policy",
        AccountError::Grant(_) | AccountError::NoGrant | AccountError::Store(StoreError::NotFound(_)) => "office",
        AccountError::TokenName => "token_name",
        AccountError::UnknownUser => "unknown_user",
        AccountError::LastGrant => "last_grant",
        AccountError::OwnAdminGrant => "own_admin",
        AccountError::Store(StoreError::AlreadyExists(_)) => "exists",
        _ => "unavailable",
    }
}

fn redirect_error(page: &str, error: &AccountError) -> Response {
    if account_error_code(error) == "unavailable" {
        tracing::error!("administration form failed: {error:?}");
    }
    crate::auth::see_other(&format!("{page}?error={}", account_error_code(error)))
}

/// The role and office of a form, or the error code to show.
fn role_and_office(role: &str, office: &str) -> Result<(Role, OfficeCode), &'static str> {
    let role = role.parse::<Role>().map_err(|_| "role")?;
    let office = OfficeCode::parse(office.trim()).map_err(|_| "office")?;
    Ok((role, office))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    csrf_token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    csrf_token: String,
    username: String,
    display_name: String,
    password: String,
    role: String,
    office: String,
}

/// `POST /admin/users`: creates an account with one role at one office.
pub async fn create_user(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    form: Result<Form<NewUserForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).ok();
    let (actor, _) =
        match admin_form_actor(&state, &parts, form.as_ref().map(|f| f.csrf_token.as_str()), "/admin/users") {
            Ok(a) => a,
            Err(response) => return *response,
        };
    let Some(form) = form else { return crate::auth::see_other("/admin/users?error=unavailable") };
    let (role, office) = match role_and_office(&form.role, &form.office) {
        Ok(pair) => pair,
        Err(code) => return crate::auth::see_other(&format!("/admin/users?error={code}")),
    };
    let account = NewAccount {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        grants: vec![(role, office)],
    };
    match accounts::create_user(state.store.as_ref(), account, today_in_china(), &actor).await {
        Ok(_) => crate::auth::see_other("/admin/users?status=created"),
        Err(e) => redirect_error("/admin/users", &e),
    }
}

/// `POST /admin/users/{id}/disable` and `/enable`: disabling ends every session of the account.
pub async fn set_user_state(
    State(state): State<AppState>,
    Path((id, act)): Path<(i64, String)>,
    parts: axum::http::request::Parts,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let csrf = form.ok().map(|Form(f)| f.csrf_token);
    let (actor, own_id) = match admin_form_actor(&state, &parts, csrf.as_deref(), "/admin/users") {
        Ok(a) => a,
        Err(response) => return *response,
    };
    let disabled = match act.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return crate::api::error_response(StatusCode::NOT_FOUND, "not_found", "页面不存在"),
    };
    if disabled && id == own_id {
        return crate::auth::see_other("/admin/users?error=self");
    }
    match state.store.set_user_disabled(id, disabled, Utc::now(), &actor).await {
        Ok(true) => crate::auth::see_other(&format!("/admin/users?status={act}d")),
        Ok(false) => crate::auth::see_other("/admin/users?error=unchanged"),
        Err(e) => redirect_error("/admin/users", &AccountError::Store(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    csrf_token: String,
    /// `add` or `remove`.
    change: String,
    role: String,
    office: String,
}

/// `POST /admin/users/{id}/grants`: grants a role at an office to an account (`change=add`) or takes one away
/// (`change=remove`). Takes effect at the account's next request: its sessions read the grants afresh.
pub async fn change_grants(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: axum::http::request::Parts,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).ok();
    let (actor, _) =
        match admin_form_actor(&state, &parts, form.as_ref().map(|f| f.csrf_token.as_str()), "/admin/users") {
            Ok(a) => a,
            Err(response) => return *response,
        };
    let Some(form) = form else { return crate::auth::see_other("/admin/users?error=unavailable") };
    let change = match form.change.as_str() {
        "add" => accounts::GrantChange::Add,
        "remove" => accounts::GrantChange::Remove,
        _ => return crate::auth::see_other("/admin/users?error=unavailable"),
    };
    let grant = match role_and_office(&form.role, &form.office) {
        Ok(pair) => pair,
        Err(code) => return crate::auth::see_other(&format!("/admin/users?error={code}")),
    };
    match accounts::change_grant(state.store.as_ref(), id, change, grant, today_in_china(), &actor).await {
        Ok(true) if change == accounts::GrantChange::Add => crate::auth::see_other("/admin/users?status=granted"),
        Ok(true) => crate::auth::see_other("/admin/users?status=ungranted"),
        Ok(false) => crate::auth::see_other("/admin/users?error=grant_unchanged"),
        Err(e) => redirect_error("/admin/users", &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    csrf_token: String,
    new_password: String,
}

/// `POST /admin/users/{id}/password`: sets a new password; every session of the account ends.
pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: axum::http::request::Parts,
    form: Result<Form<ResetForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).ok();
    let (actor, _) =
        match admin_form_actor(&state, &parts, form.as_ref().map(|f| f.csrf_token.as_str()), "/admin/users") {
            Ok(a) => a,
            Err(response) => return *response,
        };
    let Some(form) = form else { return crate::auth::see_other("/admin/users?error=unavailable") };
    match accounts::reset_password(state.store.as_ref(), id, form.new_password, Utc::now(), &actor).await {
        Ok(_) => crate::auth::see_other("/admin/users?status=reset"),
        Err(e) => redirect_error("/admin/users", &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewTokenForm {
    csrf_token: String,
    name: String,
    role: String,
    office: String,
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// `POST /admin/tokens`: issues an API token and shows it once, on a page of its own that is never cached.
pub async fn create_token(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    form: Result<Form<NewTokenForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).ok();
    let (actor, _) =
        match admin_form_actor(&state, &parts, form.as_ref().map(|f| f.csrf_token.as_str()), "/admin/tokens") {
            Ok(a) => a,
            Err(response) => return *response,
        };
    let Some(form) = form else { return crate::auth::see_other("/admin/tokens?error=unavailable") };
    let (role, office) = match role_and_office(&form.role, &form.office) {
        Ok(pair) => pair,
        Err(code) => return crate::auth::see_other(&format!("/admin/tokens?error={code}")),
    };
    let issued = accounts::issue_api_token(
        state.store.as_ref(),
        &form.name,
        role,
        &office,
        today_in_china(),
        Utc::now(),
        &actor,
    )
    .await;
    match issued {
        Ok((_, token)) => {
            let page = format!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <link rel=\"stylesheet\" href=\"/pkg/gongkai.css\"><title>接口令牌已创建</title></head>\
                 <body><main class=\"card auth-card\"><h1>接口令牌已创建</h1>\
                 <p>名称：{name}；角色：{role}；机构：{office}</p>\
                 <p>请立即复制并妥善保存。此令牌只显示这一次，系统中只保存其摘要，无法再次查看。</p>\
                 <p><code class=\"new-token\">{token}</code></p>\
                 <p>调用接口时发送：<code>Authorization: Bearer {token}</code></p>\
                 <p><a href=\"/admin/tokens\">返回接口令牌列表</a></p></main></body></html>",
                name = escape(form.name.trim()),
                role = role.name_zh(),
                office = escape(office.as_str()),
                token = escape(&token.token),
            );
            let mut response = (StatusCode::OK, Html(page)).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => redirect_error("/admin/tokens", &e),
    }
}

/// `POST /admin/tokens/{id}/revoke`: the token stops working at once.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: axum::http::request::Parts,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let csrf = form.ok().map(|Form(f)| f.csrf_token);
    let (actor, _) = match admin_form_actor(&state, &parts, csrf.as_deref(), "/admin/tokens") {
        Ok(a) => a,
        Err(response) => return *response,
    };
    match state.store.revoke_api_token(id, Utc::now(), &actor).await {
        Ok(true) => crate::auth::see_other("/admin/tokens?status=revoked"),
        Ok(false) => crate::auth::see_other("/admin/tokens?error=unknown_token"),
        Err(e) => redirect_error("/admin/tokens", &AccountError::Store(e)),
    }
}
