//! The downloads of the dashboards (issue 6): `GET /dashboard/charts/{name}.svg|png` and
//! `GET /dashboard/tables/{name}.xlsx`, with `?as_of=YYYY-MM-DD` (default today in China) and, for a direct
//! customs' dashboard, `&district=XX00`. They check what the page checks: the national dashboard is headquarters'
//! (403 otherwise), a direct customs' is for headquarters and its own roles (404 otherwise).

use app::auth::current::RequestAuth;
use app::functions::dashboard::TableView;
use app::functions::{parse_as_of, principal_of};
use app::services::dashboard::{self, download_name, DownloadError};
use app::services::rollout::RolloutError;
use app::services::{today_in_china, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    as_of: Option<String>,
    district: Option<String>,
}

/// `attachment` with an ASCII fallback name and the Chinese name RFC 5987-encoded.
pub fn attachment(name_zh: &str, fallback: &str) -> HeaderValue {
    let encoded: String = name_zh
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

fn error(e: DownloadError) -> Response {
    match e {
        DownloadError::UnknownName => {
            crate::api::error_response(StatusCode::NOT_FOUND, "not_found", "没有这个图表或数据表")
        }
        DownloadError::Rollout(RolloutError::Forbidden) => {
            crate::api::error_response(StatusCode::FORBIDDEN, "forbidden", "全国统计仅供总署查看")
        }
        DownloadError::Rollout(RolloutError::NotFound) => {
            crate::api::error_response(StatusCode::NOT_FOUND, "not_found", "机构不存在或不在您的范围内")
        }
        DownloadError::Rollout(other) => {
            tracing::error!("dashboard download: {other}");
            crate::api::error_response(StatusCode::INTERNAL_SERVER_ERROR, "internal", "暂时无法生成，请稍后再试")
        }
    }
}

/// The caller and the date of a request, or the error response.
fn prepare(
    auth: &RequestAuth,
    query: &DashboardQuery,
) -> Result<(app::auth::Principal, NaiveDate, NaiveDate), Box<Response>> {
    let principal = principal_of(auth)
        .map_err(|_| Box::new(crate::api::error_response(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录")))?;
    let today = today_in_china();
    let as_of = parse_as_of(query.as_of.as_deref(), today).map_err(|e| {
        Box::new(crate::api::error_response(StatusCode::BAD_REQUEST, "bad_request", &e.message(app::i18n::Lang::Zh)))
    })?;
    Ok((principal, as_of, today))
}

fn download(bytes: Vec<u8>, content_type: &'static str, disposition: HeaderValue) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The tag of a chart's content (`ETag`): the same figures give the same tag, whichever request drew them.
fn content_tag(svg: &str, ext: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    svg.hash(&mut hasher);
    format!("\"{ext}-{:016x}\"", hasher.finish())
}

/// `GET /dashboard/charts/{name}.svg|png`. The pages show their charts from here; the answer carries the tag of
/// its content and is revalidated on every use (`no-cache`), so a browser showing the dashboard again fetches a
/// chart only when its figures changed (`304 Not Modified` otherwise, before any PNG is drawn).
pub async fn chart(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(file): Path<String>,
    Query(query): Query<DashboardQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let (principal, as_of, today) = match prepare(&auth, &query) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Some((name, ext)) = file.rsplit_once('.').filter(|(_, e)| matches!(*e, "svg" | "png")) else {
        return error(DownloadError::UnknownName);
    };
    let district = query.district.as_deref().filter(|d| !d.is_empty());
    let (whose, chart) = match dashboard::chart(state.store.as_ref(), &principal, name, district, as_of, today).await {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let what = dashboard::download_what(name).unwrap_or(name);
    let disposition = attachment(
        &download_name(&whose, what, as_of, ext),
        &download_name(district.unwrap_or("national"), name, as_of, ext),
    );
    let tag = content_tag(&chart.svg, ext);
    let revalidated = |response: Response| -> Response {
        let mut response = response;
        if let Ok(value) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        response
    };
    let unchanged = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim() == tag || v.trim() == "*");
    if unchanged {
        return revalidated(StatusCode::NOT_MODIFIED.into_response());
    }
    if ext == "svg" {
        return revalidated(download(chart.svg.as_bytes().to_vec(), "image/svg+xml", disposition));
    }
    match tokio::task::spawn_blocking(move || analytics::charts::svg_to_png(&chart.svg)).await {
        Ok(Ok(png)) => revalidated(download(png, "image/png", disposition)),
        Ok(Err(e)) => error(DownloadError::Rollout(RolloutError::Worker(e.to_string()))),
        Err(e) => error(DownloadError::Rollout(RolloutError::Worker(e.to_string()))),
    }
}

/// `GET /dashboard/tables/{name}.xlsx`.
pub async fn table(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(file): Path<String>,
    Query(query): Query<DashboardQuery>,
) -> Response {
    let (principal, as_of, today) = match prepare(&auth, &query) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Some(name) = file.strip_suffix(".xlsx") else {
        return error(DownloadError::UnknownName);
    };
    let district = query.district.as_deref().filter(|d| !d.is_empty());
    let (whose, table) = match dashboard::table(state.store.as_ref(), &principal, name, district, as_of, today).await {
        Ok(t) => t,
        Err(e) => return error(e),
    };
    match workbook(&table) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            attachment(
                &download_name(&whose, dashboard::download_what(name).unwrap_or(name), as_of, "xlsx"),
                &download_name(district.unwrap_or("national"), name, as_of, "xlsx"),
            ),
        ),
        Err(e) => error(DownloadError::Rollout(RolloutError::Worker(e.to_string()))),
    }
}

/// A `2022年12月31日` cell as a date.
pub fn parse_date_zh(text: &str) -> Option<NaiveDate> {
    let (y, rest) = text.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A table as a workbook: the bold header row frozen on top, then one row per table row with dates as date cells,
/// counts and scores as numbers and shares as percentages (codes stay text).
pub fn workbook(table: &TableView) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("数据")?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    for (col, h) in table.headers.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, h, &bold)?;
        let widest = std::iter::once(h)
            .chain(table.rows.iter().filter_map(|r| r.get(col as usize)))
            .map(|t| analytics::charts::text_width(t, 1.0))
            .max()
            .unwrap_or(8);
        sheet.set_column_width(col, (widest as f64 * 1.1 + 2.0).clamp(6.0, 60.0))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, row) in table.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            let code_column = table.headers.get(c as usize).is_some_and(|h| h.contains("代码"));
            if let Some(d) = parse_date_zh(cell) {
                let value = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                sheet.write_datetime_with_format(r, c, &value, &date)?;
            } else if let Some(p) = cell.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) {
                sheet.write_number_with_format(r, c, p / 100.0, &percent)?;
            } else if let (false, Ok(n)) = (code_column, cell.parse::<f64>()) {
                if cell.contains('.') {
                    sheet.write_number_with_format(r, c, n, &decimal)?;
                } else {
                    sheet.write_number(r, c, n)?;
                }
            } else {
                sheet.write_string(r, c, analytics::sheets::safe_text(cell))?;
            }
        }
    }
    book.save_to_buffer()
}

/// `GET /offices/{code}/scorecard/{file}`: a table of an office's scorecard as a workbook, `items.xlsx` (every
/// catalog item with the points it lost and why) or `requirements.xlsx` (the guide's requirements), as of
/// `?as_of=`. Scoped like the office page: outside the caller's scope it is the same 404 as an unknown office.
pub async fn scorecard_table(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path((code, file)): Path<(String, String)>,
    Query(query): Query<DashboardQuery>,
) -> Response {
    let (principal, as_of, today) = match prepare(&auth, &query) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let name = match file.as_str() {
        "items.xlsx" => "items",
        "requirements.xlsx" => "requirements",
        _ => return error(DownloadError::UnknownName),
    };
    let view = match app::services::scorecard::scorecard(state.store.as_ref(), &principal, &code, as_of, today).await {
        Ok(v) => v,
        Err(e) => return error(DownloadError::Rollout(e)),
    };
    let (what, table) = match name {
        "items" => ("评分卡公开事项", view.items),
        _ => ("评分卡基本要求", view.requirements),
    };
    match workbook(&table) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            attachment(
                &download_name(&view.name, what, as_of, "xlsx"),
                &download_name(&view.code, &format!("scorecard-{name}"), as_of, "xlsx"),
            ),
        ),
        Err(e) => error(DownloadError::Rollout(RolloutError::Worker(e.to_string()))),
    }
}
