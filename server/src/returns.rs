//! The returns handlers (issue 4): template download, uploads (one file, many files or a .zip), the web form
//! (在线填报), confirming or discarding a draft, and the direct customs' decision. Plain HTML forms answered with `303 See Other`, so they
//! work without JavaScript; the pages are the Leptos routes `/returns`, `/returns/{id}` and
//! `/returns/uploads/{key}`.
//!
//! Every form must come from this server's pages (`Origin`/`Referer`) with the session's CSRF token; the
//! use cases in `app::services::returns` check the role and office scope. An upload's caller is checked before
//! its body is read, and the body is read, unpacked and checked within the bounds of [`crate::uploads`] (default
//! 20 MB per file); files are parsed off the async runtime; one bad file of a batch never blocks the others, and a
//! file with errors stores nothing.

use analytics::offices::OfficeCode;
use analytics::returns::batch::{expand_within, BatchBudget, BatchEntry, BatchError};
use analytics::returns::form::ReturnForm;
use app::auth::session::csrf_token_matches;
use app::auth::Principal;
use app::services::returns::{self as service, FormOutcome, ReturnError, Upload};
use app::services::upload_reports::{FileReport, RejectedForm, UploadReport};
use app::services::{today_in_china, AppState};
use app::store::{Actor, Decision, ReturnReason, ReturnSource};
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use serde::Deserialize;

use crate::uploads::{request_totals, ReadRefusal, TotalsError, UploadForm};

/// The signed-in caller of a form from this server's pages with the session's CSRF token: its principal and the
/// actor of its writes; otherwise the answer to send (403, or to sign in first and come back to `back`).
pub(crate) fn form_caller(
    state: &AppState,
    parts: &axum::http::request::Parts,
    csrf_token: Option<&str>,
    back: &str,
) -> Result<(Principal, Actor), Box<Response>> {
    let headers = &parts.headers;
    if let Some(response) = crate::auth::refuse_foreign_origin(state, headers) {
        return Err(Box::new(response));
    }
    let auth = app::auth::current::from_parts(parts);
    let Some(session) = auth.session() else {
        return Err(Box::new(crate::auth::see_other(&format!("/login?next={}", crate::auth::encode(back)))));
    };
    if !csrf_token_matches(&session.csrf_token, csrf_token) {
        return Err(Box::new(crate::auth::forbidden(headers, crate::auth::BAD_CSRF)));
    }
    let principal = session.principal.clone();
    let remote = crate::auth::client_addr(&parts.extensions);
    let actor = Actor::user(principal.user_id, &principal.username, remote.as_deref());
    Ok((principal, actor))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TemplateQuery {
    office: String,
    period: String,
}

/// `GET /returns/template.xlsx?office=0201&period=2022Q3`: the office's return template for the period.
pub async fn template(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    Query(query): Query<TemplateQuery>,
) -> Response {
    let auth = app::auth::current::from_parts(&parts);
    let Some(principal) = auth.principal() else {
        return crate::api::error_response(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录");
    };
    let Ok(office) = OfficeCode::parse(query.office.trim()) else {
        return crate::api::error_response(StatusCode::BAD_REQUEST, "bad_request", "机构代码格式有误（office）");
    };
    let period = match service::parse_period(&query.period) {
        Ok(p) => p,
        Err(e) => return crate::api::error_response(StatusCode::BAD_REQUEST, "bad_request", &format!("{e}（period）")),
    };
    match service::template(state.store.as_ref(), &principal, &office, period, today_in_china()).await {
        Ok((file_name, bytes)) => xlsx_download(&file_name, bytes),
        Err(e) => error_response(&e),
    }
}

/// An `.xlsx` download named `file_name` (RFC 5987 for the Chinese name).
pub(crate) fn xlsx_download(file_name: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    let disposition =
        format!("attachment; filename=\"return.xlsx\"; filename*=UTF-8''{}", crate::auth::encode(file_name));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn error_response(error: &ReturnError) -> Response {
    if matches!(error, ReturnError::Store(_) | ReturnError::Worker(_) | ReturnError::Template(_)) {
        tracing::error!("returns: {error:?}");
    }
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    crate::api::error_response(status, "return_error", &error.to_string())
}

/// The 503 answer of an upload that found every upload permit taken (`crate::uploads`).
fn busy(headers: &axum::http::HeaderMap) -> Response {
    const MESSAGE: &str = "服务器正在处理其他上传，请稍等片刻后重新上传。";
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    let mut response = if wants_html {
        let page = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>请稍后再试</title></head>\
             <body><h1>请稍后再试</h1><p>{MESSAGE}</p><p><a href=\"/returns\">返回填报页面</a></p></body></html>"
        );
        (StatusCode::SERVICE_UNAVAILABLE, axum::response::Html(page)).into_response()
    } else {
        crate::api::error_response(StatusCode::SERVICE_UNAVAILABLE, "busy", MESSAGE)
    };
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
    response
}

/// `POST /returns/upload` (multipart): one or more workbooks, or .zip files of workbooks. One file that becomes a
/// draft goes straight to its preview; anything else to the report of the upload, one row per file. The caller is
/// checked before the body is read, and the body is read within the bounds of `crate::uploads`.
pub async fn upload(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let limits = state.return_limits;
    // The caller, from the headers alone: nothing of the body is read for a foreign page or a signed-out caller.
    if let Some(response) = crate::auth::refuse_foreign_origin(&state, &parts.headers) {
        return response;
    }
    let auth = app::auth::current::from_parts(&parts);
    let Some(session) = auth.session() else {
        return crate::auth::see_other("/login?next=%2Freturns");
    };
    let principal = session.principal.clone();
    let remote = crate::auth::client_addr(&parts.extensions);
    let actor = Actor::user(principal.user_id, &principal.username, remote.as_deref());
    let permit = tokio::time::timeout(crate::uploads::PERMIT_WAIT, state.upload_permits.clone().acquire_owned()).await;
    let Ok(Ok(_permit)) = permit else {
        return busy(&parts.headers);
    };
    let read = match multipart {
        Ok(multipart) => {
            crate::uploads::read_upload(
                multipart,
                &session.csrf_token,
                limits.max_upload_bytes,
                crate::web::MAX_UPLOAD_REQUEST_BYTES,
            )
            .await
        }
        Err(_) => Err(ReadRefusal::Broken),
    };
    // A refusal after part of the body was read may have held as much as a request that went through.
    let (response, large) = match read {
        Ok(form) => {
            let large = form.bytes_read >= crate::uploads::GIVE_BACK_AFTER_BYTES;
            (upload_files(&state, form, &principal, &actor).await, large)
        }
        Err(ReadRefusal::BadToken) => return crate::auth::forbidden(&parts.headers, crate::auth::BAD_CSRF),
        Err(ReadRefusal::Slow) => (crate::auth::see_other("/returns?error=upload_slow"), true),
        Err(ReadRefusal::TooLarge) => (crate::auth::see_other("/returns?error=upload_too_large"), true),
        Err(ReadRefusal::Broken) => (crate::auth::see_other("/returns?error=upload_broken"), true),
    };
    if large {
        // What the request held is free again: hand it back to the system rather than keep the process at its peak.
        let _ = tokio::task::spawn_blocking(crate::uploads::give_back_memory).await;
    }
    response
}

/// Unpacks, checks and stores the files of an upload read in full (see [`upload`]).
async fn upload_files(state: &AppState, form: UploadForm, principal: &Principal, actor: &Actor) -> Response {
    let limits = state.return_limits;
    if form.files.is_empty() && form.too_large.is_empty() {
        return crate::auth::see_other("/returns?error=no_file");
    }
    let expected_office = match form.office.as_deref().map(|o| OfficeCode::parse(o.trim())) {
        None => None,
        Some(Ok(code)) => Some(code),
        Some(Err(_)) => return crate::auth::see_other("/returns?error=office"),
    };
    let expected_period = match form.period.as_deref().map(service::parse_period) {
        None => None,
        Some(Ok(period)) => Some(period),
        Some(Err(_)) => return crate::auth::see_other("/returns?error=period"),
    };
    let today = today_in_china();
    let mut report = UploadReport { files: Vec::new() };
    for name in form.too_large {
        report.files.push(refused(&name, ReturnError::TooLarge { limit_mb: limits.max_upload_bytes / (1024 * 1024) }));
    }
    // Unpack .zip files into their workbooks: the files and declared sizes of the whole request first.
    let files = form.files;
    let unpacked = tokio::task::spawn_blocking(move || {
        request_totals(&files, limits.max_batch_files, crate::uploads::MAX_UNPACKED_BYTES)?;
        // One budget for every file of the request: what the declared totals promised is all that is unpacked.
        let mut budget = BatchBudget::new(
            limits.max_batch_files,
            crate::uploads::MAX_UNPACKED_BYTES,
            limits.max_upload_bytes as u64,
        );
        Ok::<_, TotalsError>(
            files
                .into_iter()
                .map(|(name, bytes)| {
                    let expanded = expand_within(&name, bytes, &mut budget);
                    (name, expanded)
                })
                .collect::<Vec<_>>(),
        )
    })
    .await;
    let unpacked = match unpacked {
        Ok(Ok(unpacked)) => unpacked,
        Ok(Err(TotalsError::TooManyFiles { .. })) => return crate::auth::see_other("/returns?error=too_many_files"),
        Ok(Err(TotalsError::TooLarge { .. })) => return crate::auth::see_other("/returns?error=unpacked_too_large"),
        Err(e) => return error_response(&ReturnError::Worker(e.to_string())),
    };
    // A zip whose entry unpacks to more than it declared is forged: the whole request is refused.
    if unpacked.iter().any(|(_, expanded)| matches!(expanded, Err(BatchError::SizeMismatch { .. }))) {
        return crate::auth::see_other("/returns?error=zip_size_lie");
    }
    let mut entries: Vec<BatchEntry> = Vec::new();
    for (name, expanded) in unpacked {
        match expanded {
            Ok(mut files) => entries.append(&mut files),
            Err(e) => report.files.push(FileReport {
                file_name: name,
                draft_id: None,
                office: None,
                period: None,
                refused: Some(e.to_string()),
                errors: Vec::new(),
                warnings: Vec::new(),
            }),
        }
    }
    if entries.len() > limits.max_batch_files {
        return crate::auth::see_other("/returns?error=too_many_files");
    }
    let uploads: Vec<Upload> = entries
        .into_iter()
        .map(|entry| Upload {
            file_name: entry.name,
            bytes: entry.bytes,
            expected_office: expected_office.clone(),
            expected_period,
            source: ReturnSource::Excel,
        })
        .collect();
    let names: Vec<String> = uploads.iter().map(|u| u.file_name.clone()).collect();
    // Parsed on every core, each file stored on its own; one bad file never blocks the others.
    let batch = service::upload_batch(
        state.store.as_ref(),
        principal,
        uploads,
        limits,
        today,
        actor,
        service::BatchAction::Draft,
        |_| {},
    )
    .await;
    match batch {
        Ok(files) => report.files.extend(files.into_iter().map(file_report)),
        // The batch could not start (no catalog, the store unreadable): every file is refused with the reason.
        Err(e) => {
            tracing::error!("batch upload: {e:?}");
            let message = e.to_string();
            report.files.extend(
                names
                    .iter()
                    .map(|name| FileReport { refused: Some(message.clone()), ..refused(name, ReturnError::NotFound) }),
            );
        }
    }
    if let [only] = report.files.as_slice() {
        if let Some(id) = only.draft_id {
            return crate::auth::see_other(&format!("/returns/{id}"));
        }
    }
    let key = state.upload_reports.put(principal.user_id, report);
    crate::auth::see_other(&format!("/returns/uploads/{key}"))
}

/// The report line of one file of a batch.
fn file_report(file: service::BatchFile) -> FileReport {
    match file.outcome {
        Ok(service::BatchStored::Drafted(uploaded) | service::BatchStored::Submitted(uploaded)) => FileReport {
            file_name: file.file_name,
            draft_id: Some(uploaded.id),
            office: Some(uploaded.office.to_string()),
            period: Some(uploaded.period),
            refused: None,
            errors: Vec::new(),
            warnings: uploaded.warnings,
        },
        Ok(service::BatchStored::Checked(checked)) => FileReport {
            file_name: file.file_name,
            draft_id: None,
            office: Some(checked.office.to_string()),
            period: Some(checked.period),
            refused: None,
            errors: Vec::new(),
            warnings: checked.warnings,
        },
        Err(ReturnError::Invalid { errors, warnings }) => FileReport {
            refused: Some(format!("文件有 {} 处错误，未保存任何内容", errors.len())),
            errors,
            warnings,
            ..refused(&file.file_name, ReturnError::NotFound)
        },
        Err(e) => refused(&file.file_name, e),
    }
}

fn refused(file_name: &str, error: ReturnError) -> FileReport {
    if matches!(error, ReturnError::Store(_) | ReturnError::Worker(_)) {
        tracing::error!("upload of {file_name}: {error:?}");
    }
    FileReport {
        file_name: file_name.to_string(),
        draft_id: None,
        office: None,
        period: None,
        refused: Some(error.to_string()),
        errors: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The error code a return page explains (`app::pages::returns::return_error_message`).
fn error_code(error: &ReturnError) -> &'static str {
    match error {
        ReturnError::NotFound => "not_found",
        ReturnError::Forbidden | ReturnError::OfficeNotAllowed(_) => "forbidden",
        ReturnError::WrongState(_) => "state",
        ReturnError::ReasonsRequired => "reasons",
        ReturnError::ReasonTooLong { .. } => "reason_too_long",
        ReturnError::CommentTooLong { .. } => "comment_too_long",
        ReturnError::ReasonUnknown(_) => "reason_unknown",
        ReturnError::ReasonTwice(_) => "reason_twice",
        ReturnError::Duplicate { .. } => "duplicate",
        _ => {
            tracing::error!("returns form: {error:?}");
            "unavailable"
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfOnly {
    csrf_token: String,
}

/// `POST /returns/{id}/confirm`: the uploader confirms the preview; the return goes to the direct customs.
pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: axum::http::request::Parts,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    let csrf = form.ok().map(|Form(f)| f.csrf_token);
    let back = format!("/returns/{id}");
    let (principal, actor) = match form_caller(&state, &parts, csrf.as_deref(), &back) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    match service::confirm(state.store.as_ref(), &principal, id, Utc::now(), today_in_china(), &actor).await {
        Ok(_) => crate::auth::see_other(&format!("/returns/{id}?status=submitted")),
        Err(e) => crate::auth::see_other(&format!("/returns/{id}?error={}", error_code(&e))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmAllForm {
    csrf_token: String,
    /// Draft ids, comma-separated.
    ids: String,
}

/// `POST /returns/confirm`: confirms every draft of a batch report at once; each one is checked on its own.
pub async fn confirm_all(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    form: Result<Form<ConfirmAllForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let (principal, actor) = match form_caller(&state, &parts, Some(&form.csrf_token), "/returns") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (mut done, mut failed) = (0usize, 0usize);
    for id in
        form.ids.split(',').filter_map(|id| id.trim().parse::<i64>().ok()).take(state.return_limits.max_batch_files)
    {
        match service::confirm(state.store.as_ref(), &principal, id, Utc::now(), today_in_china(), &actor).await {
            Ok(_) => done += 1,
            Err(_) => failed += 1,
        }
    }
    crate::auth::see_other(&format!("/returns?status=confirmed&done={done}&failed={failed}"))
}

/// `POST /returns/{id}/discard`: the uploader drops a draft.
pub async fn discard(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: axum::http::request::Parts,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    let csrf = form.ok().map(|Form(f)| f.csrf_token);
    let back = format!("/returns/{id}");
    let (principal, actor) = match form_caller(&state, &parts, csrf.as_deref(), &back) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    match service::discard(state.store.as_ref(), &principal, id, today_in_china(), &actor).await {
        Ok(()) => crate::auth::see_other("/returns?status=discarded"),
        Err(e) => crate::auth::see_other(&format!("/returns/{id}?error={}", error_code(&e))),
    }
}

/// `POST /returns/{id}/decision`: `decision=accept` or `decision=return` with a reason per item (`reason_item_7`),
/// per requirement (`reason_req_training`) or for the whole return (`reason_general`); returning needs one.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: axum::http::request::Parts,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|Form(f)| f).unwrap_or_default();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let back = format!("/returns/{id}");
    let (principal, actor) = match form_caller(&state, &parts, field("csrf_token"), &back) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let decision = match field("decision") {
        Some("accept") => Decision::Accepted,
        Some("return") => Decision::Returned,
        _ => return crate::auth::see_other(&format!("/returns/{id}?error=decision")),
    };
    let mut reasons = Vec::new();
    for (name, value) in &fields {
        if value.trim().is_empty() {
            continue;
        }
        if let Some(item) = name.strip_prefix("reason_item_").and_then(|n| n.parse::<u32>().ok()) {
            reasons.push(ReturnReason { item: Some(item), requirement: None, reason: value.clone() });
        } else if let Some(code) = name.strip_prefix("reason_req_") {
            reasons.push(ReturnReason { item: None, requirement: Some(code.to_string()), reason: value.clone() });
        } else if name == "reason_general" {
            reasons.push(ReturnReason { item: None, requirement: None, reason: value.clone() });
        }
    }
    if decision == Decision::Accepted {
        // Reasons typed before choosing 通过 are not kept: an accepted return has nothing to fix.
        reasons.clear();
    }
    let comment = field("comment").unwrap_or_default();
    let outcome = service::decide(
        state.store.as_ref(),
        &principal,
        id,
        decision,
        comment,
        reasons,
        Utc::now(),
        today_in_china(),
        &actor,
    )
    .await;
    match outcome {
        Ok(()) => crate::auth::see_other(&format!(
            "/returns/{id}?status={}",
            if decision == Decision::Accepted { "accepted" } else { "returned" }
        )),
        Err(e) => crate::auth::see_other(&format!("/returns/{id}?error={}", error_code(&e))),
    }
}

/// `GET /returns/{id}/file`: the return as a workbook for whoever may read it: a copy made from what was recorded,
/// or for HQ's administrator the uploaded file itself (`service::download`).
pub async fn file(State(state): State<AppState>, Path(id): Path<i64>, parts: axum::http::request::Parts) -> Response {
    let auth = app::auth::current::from_parts(&parts);
    let Some(principal) = auth.principal() else {
        return crate::api::error_response(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录");
    };
    match service::download(state.store.as_ref(), &principal, id, today_in_china()).await {
        Ok(download) if download.original => {
            let mut response = xlsx_download(&download.file_name, download.bytes);
            // The uploaded file keeps the type it was uploaded as.
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            response
        }
        Ok(download) => xlsx_download(&download.file_name, download.bytes),
        Err(e) => error_response(&e),
    }
}

/// `POST /returns/form`: the web form of a return (在线填报), url-encoded. Checked with the workbook import's rules;
/// without error it becomes a draft and the browser goes to its preview, exactly as after an upload. With errors
/// nothing is stored: the form as typed and its problems are kept for the caller, and the browser goes back to the
/// form page, which shows each message beside its field.
pub async fn submit_form(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|Form(f)| f).unwrap_or_default();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let office = field("office").unwrap_or_default();
    let period = field("period").unwrap_or_default();
    let back = format!("/returns/form?office={}&period={}", crate::auth::encode(&office), crate::auth::encode(&period));
    let (principal, actor) = match form_caller(&state, &parts, field("csrf_token").as_deref(), &back) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let Ok(office) = OfficeCode::parse(&office) else {
        return crate::auth::see_other("/returns?error=office");
    };
    let Ok(period) = service::parse_period(&period) else {
        return crate::auth::see_other("/returns?error=period");
    };
    let catalog = match state.store.standard_catalog().await {
        Ok(Some(catalog)) => catalog,
        Ok(None) => return error_response(&ReturnError::NoCatalog),
        Err(e) => return error_response(&ReturnError::Store(e)),
    };
    let form = ReturnForm::from_fields(office, period, &catalog, &fields);
    let outcome = service::submit_form(state.store.as_ref(), &principal, form.clone(), today_in_china(), &actor).await;
    match outcome {
        Ok(FormOutcome::Drafted(uploaded)) => crate::auth::see_other(&format!("/returns/{}", uploaded.id)),
        Ok(FormOutcome::Invalid(problems)) => {
            let key = state.rejected_forms.put(principal.user_id, RejectedForm { form, problems });
            crate::auth::see_other(&format!("/returns/form?report={key}#form-summary"))
        }
        Err(ReturnError::Duplicate { id, .. }) => crate::auth::see_other(&format!("/returns/{id}?error=duplicate")),
        Err(ReturnError::FuturePeriod(_)) => crate::auth::see_other("/returns?error=period"),
        Err(e) => crate::auth::see_other(&format!("{back}&error={}", error_code(&e))),
    }
}
