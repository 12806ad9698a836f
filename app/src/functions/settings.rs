//! Server functions of the assessment settings that headquarters keeps (系统管理 › 评分方案, › 工作日历): the
//! scoring scheme versions with their completion definition and staleness window, and the working-day calendar's
//! years. Both HQ roles read them; only 总署办公厅管理员 changes them (through the forms of `server::settings`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A refused or accepted form of these pages, shown again once (see `services::upload_reports::AdminFormEcho`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub error: Option<String>,
    pub notice: Option<String>,
    pub fields: BTreeMap<String, String>,
}

/// One scoring scheme version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemeVersionView {
    pub code: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    /// In force today.
    pub current: bool,
    /// What benchmark completion requires under it, one line each (Chinese).
    pub completion: Vec<String>,
    pub staleness_days: u32,
    /// Indicators: title and points.
    pub indicators: Vec<(String, f64)>,
    /// Grades: name and lowest score.
    pub bands: Vec<(String, f64)>,
    /// Beijing time.
    pub created_at: String,
    pub created_by: Option<String>,
}

/// The new-version form of the scoring schemes page: code, title, first day, completion definition and staleness
/// window (as the version in force has them, or as typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeFormValues {
    pub code: String,
    pub title: String,
    pub valid_from: String,
    pub require_verified: bool,
    pub require_disclosed: bool,
    pub require_channel: bool,
    pub require_mandatory_requirements: bool,
    pub staleness_days: String,
}

/// The scoring schemes page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminSchemesView {
    pub schemes: Vec<SchemeVersionView>,
    /// 总署办公厅管理员: may store a new version.
    pub can_edit: bool,
    pub csrf_token: String,
    /// The new-version form: the last typed values if refused, else the version in force with a new code.
    pub form: SchemeFormValues,
    pub echo: Option<FormEcho>,
}

/// One year of the working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYearView {
    pub year: i32,
    pub notice: String,
    pub working_days: u32,
    pub days_off: u32,
    /// `春节：2月10日至2月17日`.
    pub holidays: Vec<String>,
    /// `2月4日（星期日）`.
    pub make_up_days: Vec<String>,
    /// `随程序发布` or `导入于 … （…）`.
    pub source: String,
    pub imported: bool,
}

/// The calendar page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCalendarView {
    pub years: Vec<CalendarYearView>,
    pub can_edit: bool,
    pub csrf_token: String,
    pub echo: Option<FormEcho>,
}

/// The outcome of the caller's last form on these pages, if `key` names one of theirs.
#[cfg(feature = "ssr")]
fn echo(state: &crate::services::AppState, user_id: i64, key: Option<String>) -> Option<FormEcho> {
    let key = key.filter(|k| !k.is_empty())?;
    state.admin_forms.get(user_id, &key).map(|e| FormEcho { error: e.error, notice: e.notice, fields: e.fields })
}

/// The lines of a completion definition, in Chinese.
pub fn completion_lines(definition: &analytics::assessment::CompletionDefinition) -> Vec<String> {
    let mut lines = Vec::new();
    if definition.require_verified {
        lines.push("填报表经直属海关审核确认".to_string());
    }
    if definition.require_disclosed {
        lines.push("每个适用事项均已公开".to_string());
    }
    if definition.require_channel {
        lines.push("每个已公开事项至少填报一个公开渠道".to_string());
    }
    if definition.require_mandatory_requirements {
        lines.push("《指引》各项必备要求均已落实".to_string());
    }
    lines
}

#[cfg(feature = "ssr")]
fn created_at(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| super::admin::beijing_time(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| text.to_string())
}

/// Every scoring scheme version, and the form for a new one (HQ roles).
#[server(prefix = "/api/fn", endpoint = "admin_schemes", client = crate::functions::client::CsrfClient)]
pub async fn get_admin_schemes(form: Option<String>) -> Result<AdminSchemesView, AppError> {
    let principal = super::require_hq()?;
    let state = super::state()?;
    let today = crate::services::today_in_china();
    let records = state.store.scheme_records().await?;
    let schemes: Vec<analytics::assessment::Scheme> = records.iter().map(|r| r.scheme.clone()).collect();
    let current = crate::services::rollout::scheme_in_force(&schemes, today).map(|s| s.code.clone());
    let echo = echo(&state, principal.user_id, form);
    let form = match echo.as_ref().filter(|e| e.error.is_some()) {
        Some(e) => {
            let field = |k: &str| e.fields.get(k).cloned().unwrap_or_default();
            let flag = |k: &str| e.fields.get(k).is_some_and(|v| !v.is_empty());
            SchemeFormValues {
                code: field("code"),
                title: field("title"),
                valid_from: field("valid_from"),
                require_verified: flag("require_verified"),
                require_disclosed: flag("require_disclosed"),
                require_channel: flag("require_channel"),
                require_mandatory_requirements: flag("require_mandatory_requirements"),
                staleness_days: field("staleness_days"),
            }
        }
        None => {
            let base = crate::services::rollout::scheme_in_force(&schemes, today);
            let c = base.map(|s| s.completion).unwrap_or_default();
            SchemeFormValues {
                code: String::new(),
                title: base.map(|s| s.title.clone()).unwrap_or_default(),
                valid_from: String::new(),
                require_verified: c.require_verified,
                require_disclosed: c.require_disclosed,
                require_channel: c.require_channel,
                require_mandatory_requirements: c.require_mandatory_requirements,
                staleness_days: base.map(|s| s.clocks.staleness_days).unwrap_or(180).to_string(),
            }
        }
    };
    let schemes = records
        .into_iter()
        .map(|r| SchemeVersionView {
            current: current.as_deref() == Some(r.scheme.code.as_str()),
            completion: completion_lines(&r.scheme.completion),
            staleness_days: r.scheme.clocks.staleness_days,
            indicators: r.scheme.indicators.iter().map(|i| (i.title_zh.clone(), i.weight)).collect(),
            bands: r.scheme.bands.iter().map(|b| (b.grade.clone(), b.min)).collect(),
            created_at: created_at(&r.created_at),
            created_by: r.created_by,
            valid_from: r.scheme.valid_from.to_string(),
            code: r.scheme.code,
            title: r.scheme.title,
        })
        .collect();
    Ok(AdminSchemesView {
        schemes,
        can_edit: principal.is_hq_admin(),
        csrf_token: super::admin::session_csrf_token(),
        form,
        echo,
    })
}

/// Every known year of the working-day calendar (HQ roles).
#[server(prefix = "/api/fn", endpoint = "admin_calendar", client = crate::functions::client::CsrfClient)]
pub async fn get_admin_calendar(form: Option<String>) -> Result<AdminCalendarView, AppError> {
    use crate::services::calendar::{known_years, YearSource};
    let principal = super::require_hq()?;
    let state = super::state()?;
    let weekday = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        ["一", "二", "三", "四", "五", "六", "日"][d.weekday().num_days_from_monday() as usize]
    };
    let month_day = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        format!("{}月{}日", d.month(), d.day())
    };
    let years = known_years(state.store.as_ref())
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .rev()
        .map(|y| {
            let (source, imported) = match &y.source {
                YearSource::Bundled => ("随程序发布".to_string(), false),
                YearSource::Imported { at, by, corrections } => {
                    let mut text = format!("导入于{}", created_at(at));
                    if let Some(by) = by {
                        text.push_str(&format!("（{by}）"));
                    }
                    if *corrections > 0 {
                        text.push_str(&format!("，已更正{corrections}次"));
                    }
                    (text, true)
                }
            };
            CalendarYearView {
                year: y.arrangement.year,
                notice: y.arrangement.notice.clone(),
                working_days: y.working_days,
                days_off: y.days_off,
                holidays: y
                    .arrangement
                    .holidays
                    .iter()
                    .map(|p| {
                        if p.from == p.to {
                            format!("{}：{}", p.name, month_day(p.from))
                        } else {
                            format!("{}：{}至{}", p.name, month_day(p.from), month_day(p.to))
                        }
                    })
                    .collect(),
                make_up_days: y
                    .arrangement
                    .make_up_days
                    .iter()
                    .map(|d| format!("{}（星期{}）", month_day(*d), weekday(*d)))
                    .collect(),
                source,
                imported,
            }
        })
        .collect();
    Ok(AdminCalendarView {
        years,
        can_edit: principal.is_hq_admin(),
        csrf_token: super::admin::session_csrf_token(),
        echo: echo(&state, principal.user_id, form),
    })
}
