//! The forms of the assessment settings pages (总署办公厅管理员 only): `POST /admin/schemes` stores a new scoring
//! scheme version with its completion definition and staleness window; `POST /admin/calendar` imports a year's
//! holiday arrangement. Both are accepted only from this server's pages with the session's CSRF token, and answer
//! with a redirect back to their page carrying the outcome (the reason naming the field or line when refused, the
//! typed values kept), so a refused form loses nothing and stores nothing.

use std::collections::BTreeMap;

use app::services::calendar::{self, YearForm};
use app::services::rollout::{store_scheme_settings, SchemeSettingsForm};
use app::services::today_in_china;
use app::services::upload_reports::AdminFormEcho;
use app::services::AppState;
use app::store::CatalogInstall;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

/// What a refused form says when the database failed (the details go to the log).
const UNAVAILABLE: &str = "操作暂时无法完成，请稍后再试；未保存任何内容。";

/// Redirects to `page` with the outcome kept for the caller.
fn back_with(state: &AppState, user_id: i64, page: &str, echo: AdminFormEcho) -> Response {
    let key = state.admin_forms.put(user_id, echo);
    crate::auth::see_other(&format!("{page}?form={key}"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SchemeForm {
    csrf_token: String,
    code: String,
    title: String,
    valid_from: String,
    require_verified: Option<String>,
    require_disclosed: Option<String>,
    require_channel: Option<String>,
    require_mandatory_requirements: Option<String>,
    staleness_days: String,
}

/// `POST /admin/schemes`: a new scheme version from the one in force, with the form's settings.
pub async fn store_scheme(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    form: Result<Form<SchemeForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).ok();
    let (actor, user_id) = match crate::admin::admin_form_actor(
        &state,
        &parts,
        form.as_ref().map(|f| f.csrf_token.as_str()),
        "/admin/schemes",
    ) {
        Ok(a) => a,
        Err(response) => return *response,
    };
    let Some(form) = form else { return crate::auth::see_other("/admin/schemes") };
    let settings = SchemeSettingsForm {
        code: form.code.clone(),
        title: form.title.clone(),
        valid_from: form.valid_from.clone(),
        require_verified: form.require_verified.is_some(),
        require_disclosed: form.require_disclosed.is_some(),
        require_channel: form.require_channel.is_some(),
        require_mandatory_requirements: form.require_mandatory_requirements.is_some(),
        staleness_days: form.staleness_days.clone(),
    };
    match store_scheme_settings(state.store.as_ref(), &settings, today_in_china(), &actor).await {
        Ok(scheme) => {
            let notice = format!(
                "评分方案 {}（{}）已保存，自{}起适用；此前审核确认的填报表仍按原方案评分。",
                scheme.code,
                scheme.title,
                analytics::calendar::written(scheme.valid_from)
            );
            back_with(
                &state,
                user_id,
                "/admin/schemes",
                AdminFormEcho { error: None, notice: Some(notice), fields: BTreeMap::new() },
            )
        }
        Err(e) => {
            let message = if matches!(e, app::services::rollout::RolloutError::Store(_)) {
                tracing::error!("scheme settings: {e}");
                UNAVAILABLE.to_string()
            } else {
                e.to_string()
            };
            let flag = |on: bool| if on { "on".to_string() } else { String::new() };
            let fields = BTreeMap::from([
                ("code".to_string(), form.code),
                ("title".to_string(), form.title),
                ("valid_from".to_string(), form.valid_from),
                ("require_verified".to_string(), flag(settings.require_verified)),
                ("require_disclosed".to_string(), flag(settings.require_disclosed)),
                ("require_channel".to_string(), flag(settings.require_channel)),
                ("require_mandatory_requirements".to_string(), flag(settings.require_mandatory_requirements)),
                ("staleness_days".to_string(), form.staleness_days),
            ]);
            back_with(&state, user_id, "/admin/schemes", AdminFormEcho { error: Some(message), notice: None, fields })
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarForm {
    csrf_token: String,
    year: String,
    notice: String,
    holidays: String,
    make_up_days: String,
}

/// `POST /admin/calendar`: imports (or corrects) one year's holiday arrangement.
pub async fn import_year(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    form: Result<Form<CalendarForm>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).ok();
    let (actor, user_id) = match crate::admin::admin_form_actor(
        &state,
        &parts,
        form.as_ref().map(|f| f.csrf_token.as_str()),
        "/admin/calendar",
    ) {
        Ok(a) => a,
        Err(response) => return *response,
    };
    let Some(form) = form else { return crate::auth::see_other("/admin/calendar") };
    let year =
        YearForm { year: form.year, notice: form.notice, holidays: form.holidays, make_up_days: form.make_up_days };
    match calendar::import_form(state.store.as_ref(), &year, &actor).await {
        Ok(done) => {
            let notice = if done.outcome == CatalogInstall::Unchanged {
                format!("{}年节假日安排与现行安排相同，未作改动。", done.year)
            } else {
                format!("{}年节假日安排已导入：全年工作日{}天。工作日计算自即刻起采用。", done.year, done.working_days)
            };
            back_with(
                &state,
                user_id,
                "/admin/calendar",
                AdminFormEcho { error: None, notice: Some(notice), fields: BTreeMap::new() },
            )
        }
        Err(e) => {
            let message = if matches!(e, calendar::CalendarError::Store(_)) {
                tracing::error!("calendar import: {e}");
                UNAVAILABLE.to_string()
            } else {
                e.to_string()
            };
            let fields = BTreeMap::from([
                ("year".to_string(), year.year),
                ("notice".to_string(), year.notice),
                ("holidays".to_string(), year.holidays),
                ("make_up_days".to_string(), year.make_up_days),
            ]);
            back_with(&state, user_id, "/admin/calendar", AdminFormEcho { error: Some(message), notice: None, fields })
        }
    }
}
