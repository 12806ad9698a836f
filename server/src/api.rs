//! The JSON API v1 for machine clients (`/api/v1/…`) and its OpenAPI description.
//!
//! Field names are stable: they are the serde names of the `analytics` domain types and of the views below.
//! Errors are always `{"error": {"code": "...", "message": "..."}}` with a Chinese message and a fitting status.

use analytics::calendar::{CalendarError, WorkingCalendar};
use analytics::offices::OfficeNode;
use app::auth::current::RequestAuth;
use app::error::AppError;
use app::functions::{parse_as_of, parse_date_param, principal_of};
use app::services::{today_in_china, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::web::ServerState;

/// Every path of API v1 (below `/api/v1`), in the order the router registers them. The router is built from this
/// list, and the permission matrix of the tests checks that each one has an entry.
pub const API_ROUTES: &[&str] = &[
    "/catalog",
    "/offices",
    "/offices/{code}/assessment",
    "/milestones",
    "/calendar/deadline",
    "/calendar/days/{date}",
    "/openapi.json",
];

/// The handler of one path of [`API_ROUTES`].
fn handler(path: &str) -> axum::routing::MethodRouter<ServerState> {
    match path {
        "/catalog" => get(catalog),
        "/offices" => get(offices),
        "/offices/{code}/assessment" => get(office_assessment),
        "/milestones" => get(milestones),
        "/calendar/deadline" => get(calendar_deadline),
        "/calendar/days/{date}" => get(calendar_day),
        "/openapi.json" => get(openapi),
        other => unreachable!("API route {other} has no handler"),
    }
}

pub fn router() -> Router<ServerState> {
    API_ROUTES.iter().fold(Router::new(), |router, path| router.route(path, handler(path))).fallback(not_found)
}

/// An error as JSON with its status.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": { "code": code, "message": message } }))).into_response()
}

struct ApiError(AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<app::store::StoreError> for ApiError {
    fn from(e: app::store::StoreError) -> Self {
        ApiError(AppError::from(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = serde_json::json!({
            "error": { "code": self.0.code(), "message": self.0.message(app::i18n::Lang::Zh) }
        });
        if let AppError::BadRequest { field, .. } = &self.0 {
            body["error"]["field"] = serde_json::Value::String(field.clone());
        }
        (status, Json(body)).into_response()
    }
}

async fn not_found() -> Response {
    error_response(StatusCode::NOT_FOUND, "not_found", "接口不存在，请查阅 /api/v1/openapi.json")
}

/// `GET /api/v1/catalog`: the current standard catalog with every field.
async fn catalog(State(state): State<AppState>) -> Result<Response, ApiError> {
    let catalog =
        state.store.standard_catalog().await?.ok_or_else(|| AppError::not_found("标准目录", "standard catalog"))?;
    Ok(Json(catalog).into_response())
}

#[derive(Debug, Deserialize)]
struct OfficesQuery {
    as_of: Option<String>,
}

/// Response of `GET /api/v1/offices`.
#[derive(Debug, Serialize)]
struct OfficesResponse {
    as_of: NaiveDate,
    direct_customs: usize,
    subordinates: usize,
    /// The hierarchy on `as_of`; normally one root, 海关总署.
    roots: Vec<OfficeNode>,
}

/// `GET /api/v1/offices?as_of=YYYY-MM-DD`: the office tree as of a date (default: today in China).
/// Needs a signed-in caller or an API token; shows only the caller's scope (the hierarchy as of today).
async fn offices(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(query): Query<OfficesQuery>,
) -> Result<Response, ApiError> {
    let principal = principal_of(&auth)?;
    let today = today_in_china();
    let as_of = parse_as_of(query.as_of.as_deref(), today)?;
    let (_, scoped) =
        app::services::directory::scoped_directory(state.store.as_ref(), &principal, as_of, today).await?;
    let body = OfficesResponse {
        as_of,
        direct_customs: scoped.direct_customs,
        subordinates: scoped.subordinates,
        roots: scoped.roots,
    };
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize)]
struct AsOfQuery {
    as_of: Option<String>,
}

/// `GET /api/v1/milestones?as_of=YYYY-MM-DD`: M1–M5 of every direct customs the caller may read (all for
/// headquarters, with the national roll-up), as of a date (default: today in China).
async fn milestones(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, ApiError> {
    let principal = principal_of(&auth)?;
    let today = today_in_china();
    let as_of = parse_as_of(query.as_of.as_deref(), today)?;
    let view = app::services::rollout::milestones(state.store.as_ref(), &principal, as_of, today)
        .await
        .map_err(AppError::from)?;
    Ok(Json(view).into_response())
}

/// `GET /api/v1/offices/{code}/assessment?as_of=YYYY-MM-DD`: a subordinate office's score, grade, explanation
/// line by line, and benchmark completion, from its latest return accepted by `as_of`. Outside the caller's
/// scope: the same 404 as an unknown office.
async fn office_assessment(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(code): Path<String>,
    Query(query): Query<AsOfQuery>,
) -> Result<Response, ApiError> {
    let principal = principal_of(&auth)?;
    let today = today_in_china();
    let as_of = parse_as_of(query.as_of.as_deref(), today)?;
    let office = analytics::offices::OfficeCode::parse(&code).map_err(|_| AppError::not_found("机构", "office"))?;
    let view = app::services::rollout::office_assessment(state.store.as_ref(), &principal, &office, as_of, today)
        .await
        .map_err(AppError::from)?;
    Ok(Json(view).into_response())
}

/// The working-day calendar: the bundled years and those headquarters imported.
async fn calendar(state: &AppState) -> Result<WorkingCalendar, ApiError> {
    app::services::calendar::working_calendar(state.store.as_ref())
        .await
        .map_err(|e| ApiError(AppError::internal(format!("holiday arrangements: {e}"))))
}

/// A date the calendar has no arrangement for: 422 with the reason.
fn unknown_year(e: CalendarError) -> Response {
    error_response(StatusCode::UNPROCESSABLE_ENTITY, "unknown_year", &e.to_string())
}

fn required_date(raw: Option<&str>, field: &str) -> Result<NaiveDate, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(_) => Ok(parse_date_param(raw, field, NaiveDate::MIN)?),
        None => Err(ApiError(AppError::bad_request(
            field,
            format!("缺少参数 {field}（年-月-日，例如 2024-09-27）"),
            format!("Missing parameter {field} (YYYY-MM-DD)"),
        ))),
    }
}

#[derive(Debug, Deserialize)]
struct DeadlineQuery {
    start: Option<String>,
    working_days: Option<String>,
}

/// `GET /api/v1/calendar/deadline?start=YYYY-MM-DD&working_days=N`: the N-th working day after `start` (the day of
/// `start` does not count).
async fn calendar_deadline(
    State(state): State<AppState>,
    Query(query): Query<DeadlineQuery>,
) -> Result<Response, ApiError> {
    let start = required_date(query.start.as_deref(), "start")?;
    let raw = query.working_days.unwrap_or_default();
    let days: u32 = raw.trim().parse().ok().filter(|n| *n <= 366).ok_or_else(|| {
        ApiError(AppError::bad_request(
            "working_days",
            format!("工作日数“{raw}”有误，应为 0 到 366 的整数"),
            format!("working_days “{raw}” must be a whole number from 0 to 366"),
        ))
    })?;
    match calendar(&state).await?.add_working_days(start, days) {
        Ok(deadline) => {
            Ok(Json(serde_json::json!({ "start": start, "working_days": days, "deadline": deadline })).into_response())
        }
        Err(e) => Ok(unknown_year(e)),
    }
}

/// `GET /api/v1/calendar/days/{YYYY-MM-DD}`: whether the day is a working day, why, and the notice that decides.
async fn calendar_day(State(state): State<AppState>, Path(date): Path<String>) -> Result<Response, ApiError> {
    let date = required_date(Some(&date), "date")?;
    match calendar(&state).await?.day_info(date) {
        Ok(info) => Ok(Json(info).into_response()),
        Err(e) => Ok(unknown_year(e)),
    }
}

/// `GET /api/v1/openapi.json`.
async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}

/// The OpenAPI 3.1 description of API v1.
pub fn openapi_document() -> serde_json::Value {
    let mut document = base_document();
    // Added in parts: one `json!` of the whole document exceeds the macro recursion limit.
    for (key, part) in [("paths", rollout_paths()), ("schemas", rollout_schemas())] {
        let target = if key == "paths" { &mut document["paths"] } else { &mut document["components"]["schemas"] };
        if let (Some(target), serde_json::Value::Object(part)) = (target.as_object_mut(), part) {
            target.extend(part);
        }
    }
    document
}

/// Paths of the rollout: milestones and an office's assessment.
fn rollout_paths() -> serde_json::Value {
    serde_json::json!({
            "/api/v1/milestones": { "get": {
                "summary": "截至某日各直属海关的里程碑 M1–M5（总署另含全国汇总）/ milestones M1–M5 per direct customs as of a date",
                "security": [{ "bearer": [] }],
                "parameters": [{ "name": "as_of", "in": "query", "required": false, "example": "2022-12-31",
                    "schema": { "type": "string", "format": "date" }, "description": "YYYY-MM-DD；默认为今日（北京时间）；此后的事件不计" }],
                "responses": {
                    "200": { "description": "the milestones", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Milestones" } } } },
                    "400": { "description": "as_of malformed, or outside 2021-12-30 to today (error.field = as_of)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no session and no API token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/offices/{code}/assessment": { "get": {
                "summary": "隶属海关截至某日的评分、等级、逐项扣分说明与对标完成情况 / an office's score, grade, explanation and completion as of a date",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "code", "in": "path", "required": true, "example": "0201", "schema": { "type": "string", "pattern": "^[0-9]{4}$" } },
                    { "name": "as_of", "in": "query", "required": false, "example": "2023-12-31",
                      "schema": { "type": "string", "format": "date" }, "description": "YYYY-MM-DD；默认为今日（北京时间）" }
                ],
                "responses": {
                    "200": { "description": "the assessment", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OfficeAssessment" } } } },
                    "400": { "description": "as_of malformed, or outside 2021-12-30 to today (error.field = as_of)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no session and no API token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "404": { "description": "unknown office, not a subordinate office, or outside the caller's scope", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } }
    })
}

/// Schemas of the rollout answers.
fn rollout_schemas() -> serde_json::Value {
    serde_json::json!({
            "Milestones": { "type": "object", "required": ["as_of", "districts"], "properties": {
                "as_of": { "type": "string", "format": "date" },
                "districts": { "type": "array", "items": { "$ref": "#/components/schemas/DistrictMilestones" } },
                "national": { "type": "object", "description": "headquarters only: per milestone the count of districts met on time, late, missed, due today, open (at risk), without offices; offices and completed offices nationally" },
                "notes": { "type": "array", "items": { "type": "string" }, "description": "headquarters only: input the engine ignored" } } },
            "DistrictMilestones": { "type": "object",
                "required": ["district", "name", "offices", "completed_ever", "completed_now", "pilots", "milestones"],
                "properties": {
                    "district": { "type": "string", "pattern": "^[0-9]{2}00$" },
                    "name": { "type": "string" },
                    "offices": { "type": "integer", "description": "subordinate offices in force on as_of" },
                    "completed_ever": { "type": "integer", "description": "of those, completed benchmarking at least once by as_of" },
                    "completed_now": { "type": "integer", "description": "of those, complete on as_of" },
                    "pilots": { "type": "array", "items": { "type": "object", "required": ["office", "name", "designated_on", "complete_now", "in_district"], "properties": {
                        "office": { "type": "string" }, "name": { "type": "string" },
                        "designated_on": { "type": "string", "format": "date" },
                        "completed_on": { "oneOf": [{ "type": "null" }, { "type": "string", "format": "date" }] },
                        "complete_now": { "type": "boolean" }, "in_district": { "type": "boolean" } } } },
                    "milestones": { "type": "array", "items": { "$ref": "#/components/schemas/MilestoneResult" } },
                    "projected_all_complete_on": { "oneOf": [{ "type": "null" }, { "type": "string", "format": "date" }] }
                } },
            "MilestoneResult": { "type": "object", "required": ["code", "due", "evaluated_on", "offices", "status"], "properties": {
                "code": { "type": "string", "enum": ["M1", "M2", "M3", "M4", "M5"] },
                "due": { "type": "string", "format": "date" },
                "evaluated_on": { "type": "string", "format": "date", "description": "the deadline once passed, as_of before" },
                "offices": { "type": "integer" },
                "required": { "oneOf": [{ "type": "null" }, { "type": "integer" }], "description": "completed offices (M4, M5) or pilots (M3) needed" },
                "achieved": { "oneOf": [{ "type": "null" }, { "type": "integer" }] },
                "status": { "type": "object", "required": ["status"], "properties": {
                    "status": { "type": "string", "enum": ["met_on_time", "met_late", "missed", "due_today", "not_yet_due", "no_offices"] },
                    "met_on": { "type": "string", "format": "date" },
                    "days_late": { "type": "integer", "description": "calendar days after the deadline" },
                    "days_overdue": { "type": "integer" },
                    "on_track": { "type": "boolean" },
                    "projected_on": { "oneOf": [{ "type": "null" }, { "type": "string", "format": "date" }] } } },
                "met_on": { "oneOf": [{ "type": "null" }, { "type": "string", "format": "date" }] },
                "note_zh": { "type": "string" } } },
            "OfficeAssessment": { "type": "object", "required": ["office", "name", "as_of", "return", "assessment", "completion"], "properties": {
                "office": { "type": "string" }, "name": { "type": "string" },
                "district": { "oneOf": [{ "type": "null" }, { "type": "string" }] },
                "as_of": { "type": "string", "format": "date" },
                "return": { "oneOf": [{ "type": "null" }, { "type": "object", "required": ["period", "verified_on"], "properties": {
                    "period": { "type": "string", "example": "2022Q3" }, "verified_on": { "type": "string", "format": "date" } } }] },
                "assessment": { "oneOf": [{ "type": "null" }, { "type": "object", "required": ["scheme_code", "score", "grade", "lines", "inherited", "excluded"], "properties": {
                    "scheme_code": { "type": "string" }, "score": { "type": "number" }, "grade": { "type": "string" },
                    "lines": { "type": "array", "items": { "type": "object", "required": ["rule", "points", "reason_zh"], "properties": {
                        "rule": { "type": "string" }, "item": { "type": "integer" }, "element": { "type": "integer" },
                        "requirement": { "type": "string" }, "points": { "type": "number" }, "reason_zh": { "type": "string" } } } },
                    "inherited": { "type": "array", "items": { "type": "object" } },
                    "excluded": { "type": "array", "items": { "type": "object" } } } }] },
                "completion": { "type": "object", "required": ["complete", "missing", "history"], "properties": {
                    "complete": { "type": "boolean" },
                    "missing": { "type": "array", "items": { "type": "string" } },
                    "first_completed_on": { "oneOf": [{ "type": "null" }, { "type": "string", "format": "date" }] },
                    "history": { "type": "array", "items": { "type": "object", "required": ["on", "complete", "period", "missing"] } } } } } }
    })
}

fn base_document() -> serde_json::Value {
    use serde_json::json;
    let gap_text = json!({
        "type": "object", "required": ["text"],
        "properties": {
            "text": { "type": "string", "description": "surviving text, verbatim" },
            "gap": { "$ref": "#/components/schemas/TextGap" }
        }
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Gongkai API",
            "version": "1.0.0",
            "description": "海关基层政务公开标准化规范化管理平台 JSON API v1。字段名稳定；错误为 {\"error\":{\"code\",\"message\"}}。"
        },
        "paths": {
            "/health": { "get": {
                "summary": "健康检查 / health check",
                "responses": {
                    "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } },
                    "503": { "description": "database unavailable" }
                }
            } },
            "/api/v1/catalog": { "get": {
                "summary": "标准目录（全部字段）/ the standard catalog with every field",
                "responses": {
                    "200": { "description": "the catalog", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Catalog" } } } },
                    "404": { "description": "not loaded", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/offices": { "get": {
                "summary": "截至某日的机构层级（仅限调用者的机构范围）/ the office tree as of a date, within the caller's scope",
                "security": [{ "bearer": [] }],
                "parameters": [{ "name": "as_of", "in": "query", "required": false, "example": "2022-12-31",
                    "schema": { "type": "string", "format": "date" }, "description": "YYYY-MM-DD；默认为今日（北京时间）" }],
                "responses": {
                    "200": { "description": "the tree", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Offices" } } } },
                    "400": { "description": "as_of malformed, or outside 2021-12-30 to today (error.field = as_of)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "401": { "description": "no session and no API token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/calendar/deadline": { "get": {
                "summary": "N 个工作日后的期限（当日不计）/ the N-th working day after a date",
                "parameters": [
                    { "name": "start", "in": "query", "required": true, "example": "2024-09-27",
                      "schema": { "type": "string", "format": "date" }, "description": "触发日（信息形成或变更之日）" },
                    { "name": "working_days", "in": "query", "required": true, "example": "7",
                      "schema": { "type": "integer", "minimum": 0, "maximum": 366 } }
                ],
                "responses": {
                    "200": { "description": "the deadline", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Deadline" } } } },
                    "400": { "description": "malformed parameter", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "a year without a published holiday arrangement", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/calendar/days/{date}": { "get": {
                "summary": "某日是否工作日及依据 / whether a day is a working day, and why",
                "parameters": [{ "name": "date", "in": "path", "required": true, "example": "2024-10-12",
                    "schema": { "type": "string", "format": "date" } }],
                "responses": {
                    "200": { "description": "the day", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Day" } } } },
                    "400": { "description": "malformed date", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                    "422": { "description": "a year without a published holiday arrangement", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
                }
            } },
            "/api/v1/openapi.json": { "get": { "summary": "this document", "responses": { "200": { "description": "OpenAPI 3.1" } } } }
        },
        "components": {
          "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "API token gk_…" } },
          "schemas": {
            "Error": { "type": "object", "required": ["error"], "properties": { "error": {
                "type": "object", "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "enum": ["bad_request", "unauthorized", "forbidden", "not_found", "unknown_year", "internal", "transport"] },
                    "message": { "type": "string", "description": "中文说明" },
                    "field": { "type": "string", "description": "the parameter at fault, for bad_request" }
                } } } },
            "Deadline": { "type": "object", "required": ["start", "working_days", "deadline"], "properties": {
                "start": { "type": "string", "format": "date" },
                "working_days": { "type": "integer" },
                "deadline": { "type": "string", "format": "date" } } },
            "Day": { "type": "object", "required": ["date", "working_day", "kind", "holiday", "notice"], "properties": {
                "date": { "type": "string", "format": "date" },
                "working_day": { "type": "boolean" },
                "kind": { "type": "string", "enum": ["weekday", "weekend", "holiday", "make_up_workday"] },
                "holiday": { "oneOf": [{ "type": "null" }, { "type": "string" }], "description": "the holiday period, e.g. 国庆节" },
                "notice": { "type": "string", "description": "the State Council notice of that year's arrangement" } } },
            "Health": { "type": "object", "required": ["status", "database", "office_versions"], "properties": {
                "status": { "type": "string", "enum": ["ok"] },
                "database": { "type": "string" },
                "office_versions": { "type": "integer" } } },
            "Catalog": { "type": "object",
                "required": ["code", "title", "document_number", "issued_on", "issuer", "bases", "groups", "remarks"],
                "properties": {
                    "code": { "type": "string", "example": "std-2021-23" },
                    "title": { "type": "string" },
                    "document_number": { "type": "string", "example": "署办发〔2021〕23号" },
                    "issued_on": { "type": "string", "format": "date" },
                    "issuer": { "type": "string" },
                    "bases": { "type": "array", "items": { "$ref": "#/components/schemas/Basis" } },
                    "groups": { "type": "array", "items": { "$ref": "#/components/schemas/Group" } },
                    "remarks": { "type": "array", "items": { "type": "object", "required": ["label", "text"],
                        "properties": { "label": { "type": "string" }, "text": { "type": "string" } } } }
                } },
            "Basis": { "type": "object", "required": ["number", "symbol", "title"], "properties": {
                "number": { "type": "integer", "minimum": 1 },
                "symbol": { "type": "string", "example": "①" },
                "title": { "type": "string", "description": "full title(s) from 备注1" } } },
            "Group": { "type": "object", "required": ["number", "name", "items"], "properties": {
                "number": { "type": "integer" }, "name": { "type": "string", "description": "一级事项" },
                "items": { "type": "array", "items": { "$ref": "#/components/schemas/Item" } } } },
            "Item": { "type": "object",
                "required": ["number", "name", "elements", "basis", "time_limit_text", "time_limit", "subject_text",
                             "subjects", "channels", "audience", "modes", "notes"],
                "properties": {
                    "number": { "type": "integer", "description": "序号 1–25" },
                    "name": { "type": "string", "description": "二级事项" },
                    "elements": { "type": "array", "items": { "$ref": "#/components/schemas/Element" } },
                    "basis": { "type": "array", "items": { "type": "integer" }, "description": "numbers into bases" },
                    "time_limit_text": { "type": "string" },
                    "time_limit": { "$ref": "#/components/schemas/TimeLimitRule" },
                    "subject_text": { "type": "string" },
                    "subjects": { "type": "array", "items": { "type": "object", "required": ["levels"], "properties": {
                        "element": { "type": "integer", "description": "absent: the whole item" },
                        "levels": { "type": "array", "items": { "type": "string", "enum": ["headquarters", "direct_customs", "subordinate"] } } } } },
                    "channels": { "type": "array", "items": { "$ref": "#/components/schemas/Channel" } },
                    "audience": { "type": "array", "items": { "type": "string", "enum": ["public", "specific_groups"] } },
                    "modes": { "type": "array", "items": { "type": "string", "enum": ["proactive", "on_request"] } },
                    "notes": { "oneOf": [{ "type": "null" }, gap_text.clone()] }
                } },
            "Element": { "type": "object", "required": ["ordinal", "text"], "properties": {
                "ordinal": { "type": "integer" },
                "text": gap_text,
                "time_limit": { "$ref": "#/components/schemas/TimeLimitRule" },
                "time_limit_text": { "type": "string" } } },
            "TextGap": { "type": "object", "required": ["position", "explanation"], "properties": {
                "position": { "type": "string", "enum": ["start", "end", "both", "whole"] },
                "explanation": { "type": "string" } } },
            "TimeLimitRule": { "oneOf": [
                { "type": "object", "required": ["kind", "days"], "properties": {
                    "kind": { "const": "working_days_after_change" }, "days": { "type": "integer" } } },
                { "type": "object", "required": ["kind", "days"], "properties": {
                    "kind": { "const": "calendar_days_after_approval" }, "days": { "type": "integer" } } },
                { "type": "object", "required": ["kind", "month", "day"], "properties": {
                    "kind": { "const": "annual_by" }, "month": { "type": "integer" }, "day": { "type": "integer" } } },
                { "type": "object", "required": ["kind", "action"], "properties": {
                    "kind": { "const": "as_needed" }, "action": { "type": "string", "enum": ["update", "publish"] } } },
                { "type": "object", "required": ["kind", "reference"], "properties": {
                    "kind": { "const": "external_rule" }, "reference": { "type": "string" } } }
            ] },
            "Channel": { "type": "object", "required": ["code", "name", "recommended"], "properties": {
                "code": { "type": "string", "enum": ["A", "B", "C", "D", "E", "F", "G", "H"] },
                "name": { "type": "string" },
                "recommended": { "type": "boolean", "description": "■ in the notice" },
                "detail": { "type": "string", "description": "for H (其他): the form named, e.g. 海关总署网站" } } },
            "Offices": { "type": "object", "required": ["as_of", "direct_customs", "subordinates", "roots"], "properties": {
                "as_of": { "type": "string", "format": "date" },
                "direct_customs": { "type": "integer" },
                "subordinates": { "type": "integer" },
                "roots": { "type": "array", "items": { "$ref": "#/components/schemas/OfficeNode" } } } },
            "OfficeNode": { "type": "object",
                "required": ["code", "name", "kind", "since", "opened_on", "subordinate_count", "children"],
                "properties": {
                    "code": { "type": "string", "pattern": "^[0-9]{4}$" },
                    "name": { "type": "string" },
                    "kind": { "type": "string", "enum": ["headquarters", "direct_customs", "subordinate"] },
                    "since": { "type": "string", "format": "date", "description": "first day of the version in force" },
                    "opened_on": { "type": "string", "format": "date" },
                    "subordinate_count": { "type": "integer" },
                    "children": { "type": "array", "items": { "$ref": "#/components/schemas/OfficeNode" } }
                } }
        } }
    })
}
