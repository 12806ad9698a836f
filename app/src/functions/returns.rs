//! Server functions of the returns pages: the list with the upload forms and the verification queue, one return
//! (preview, content, decisions), and the report of an upload. Every one resolves the caller and goes through
//! `services::returns`, which cuts everything to the caller's scope.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One office the caller may download a template for (and upload for, when `can_upload`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeOption {
    pub code: String,
    pub name: String,
}

/// A reporting period as the forms offer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodOption {
    /// `2022Q3`.
    pub code: String,
    /// `2022年第三季度`.
    pub name: String,
}

/// One return in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRowView {
    pub id: i64,
    pub office: String,
    pub office_name: String,
    pub period: String,
    pub period_name: String,
    /// `submitted`, `accepted`, …
    pub status: String,
    /// `待审核`, `已通过`, …
    pub status_name: String,
    pub source_name: Option<String>,
    pub submitted_by: Option<String>,
    /// Beijing time, as officials write it.
    pub submitted_at: Option<String>,
    /// `2022年9月9日`.
    pub accepted_on: Option<String>,
}

/// The `/returns` page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnsPageView {
    /// The caller may upload returns (a filer, a direct customs administrator, the HQ administrator).
    pub can_upload: bool,
    /// The caller verifies returns (a direct customs administrator, the HQ administrator).
    pub can_verify: bool,
    /// Offices for the template and upload forms.
    pub offices: Vec<OfficeOption>,
    /// Periods from the first quarter of 2022 to the current one, newest first.
    pub periods: Vec<PeriodOption>,
    /// Submitted returns waiting for the caller's decision, oldest first.
    pub queue: Vec<ReturnRowView>,
    /// Returns in the caller's scope, newest first (at most [`LIST_LIMIT`]).
    pub returns: Vec<ReturnRowView>,
    /// How many returns matched in all.
    pub total: usize,
    /// What the caller has to do (a filer's to-do list; a direct customs' queue is `queue`).
    pub todo: Vec<TodoView>,
    pub csrf_token: String,
}

/// One thing to do, with the page where it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoView {
    /// `confirm`, `fix` or `file`.
    pub kind: String,
    pub text: String,
    pub href: String,
    /// The web form for the same office and period (在线填报), for a return still to file.
    pub form_href: Option<String>,
}

/// At most this many returns are listed on `/returns`.
pub const LIST_LIMIT: usize = 300;

/// One row of `公开事项` as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRowView {
    pub item: u32,
    pub element: Option<u32>,
    /// The item's 二级事项 (and the element's content).
    pub title: String,
    /// 是 / 否 / 不适用.
    pub disclosed: String,
    pub channels: String,
    pub location: Option<String>,
    pub formed_on: Option<String>,
    pub published_on: Option<String>,
    pub note: Option<String>,
    /// Reasons the last return decision gave for this item.
    pub reasons: Vec<String>,
}

/// One row of `基本要求`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementRowView {
    pub code: String,
    pub title: String,
    pub fulfilled: String,
    pub evidence: Option<String>,
    pub count: Option<u32>,
    pub reasons: Vec<String>,
}

/// One decision of the direct customs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationView {
    pub accepted: bool,
    pub decided_by: Option<String>,
    pub decided_at: String,
    pub comment: String,
    /// `事项7：…`, `要求 training：…`, `整体：…`.
    pub reasons: Vec<String>,
}

/// `/returns/{id}`: a return with what the caller may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnDetailView {
    pub row: ReturnRowView,
    pub template_version: Option<String>,
    pub catalog_code: String,
    pub warnings: Vec<String>,
    pub items: Vec<ItemRowView>,
    pub requirements: Vec<RequirementRowView>,
    pub verifications: Vec<VerificationView>,
    /// The office's accepted return before this one (by period, then acceptance: its number and period in words),
    /// and what changed since (`None`: nothing to compare, e.g. its first return).
    pub previous_accepted: Option<i64>,
    pub previous_period_name: Option<String>,
    pub changes: Vec<String>,
    /// The caller may confirm or discard it (while a draft).
    pub can_submit: bool,
    /// The caller may accept or return it (while submitted).
    pub can_verify: bool,
    pub supersedes: Option<i64>,
    /// The return came with a file (an upload), which can be downloaded; a web form has none.
    pub has_file: bool,
    pub csrf_token: String,
}

/// `/returns/uploads/{key}`: what became of each file of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadReportView {
    pub files: Vec<UploadFileView>,
    /// The drafts of the upload, comma-separated, for 全部确认提交.
    pub draft_ids: String,
    pub csrf_token: String,
}

/// One file of an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadFileView {
    pub file_name: String,
    pub draft_id: Option<i64>,
    pub office: Option<String>,
    pub period: Option<String>,
    pub refused: Option<String>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use analytics::offices::Directory;
    use analytics::returns::Period;

    use super::*;
    use crate::services::returns::ReturnError;
    use crate::store::ReturnSummary;

    pub fn app_error(error: ReturnError) -> AppError {
        match error {
            ReturnError::NotFound => AppError::not_found("该填报", "This return"),
            ReturnError::Forbidden | ReturnError::OfficeNotAllowed(_) => AppError::Forbidden,
            ReturnError::Store(e) => AppError::from(e),
            ReturnError::Worker(_) | ReturnError::Template(_) | ReturnError::NoCatalog => AppError::internal(error),
            other => AppError::bad_request("return", other.to_string(), other.to_string()),
        }
    }

    pub fn period_name(code: &str) -> String {
        Period::parse(code).map(Period::name_zh).unwrap_or_else(|_| code.to_string())
    }

    /// The to-do list of a caller who files returns: drafts to confirm, returns sent back to fix (those it submitted
    /// or its offices' as a filer), and (for a filer's own offices) the current quarter not yet filed.
    pub fn todo(
        principal: &crate::auth::Principal,
        hierarchy: &crate::auth::Hierarchy<'_>,
        directory: &Directory,
        drafts: &[ReturnSummary],
        all: &[ReturnSummary],
        today: chrono::NaiveDate,
    ) -> Vec<TodoView> {
        use crate::store::ReturnStatus;
        let mut todo = Vec::new();
        for draft in drafts.iter().filter(|d| d.submitted_by.as_deref() == Some(principal.username.as_str())) {
            let row = row(draft, directory, today);
            todo.push(TodoView {
                kind: "confirm".into(),
                text: format!("{} {} 的填报已上传、尚未确认提交（第{}号）", row.office_name, row.period_name, row.id),
                href: format!("/returns/{}", row.id),
                form_href: None,
            });
        }
        // A return sent back is to fix unless a newer return of the same office and period replaced it; it is a to-do
        // of whoever submitted it and of the office's filers, not of everyone who may see it (HQ sees them all).
        let fixes = |r: &ReturnSummary| {
            r.submitted_by.as_deref() == Some(principal.username.as_str())
                || principal
                    .grants
                    .iter()
                    .any(|g| g.role() == crate::auth::Role::OfficeFiler && *g.office() == r.office)
        };
        for returned in all.iter().filter(|r| r.status == ReturnStatus::Returned && fixes(r)) {
            let row = row(returned, directory, today);
            todo.push(TodoView {
                kind: "fix".into(),
                text: format!(
                    "{} {} 的填报被退回修改，请按退回原因修改后重新上传（第{}号）",
                    row.office_name, row.period_name, row.id
                ),
                href: format!("/returns/{}", row.id),
                form_href: Some(format!("/returns/form?office={}&period={}", row.office, row.period)),
            });
        }
        let period = Period::containing(today);
        let own_offices: Vec<&analytics::offices::OfficeVersion> = directory
            .in_force_on(today)
            .filter(|v| {
                v.kind == analytics::offices::OfficeKind::Subordinate
                    && principal
                        .grants
                        .iter()
                        .any(|g| g.role() == crate::auth::Role::OfficeFiler && *g.office() == v.code)
            })
            .collect();
        for office in own_offices {
            let filed = all
                .iter()
                .any(|r| r.office == office.code && r.period == period.code() && r.status != ReturnStatus::Returned);
            if !filed && principal.can_write_office(&office.code, hierarchy) {
                todo.push(TodoView {
                    kind: "file".into(),
                    text: format!("{} 尚未报送{}的填报：下载模板填写后上传", office.name, period.name_zh()),
                    href: "#upload".into(),
                    form_href: Some(format!("/returns/form?office={}&period={}", office.code, period.code())),
                });
            }
        }
        todo
    }

    pub fn row(summary: &ReturnSummary, directory: &Directory, today: chrono::NaiveDate) -> ReturnRowView {
        let office_name = directory
            .versions()
            .iter()
            .filter(|v| v.code == summary.office)
            .max_by_key(|v| (v.in_force_on(today), v.valid_from))
            .map(|v| v.name.clone())
            .unwrap_or_default();
        ReturnRowView {
            id: summary.id,
            office: summary.office.to_string(),
            office_name,
            period: summary.period.clone(),
            period_name: period_name(&summary.period),
            status: summary.status.key().to_string(),
            status_name: summary.status.name_zh().to_string(),
            source_name: summary.source_name.clone(),
            submitted_by: summary.submitted_by.clone(),
            submitted_at: summary.submitted_at.map(crate::functions::admin::beijing_time),
            accepted_on: summary.accepted_on.map(|d| crate::i18n::Lang::Zh.date(d)),
        }
    }
}

/// The `/returns` page: forms, the verification queue and the returns in scope.
#[server(prefix = "/api/fn", endpoint = "returns", client = crate::functions::client::CsrfClient)]
pub async fn get_returns_page(status: Option<String>) -> Result<ReturnsPageView, AppError> {
    use analytics::offices::{Directory, OfficeKind};
    use analytics::returns::Period;

    use crate::auth::Hierarchy;
    use crate::services::returns as service;
    use crate::store::{ReturnFilter, ReturnStatus};

    let principal = super::require_principal()?;
    let state = super::state()?;
    let store = state.store.as_ref();
    let today = crate::services::today_in_china();
    let directory = Directory::new(store.office_versions().await?);
    let hierarchy = Hierarchy::new(&directory, today);
    let mut offices: Vec<OfficeOption> = directory
        .in_force_on(today)
        .filter(|v| v.kind == OfficeKind::Subordinate && principal.can_read_office(&v.code, &hierarchy))
        .map(|v| OfficeOption { code: v.code.to_string(), name: v.name.clone() })
        .collect();
    offices.sort_by(|a, b| a.code.cmp(&b.code));
    let can_upload = directory
        .in_force_on(today)
        .any(|v| v.kind == OfficeKind::Subordinate && principal.can_write_office(&v.code, &hierarchy));
    let can_verify = directory
        .in_force_on(today)
        .any(|v| v.kind == OfficeKind::Subordinate && principal.can_verify_office(&v.code, &hierarchy));
    let first = Period::new(2022, 1).ok_or_else(|| AppError::internal("period 2022Q1"))?;
    let mut periods: Vec<PeriodOption> = Period::all_between(first, Period::containing(today))
        .into_iter()
        .map(|p| PeriodOption { code: p.code(), name: p.name_zh() })
        .collect();
    periods.reverse();
    let statuses = match status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => vec![ReturnStatus::Submitted, ReturnStatus::Accepted, ReturnStatus::Returned, ReturnStatus::Superseded],
        Some(key) => vec![ReturnStatus::from_key(key).ok_or_else(|| {
            AppError::bad_request("status", format!("未知的填报状态“{key}”"), format!("Unknown return status “{key}”"))
        })?],
    };
    let all = service::list(store, &principal, ReturnFilter { statuses, ..Default::default() }, today)
        .await
        .map_err(ssr::app_error)?;
    let mut queue: Vec<ReturnRowView> = if can_verify {
        service::list(
            store,
            &principal,
            ReturnFilter { statuses: vec![ReturnStatus::Submitted], ..Default::default() },
            today,
        )
        .await
        .map_err(ssr::app_error)?
        .iter()
        .filter(|r| principal.can_verify_office(&r.office, &hierarchy))
        .map(|r| ssr::row(r, &directory, today))
        .collect()
    } else {
        Vec::new()
    };
    queue.reverse();
    let total = all.len();
    let returns = all.iter().take(LIST_LIMIT).map(|r| ssr::row(r, &directory, today)).collect();
    let todo = if can_upload {
        let drafts = service::list(
            store,
            &principal,
            ReturnFilter { statuses: vec![ReturnStatus::Draft], ..Default::default() },
            today,
        )
        .await
        .map_err(ssr::app_error)?;
        ssr::todo(&principal, &hierarchy, &directory, &drafts, &all, today)
    } else {
        Vec::new()
    };
    Ok(ReturnsPageView {
        can_upload,
        can_verify,
        offices,
        periods,
        queue,
        returns,
        total,
        todo,
        csrf_token: super::admin::session_csrf_token(),
    })
}

/// One return: its content, decisions, and what the caller may do with it.
#[server(prefix = "/api/fn", endpoint = "return", client = crate::functions::client::CsrfClient)]
pub async fn get_return(id: i64) -> Result<ReturnDetailView, AppError> {
    use analytics::offices::Directory;
    use analytics::returns::guide_requirements;

    use crate::services::returns as service;
    use crate::store::{Decision, ReturnStatus};

    let principal = super::require_principal()?;
    let state = super::state()?;
    let store = state.store.as_ref();
    let today = crate::services::today_in_china();
    let (record, access) = service::record(store, &principal, id, today).await.map_err(ssr::app_error)?;
    let directory = Directory::new(store.office_versions().await?);
    let catalog = store.standard_catalog().await?;
    let last_returned = record.verifications.iter().rev().find(|v| v.decision == Decision::Returned);
    let reasons_for_item = |item: u32| -> Vec<String> {
        last_returned
            .map(|v| v.reasons.iter().filter(|r| r.item == Some(item)).map(|r| r.reason.clone()).collect())
            .unwrap_or_default()
    };
    let reasons_for_requirement = |code: &str| -> Vec<String> {
        last_returned
            .map(|v| {
                v.reasons.iter().filter(|r| r.requirement.as_deref() == Some(code)).map(|r| r.reason.clone()).collect()
            })
            .unwrap_or_default()
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| crate::i18n::Lang::Zh.date(d));
    let items = record
        .snapshot
        .items
        .iter()
        .map(|item| {
            let catalog_item = catalog.as_ref().and_then(|c| c.item(item.item));
            let mut title = catalog_item.map(|i| i.name.clone()).unwrap_or_else(|| format!("事项 {}", item.item));
            if let (Some(element), Some(catalog_item)) = (item.element, catalog_item) {
                if let Some(e) = catalog_item.elements.iter().find(|e| e.ordinal == element) {
                    title = format!("{title}（{}）", e.text.text);
                }
            }
            let channels = item
                .channels
                .iter()
                .map(|c| {
                    let name = catalog_item.and_then(|i| i.channel(*c)).map(|o| o.name.clone());
                    match name {
                        Some(name) => format!("{} {name}", c.letter()),
                        None => c.letter().to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join("、");
            ItemRowView {
                item: item.item,
                element: item.element,
                title,
                disclosed: item.disclosed.name_zh().to_string(),
                channels,
                location: item.location.clone(),
                formed_on: date(item.formed_on),
                published_on: date(item.published_on),
                note: item.note.clone(),
                reasons: reasons_for_item(item.item),
            }
        })
        .collect();
    let guide = guide_requirements();
    let requirements = record
        .snapshot
        .requirements
        .iter()
        .map(|r| RequirementRowView {
            title: guide
                .iter()
                .find(|g| g.code == r.code)
                .map(|g| g.title_zh.clone())
                .unwrap_or_else(|| r.code.clone()),
            code: r.code.clone(),
            fulfilled: r.fulfilled.name_zh().to_string(),
            evidence: r.evidence.clone(),
            count: r.count,
            reasons: reasons_for_requirement(&r.code),
        })
        .collect();
    let verifications = record
        .verifications
        .iter()
        .map(|v| VerificationView {
            accepted: v.decision == Decision::Accepted,
            decided_by: v.decided_by.clone(),
            decided_at: crate::functions::admin::beijing_time(v.decided_at),
            comment: v.comment.clone(),
            reasons: v
                .reasons
                .iter()
                .map(|r| match (&r.item, &r.requirement) {
                    (Some(item), _) => format!("事项{item}：{}", r.reason),
                    (None, Some(code)) => {
                        let title = guide.iter().find(|g| &g.code == code).map(|g| g.title_zh.clone());
                        format!("{}：{}", title.unwrap_or_else(|| code.clone()), r.reason)
                    }
                    (None, None) => format!("整体：{}", r.reason),
                })
                .collect(),
        })
        .collect();
    let (previous, changes) = if record.summary.status == ReturnStatus::Superseded {
        (None, Vec::new())
    } else {
        match service::changes_since_accepted(store, &record.summary, &record.snapshot).await.map_err(ssr::app_error)? {
            Some((previous, changes)) => (Some(previous), changes.into_iter().map(|c| c.description).collect()),
            None => (None, Vec::new()),
        }
    };
    let previous_accepted = previous.as_ref().map(|p| p.id);
    let previous_period_name = previous.as_ref().map(|p| ssr::period_name(&p.period));
    Ok(ReturnDetailView {
        row: ssr::row(&record.summary, &directory, today),
        template_version: record.template_version.clone(),
        catalog_code: record.summary.catalog_code.clone(),
        warnings: record.warnings.clone(),
        items,
        requirements,
        verifications,
        previous_accepted,
        previous_period_name,
        changes,
        can_submit: access.submit && record.summary.status == ReturnStatus::Draft,
        can_verify: access.verify && record.summary.status == ReturnStatus::Submitted,
        supersedes: record.summary.supersedes,
        has_file: record.summary.source != crate::store::ReturnSource::Web,
        csrf_token: super::admin::session_csrf_token(),
    })
}

/// The report of an upload the caller made (kept for an hour).
#[server(prefix = "/api/fn", endpoint = "upload_report", client = crate::functions::client::CsrfClient)]
pub async fn get_upload_report(key: String) -> Result<UploadReportView, AppError> {
    let principal = super::require_principal()?;
    let state = super::state()?;
    let report = state
        .upload_reports
        .get(principal.user_id, key.trim())
        .ok_or_else(|| AppError::not_found("该上传报告（报告保留一小时，可能已过期）", "This upload report"))?;
    let draft_ids =
        report.files.iter().filter_map(|f| f.draft_id).map(|id| id.to_string()).collect::<Vec<_>>().join(",");
    let files = report
        .files
        .into_iter()
        .map(|f| UploadFileView {
            file_name: f.file_name,
            draft_id: f.draft_id,
            office: f.office,
            period: f.period.map(|p| ssr_period_name(&p)),
            refused: f.refused,
            errors: f.errors,
            warnings: f.warnings,
        })
        .collect();
    Ok(UploadReportView { files, draft_ids, csrf_token: super::admin::session_csrf_token() })
}

#[cfg(feature = "ssr")]
fn ssr_period_name(code: &str) -> String {
    ssr::period_name(code)
}

/// One channel column of the web form: `A` and the catalog's name of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormChannelView {
    pub code: analytics::catalog::ChannelCode,
    pub name: String,
}

/// A problem shown beside a field of the web form (`field`: the column's slug, empty for the whole row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblemView {
    pub field: String,
    pub error: bool,
    pub message: String,
}

/// One line of the summary above the web form, linking to its field when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryProblemView {
    pub error: bool,
    pub text: String,
    /// `#f-item-7-disclosed`.
    pub href: Option<String>,
}

/// One item (or element) row of the web form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormItemView {
    pub key: String,
    /// `7`, `24-1`.
    pub label: String,
    pub name: String,
    /// The element text(s) the row covers.
    pub content: String,
    /// Channels the catalog recommends for the item (■ in the notice).
    pub recommended: Vec<analytics::catalog::ChannelCode>,
    /// The item has several elements reported together: 未公开的要素序号 applies.
    pub has_elements: bool,
    pub fields: analytics::returns::form::ItemFields,
    pub problems: Vec<FieldProblemView>,
}

/// One group (一级事项) of the web form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormGroupView {
    pub name: String,
    pub rows: Vec<FormItemView>,
}

/// One requirement row of the web form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRequirementView {
    pub code: String,
    pub section: String,
    pub title: String,
    pub mandatory: bool,
    /// The guide asks for a count (public exchange activities).
    pub min_count: Option<u32>,
    pub fields: analytics::returns::form::RequirementFields,
    pub problems: Vec<FieldProblemView>,
}

/// `/returns/form`: the web form of an office's return for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnFormView {
    pub office: String,
    pub office_name: String,
    pub period: String,
    pub period_name: String,
    /// Offices the caller may file for (a direct customs administrator chooses one).
    pub offices: Vec<OfficeOption>,
    pub periods: Vec<PeriodOption>,
    /// What the form was prefilled from, in words.
    pub filled_from: String,
    /// The submitted form had errors: it is shown as typed, with its problems.
    pub rejected: bool,
    /// A `report` key was given but its form is no longer kept.
    pub expired: bool,
    pub error_count: usize,
    pub warning_count: usize,
    pub summary: Vec<SummaryProblemView>,
    pub channels: Vec<FormChannelView>,
    pub groups: Vec<FormGroupView>,
    pub requirements: Vec<FormRequirementView>,
    pub csrf_token: String,
}

/// The HTML id of a field of the web form (`f-item-24-1-disclosed`), for labels and the summary's links.
pub fn field_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

/// The web form of `office` (default: the caller's first office it may file for) and `period` (default: the
/// current quarter), prefilled; or, with `report`, the form the caller submitted with errors, as typed.
#[server(prefix = "/api/fn", endpoint = "return_form", client = crate::functions::client::CsrfClient)]
pub async fn get_return_form(
    office: Option<String>,
    period: Option<String>,
    report: Option<String>,
) -> Result<ReturnFormView, AppError> {
    use analytics::offices::{Directory, OfficeCode, OfficeKind};
    use analytics::returns::form::FormField;
    use analytics::returns::template::{channel_names, template_rows};
    use analytics::returns::{guide_requirements, Period, Severity};

    use crate::auth::Hierarchy;
    use crate::services::returns as service;

    let principal = super::require_principal()?;
    let state = super::state()?;
    let store = state.store.as_ref();
    let today = crate::services::today_in_china();
    let directory = Directory::new(store.office_versions().await?);
    let hierarchy = Hierarchy::new(&directory, today);
    let mut offices: Vec<OfficeOption> = directory
        .in_force_on(today)
        .filter(|v| v.kind == OfficeKind::Subordinate && principal.can_write_office(&v.code, &hierarchy))
        .map(|v| OfficeOption { code: v.code.to_string(), name: v.name.clone() })
        .collect();
    offices.sort_by(|a, b| a.code.cmp(&b.code));

    let rejected = report
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|key| state.rejected_forms.get(principal.user_id, key));
    let expired = matches!(rejected, Some(None));
    let rejected = rejected.flatten();

    let bad_request = |field: &str| {
        AppError::bad_request(field, format!("参数 {field} 格式有误"), format!("The parameter {field} is malformed"))
    };
    let office = match (&rejected, office.as_deref().map(str::trim).filter(|o| !o.is_empty())) {
        (Some(r), _) => r.form.office.clone(),
        (None, Some(code)) => OfficeCode::parse(code).map_err(|_| bad_request("office"))?,
        (None, None) => match offices.first() {
            Some(first) => OfficeCode::parse(&first.code).map_err(|_| bad_request("office"))?,
            None => return Err(AppError::Forbidden),
        },
    };
    let period = match (&rejected, period.as_deref().map(str::trim).filter(|p| !p.is_empty())) {
        (Some(r), _) => r.form.period,
        (None, Some(text)) => Period::parse(text).map_err(|_| bad_request("period"))?,
        (None, None) => Period::containing(today),
    };
    if period.first_day() > today {
        return Err(ssr::app_error(service::ReturnError::FuturePeriod(period.name_zh())));
    }
    let start = service::form_start(store, &principal, &office, period, today).await.map_err(ssr::app_error)?;
    let filled_from = match (&rejected, &start.filled_from) {
        (Some(_), _) => "以下是您上次提交的内容（尚未保存），请按提示修改后重新提交。".to_string(),
        (None, Some((id, status, from_period))) => format!(
            "已按第{id}号填报（{}，{}）预填，请核对后修改提交。",
            status.name_zh(),
            ssr::period_name(from_period)
        ),
        (None, None) => "本单位还没有可供预填的填报，请逐项填写。".to_string(),
    };
    let (form, problems) = match rejected {
        Some(r) => (r.form, r.problems),
        None => (start.form, Vec::new()),
    };
    let catalog = &start.catalog;

    // Each problem beside its field (or row); every one in the summary.
    let guide = guide_requirements();
    let mut item_problems: std::collections::BTreeMap<String, Vec<FieldProblemView>> = Default::default();
    let mut requirement_problems: std::collections::BTreeMap<String, Vec<FieldProblemView>> = Default::default();
    let mut summary = Vec::new();
    for problem in &problems {
        let error = problem.severity == Severity::Error;
        let field = problem.location.as_ref().and_then(|l| FormField::of(&form, l));
        let (text, href) = match &field {
            Some(FormField::Item { key, column }) => {
                let label = match column {
                    Some(c) => format!("事项 {key} · {}", c.label_zh()),
                    None => format!("事项 {key}"),
                };
                let view = FieldProblemView {
                    field: column.map(|c| c.slug()).unwrap_or_default(),
                    error,
                    message: problem.message.clone(),
                };
                item_problems.entry(key.clone()).or_default().push(view);
                let target =
                    field.as_ref().map(|f| if column.is_some() { f.name() } else { format!("{}.row", f.name()) });
                (format!("{label}：{}", problem.message), target.map(|t| format!("#{}", field_id(&t))))
            }
            Some(FormField::Requirement { code, column }) => {
                let title =
                    guide.iter().find(|g| &g.code == code).map(|g| g.title_zh.clone()).unwrap_or_else(|| code.clone());
                let label = match column {
                    Some(c) => format!("基本要求“{title}” · {}", c.label_zh()),
                    None => format!("基本要求“{title}”"),
                };
                let view = FieldProblemView {
                    field: column.map(|c| c.slug().to_string()).unwrap_or_default(),
                    error,
                    message: problem.message.clone(),
                };
                requirement_problems.entry(code.clone()).or_default().push(view);
                let target =
                    field.as_ref().map(|f| if column.is_some() { f.name() } else { format!("{}.row", f.name()) });
                (format!("{label}：{}", problem.message), target.map(|t| format!("#{}", field_id(&t))))
            }
            None => (problem.message.clone(), None),
        };
        summary.push(SummaryProblemView { error, text, href });
    }
    // Errors first, in the order of the form.
    summary.sort_by_key(|s| !s.error);
    let error_count = problems.iter().filter(|p| p.severity == Severity::Error).count();

    let rows = template_rows(catalog);
    let mut groups: Vec<FormGroupView> = Vec::new();
    for (row, fields) in rows.iter().zip(form.items.iter()) {
        let item = catalog.item(row.item);
        let view = FormItemView {
            key: fields.key(),
            label: fields.key(),
            name: row.name.clone(),
            content: row.content.clone(),
            recommended: item
                .map(|i| i.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect())
                .unwrap_or_default(),
            has_elements: row.element.is_none() && item.is_some_and(|i| i.elements.len() > 1),
            problems: item_problems.remove(&fields.key()).unwrap_or_default(),
            fields: fields.clone(),
        };
        match groups.last_mut() {
            Some(group) if group.name == row.group => group.rows.push(view),
            _ => groups.push(FormGroupView { name: row.group.clone(), rows: vec![view] }),
        }
    }
    let requirements = guide
        .iter()
        .zip(form.requirements.iter())
        .map(|(r, fields)| FormRequirementView {
            code: r.code.clone(),
            section: r.section.clone(),
            title: r.title_zh.clone(),
            mandatory: r.mandatory,
            min_count: r.min_count,
            fields: fields.clone(),
            problems: requirement_problems.remove(&r.code).unwrap_or_default(),
        })
        .collect();
    let channels = channel_names(catalog).into_iter().map(|(code, name)| FormChannelView { code, name }).collect();
    let first = Period::new(2022, 1).ok_or_else(|| AppError::internal("period 2022Q1"))?;
    let mut periods: Vec<PeriodOption> = Period::all_between(first, Period::containing(today))
        .into_iter()
        .map(|p| PeriodOption { code: p.code(), name: p.name_zh() })
        .collect();
    periods.reverse();
    Ok(ReturnFormView {
        office: office.to_string(),
        office_name: start.office_name,
        period: period.code(),
        period_name: period.name_zh(),
        offices,
        periods,
        filled_from,
        rejected: error_count > 0,
        expired,
        error_count,
        warning_count: problems.len() - error_count,
        summary,
        channels,
        groups,
        requirements,
        csrf_token: super::admin::session_csrf_token(),
    })
}

/// One return of an office's history, with what changed since the accepted return before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeReturnView {
    pub id: i64,
    pub period_name: String,
    pub status: String,
    pub status_name: String,
    pub source_name: Option<String>,
    /// Beijing time, as officials write it.
    pub submitted_at: Option<String>,
    pub accepted_on: Option<chrono::NaiveDate>,
    /// For an accepted return: what changed since the office's previous accepted return (`None`: its first).
    pub changes: Option<Vec<String>>,
    /// Who sent it (user name).
    #[serde(default)]
    pub submitted_by: Option<String>,
    /// The direct customs' decisions on it, oldest first.
    #[serde(default)]
    pub decisions: Vec<DecisionView>,
}

/// One decision of the direct customs on a return: accepted, or returned with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub accepted: bool,
    /// User name of the decider.
    pub by: Option<String>,
    /// Beijing time, as officials write it.
    pub at: String,
    pub comment: String,
    /// The reasons it was returned, each with its item or requirement (`第8项：…`).
    pub reasons: Vec<String>,
}

/// An office's returns over time (drafts left out), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficeReturnsView {
    pub code: String,
    pub office_name: String,
    pub returns: Vec<OfficeReturnView>,
}

/// The returns of one office over time and, between consecutive accepted returns, what changed (`/offices/{code}`).
/// Whoever may read the office may read them; another office is the same 404 as an unknown one.
#[server(prefix = "/api/fn", endpoint = "office_returns", client = crate::functions::client::CsrfClient)]
pub async fn get_office_returns(code: String) -> Result<OfficeReturnsView, AppError> {
    use analytics::offices::{Directory, OfficeCode};

    use crate::auth::Hierarchy;
    use crate::store::{ReturnFilter, ReturnStatus};

    let principal = super::require_principal()?;
    let state = super::state()?;
    let store = state.store.as_ref();
    let today = crate::services::today_in_china();
    let not_found = || AppError::not_found("机构", "Office");
    let office = OfficeCode::parse(code.trim()).map_err(|_| not_found())?;
    let directory = Directory::new(store.office_versions().await?);
    let hierarchy = Hierarchy::new(&directory, today);
    if !principal.can_read_office(&office, &hierarchy) {
        return Err(not_found());
    }
    let office_name =
        directory.versions().iter().rev().find(|v| v.code == office).map(|v| v.name.clone()).ok_or_else(not_found)?;
    let filter = ReturnFilter { offices: Some(vec![office.clone()]), ..Default::default() };
    let mut summaries: Vec<_> =
        store.list_returns(&filter).await?.into_iter().filter(|r| r.status != ReturnStatus::Draft).collect();
    let mut records = std::collections::HashMap::new();
    for summary in &summaries {
        records.insert(summary.id, store.return_record(summary.id).await?.ok_or_else(not_found)?);
    }
    // What changed between consecutive accepted returns, in the order they were accepted.
    let mut accepted: Vec<_> = summaries.iter().filter(|r| r.accepted_on.is_some()).collect();
    accepted.sort_by_key(|r| (r.accepted_on, r.id));
    let mut changes = std::collections::HashMap::new();
    let mut previous: Option<&analytics::returns::ReturnSnapshot> = None;
    for summary in accepted {
        let Some(record) = records.get(&summary.id) else { continue };
        let since = previous.map(|before| {
            analytics::returns::diff(before, &record.snapshot).into_iter().map(|c| c.description).collect::<Vec<_>>()
        });
        changes.insert(summary.id, since);
        previous = Some(&record.snapshot);
    }
    let decisions_of = |id: i64| -> Vec<DecisionView> {
        records
            .get(&id)
            .map(|record| {
                record
                    .verifications
                    .iter()
                    .map(|v| DecisionView {
                        accepted: v.decision == crate::store::Decision::Accepted,
                        by: v.decided_by.clone(),
                        at: crate::functions::admin::beijing_time(v.decided_at),
                        comment: v.comment.clone(),
                        reasons: v
                            .reasons
                            .iter()
                            .map(|r| match (r.item, &r.requirement) {
                                (Some(item), _) => format!("第{item}项：{}", r.reason),
                                (None, Some(code)) => match analytics::returns::guide_requirement(code) {
                                    Some(q) => format!("《指引》（{}）{}：{}", q.section, q.title_zh, r.reason),
                                    None => format!("{code}：{}", r.reason),
                                },
                                (None, None) => r.reason.clone(),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    summaries.sort_by_key(|r| (r.submitted_at, r.id));
    let mut returns = Vec::with_capacity(summaries.len());
    for summary in summaries {
        returns.push(OfficeReturnView {
            id: summary.id,
            period_name: ssr::period_name(&summary.period),
            status: summary.status.key().to_string(),
            status_name: summary.status.name_zh().to_string(),
            source_name: summary.source_name,
            submitted_at: summary.submitted_at.map(crate::functions::admin::beijing_time),
            accepted_on: summary.accepted_on,
            changes: changes.remove(&summary.id).flatten(),
            submitted_by: summary.submitted_by.clone(),
            decisions: decisions_of(summary.id),
        });
    }
    returns.reverse();
    Ok(OfficeReturnsView { code: office.to_string(), office_name, returns })
}
