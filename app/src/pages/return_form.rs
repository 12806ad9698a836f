//! `/returns/form` (在线填报): the web form of an office's quarterly return, for offices that prefer it to Excel.
//!
//! A plain HTML `<form method="post" action="/returns/form">`: it works without JavaScript, and the server checks
//! it with the workbook import's rules. A refused form comes back here (`?report=…`) as it was typed, with each
//! message beside its field and every message in a summary at the top; a good one becomes a draft whose preview
//! (`/returns/{id}`) is where it is confirmed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use analytics::returns::form::{FormField, ItemField, RequirementField};

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::returns::{
    field_id, get_return_form, FieldProblemView, FormChannelView, FormItemView, FormRequirementView, ReturnFormView,
};
use crate::i18n::{use_lang, Text};
use crate::pages::returns::Outcome;

/// The answers of 是否公开 and 是否落实, as the template's drop-down offers them.
const ANSWERS: [&str; 3] = ["是", "否", "不适用"];

/// `/returns/form?office=0201&period=2024Q4`.
#[component]
pub fn ReturnFormPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let args = move || {
        query.with(|q| {
            let get = |name: &str| q.get(name).filter(|v| !v.is_empty());
            (get("office"), get("period"), get("report"))
        })
    };
    let form = crate::components::hydration::resource(args, |(office, period, report)| {
        get_return_form(office, period, report)
    });
    view! {
        <Title text=lang.pick(Text("在线填报", "Fill in a return online"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match form.await {
                    Ok(view) => view! { <ReturnFormPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The messages of one field (or, with `field` empty, of the row), beside it.
fn field_messages(problems: &[FieldProblemView], field: &str) -> impl IntoView {
    let mine: Vec<FieldProblemView> = problems.iter().filter(|p| p.field == field).cloned().collect();
    (!mine.is_empty()).then(|| {
        view! {
            <ul class="field-messages">
                {mine
                    .into_iter()
                    .map(|p| {
                        let class = if p.error { "field-error" } else { "field-warning" };
                        view! { <li class=class>{if p.error { "" } else { "提示：" }}{p.message}</li> }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

fn has_error(problems: &[FieldProblemView], field: &str) -> bool {
    problems.iter().any(|p| p.error && p.field == field)
}

/// A date input: `type=date` for an empty or ISO value; a text input otherwise, so that a value the browser's date
/// control would drop (`2022年8月31日`, a mistyped date) is shown exactly as typed.
fn date_input(name: String, value: String, invalid: bool) -> impl IntoView {
    let iso = value.is_empty() || chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d").is_ok();
    let id = field_id(&name);
    view! {
        <input type=if iso { "date" } else { "text" } id=id name=name value=value class="date-input"
            placeholder="2022-08-31" aria-invalid=invalid.then_some("true")/>
    }
}

#[component]
fn ReturnFormPane(view: ReturnFormView) -> impl IntoView {
    let lang = use_lang();
    let channels = view.channels.clone();
    let single_office = view.offices.len() <= 1;
    view! {
        <section class="page-head">
            <p class="eyebrow"><a href="/returns">{lang.pick(Text("填报与审核", "Returns"))}</a>" › "{lang.pick(Text("在线填报", "Fill in online"))}</p>
            <h1>{format!("{} · {} 政务公开填报表", view.office_name, view.period_name)}</h1>
            <p class="lead">
                {lang.pick(Text(
                    "与 Excel 填报模板内容相同、检查规则相同。提交后先显示检查结果和预览，确认后才提交直属海关审核；有错误时不保存任何内容，已填内容保留在本页。",
                    "The same content and the same checks as the Excel template. You see a preview first and submit only when you confirm; with errors nothing is stored and what you typed stays here.",
                ))}
            </p>
        </section>
        <Outcome/>
        <form method="get" action="/returns/form" class="filter-form form-switch">
            {if single_office {
                view! {
                    <input type="hidden" name="office" value=view.office.clone()/>
                    <p class="form-fixed">{lang.pick(Text("填报单位：", "Office: "))}{view.office_name.clone()}" "<code>{view.office.clone()}</code></p>
                }.into_any()
            } else {
                let current = view.office.clone();
                view! {
                    <label>
                        <span>{lang.pick(Text("填报单位", "Office"))}</span>
                        <select name="office">
                            {view.offices.iter().map(|o| view! {
                                <option value=o.code.clone() selected={o.code == current}>{format!("{} {}", o.code, o.name)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                }.into_any()
            }}
            <label>
                <span>{lang.pick(Text("报送期间", "Period"))}</span>
                <select name="period">
                    {view.periods.iter().map(|p| view! {
                        <option value=p.code.clone() selected={p.code == view.period}>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">{lang.pick(Text("切换", "Switch"))}</button>
        </form>
        {view.expired.then(|| view! {
            <p class="error-box form-error" role="alert">
                {lang.pick(Text("上次提交的内容已过期（保留一小时），以下为重新预填的表格。", "The form you submitted is no longer kept (one hour); the form below is prefilled again."))}
            </p>
        })}
        {(!view.summary.is_empty()).then(|| view! {
            <section class=if view.rejected { "error-box form-summary" } else { "notice-line form-summary" } role="alert" id="form-summary">
                <strong>
                    {format!("提交未成功：有 {} 处错误、{} 处提示，未保存任何内容。请按下列提示修改后重新提交。", view.error_count, view.warning_count)}
                </strong>
                <ol class="problem-list summary-list">
                    {view.summary.iter().map(|s| {
                        let class = if s.error { "summary-error" } else { "summary-warning" };
                        let text = if s.error { s.text.clone() } else { format!("提示：{}", s.text) };
                        view! {
                            <li class=class>
                                {match s.href.clone() {
                                    Some(href) => view! { <a href=href>{text}</a> }.into_any(),
                                    None => view! { <span>{text}</span> }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        })}
        <p class="notice-line form-source">{view.filled_from.clone()}</p>
        <form method="post" action="/returns/form" class="return-form" novalidate=true>
            <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
            <input type="hidden" name="office" value=view.office.clone()/>
            <input type="hidden" name="period" value=view.period.clone()/>
            <p class="form-legend muted">
                {lang.pick(Text(
                    "填写说明：是否公开选“是”的事项至少勾选一个公开渠道（目录备注3），并填写公开日期；选择“其他”渠道时请注明具体形式。日期可写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日。带 ■ 的渠道为目录推荐渠道。",
                    "Items disclosed (是) need at least one channel and a publication date; describe channel “other”. Dates as 2022-08-31, 2022/8/31 or 2022年8月31日. ■ marks the channels the catalog recommends.",
                ))}
            </p>
            {view.groups.iter().map(|group| {
                let channels = channels.clone();
                view! {
                    <section class="card form-group">
                        <h2>{group.name.clone()}</h2>
                        <div class="table-scroll">
                            <table class="form-table">
                                <thead>
                                    <tr>
                                        <th class="col-item">{lang.pick(Text("事项", "Item"))}</th>
                                        <th class="col-answer">{lang.pick(Text("是否公开", "Disclosed"))}</th>
                                        <th class="col-channels">{lang.pick(Text("公开渠道和载体", "Channels"))}</th>
                                        <th class="col-dates">{lang.pick(Text("日期", "Dates"))}</th>
                                        <th class="col-text">{lang.pick(Text("公开位置或网址 · 备注", "Where · note"))}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {group.rows.iter().map(|row| view! { <ItemRow row=row.clone() channels=channels.clone()/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }
            }).collect_view()}
            <section class="card form-group">
                <h2>{lang.pick(Text("基本要求（《海关领域基层政务公开标准指引》）", "Requirements of the guide"))}</h2>
                <div class="table-scroll">
                    <table class="form-table requirement-table">
                        <thead>
                            <tr>
                                <th class="col-item">{lang.pick(Text("要求", "Requirement"))}</th>
                                <th class="col-answer">{lang.pick(Text("是否落实", "Met"))}</th>
                                <th class="col-text">{lang.pick(Text("佐证说明", "Evidence"))}</th>
                                <th class="col-count">{lang.pick(Text("数量", "Count"))}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {view.requirements.iter().map(|r| view! { <RequirementRow row=r.clone()/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
            <div class="form-actions">
                <button type="submit" class="primary submit-form">{lang.pick(Text("提交检查并预览", "Check and preview"))}</button>
                <span class="muted">{lang.pick(Text("提交后先预览，确认后才报送直属海关。", "You confirm on the preview before anything is submitted."))}</span>
            </div>
        </form>
    }
}

#[component]
fn ItemRow(row: FormItemView, channels: Vec<FormChannelView>) -> impl IntoView {
    let key = row.key.clone();
    let name = |field: ItemField| FormField::Item { key: key.clone(), column: Some(field) }.name();
    let row_id = field_id(&format!("{}.row", FormField::Item { key: key.clone(), column: None }.name()));
    let problems = row.problems.clone();
    let invalid = |field: ItemField| has_error(&problems, &field.slug());
    let disclosed_name = name(ItemField::Disclosed);
    let fields = row.fields.clone();
    let row_class = if problems.iter().any(|p| p.error) { "form-row form-row--error" } else { "form-row" };
    view! {
        <tr class=row_class id=row_id data-key=key.clone()>
            <td class="col-item">
                <span class="item-key">{row.label.clone()}</span>" "<strong>{row.name.clone()}</strong>
                <div class="item-content">{row.content.clone()}</div>
                {field_messages(&problems, "")}
            </td>
            <td class="col-answer">
                <label class="sr-only" for=field_id(&disclosed_name)>{format!("事项 {} 是否公开", row.label)}</label>
                <select id=field_id(&disclosed_name) name=disclosed_name aria-invalid=invalid(ItemField::Disclosed).then_some("true")>
                    <option value="" selected=fields.disclosed.is_empty()>"请选择"</option>
                    {ANSWERS.iter().map(|a| view! { <option value=*a selected={fields.disclosed == *a}>{*a}</option> }).collect_view()}
                    // A value typed elsewhere (an old answer such as √) stays selected, so that nothing is lost.
                    {(!fields.disclosed.is_empty() && !ANSWERS.contains(&fields.disclosed.as_str())).then(|| view! {
                        <option value=fields.disclosed.clone() selected=true>{fields.disclosed.clone()}</option>
                    })}
                </select>
                {field_messages(&problems, &ItemField::Disclosed.slug())}
            </td>
            <td class="col-channels">
                <fieldset class="channel-boxes">
                    <legend class="sr-only">{format!("事项 {} 公开渠道和载体", row.label)}</legend>
                    {channels.iter().map(|c| {
                        let field = ItemField::Channel(c.code);
                        let n = name(field);
                        let recommended = row.recommended.contains(&c.code);
                        view! {
                            <label class="channel-box" class:recommended=recommended title=c.name.clone()>
                                <input type="checkbox" id=field_id(&n) name=n value="1" checked=fields.channels.contains(&c.code)/>
                                <span class="channel-letter">{c.code.letter().to_string()}</span>
                                <span class="channel-name">{c.name.clone()}{recommended.then_some(" ■")}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                {ItemField::all().into_iter().filter(|f| matches!(f, ItemField::Channel(_))).map(|f| field_messages(&problems, &f.slug())).collect_view()}
                <label class="field">
                    <span>"其他渠道说明"</span>
                    <input type="text" id=field_id(&name(ItemField::OtherChannel)) name=name(ItemField::OtherChannel)
                        value=fields.other_channel.clone() maxlength=ItemField::OtherChannel.max_chars().to_string() aria-invalid=invalid(ItemField::OtherChannel).then_some("true")/>
                </label>
                {field_messages(&problems, &ItemField::OtherChannel.slug())}
            </td>
            <td class="col-dates">
                <label class="field">
                    <span>"信息形成或变更日期"</span>
                    {date_input(name(ItemField::FormedOn), fields.formed_on.clone(), invalid(ItemField::FormedOn))}
                </label>
                {field_messages(&problems, &ItemField::FormedOn.slug())}
                <label class="field">
                    <span>"公开日期"</span>
                    {date_input(name(ItemField::PublishedOn), fields.published_on.clone(), invalid(ItemField::PublishedOn))}
                </label>
                {field_messages(&problems, &ItemField::PublishedOn.slug())}
            </td>
            <td class="col-text">
                <label class="field">
                    <span>"公开位置或网址"</span>
                    <input type="text" id=field_id(&name(ItemField::Location)) name=name(ItemField::Location)
                        value=fields.location.clone() maxlength=ItemField::Location.max_chars().to_string() aria-invalid=invalid(ItemField::Location).then_some("true")/>
                </label>
                {field_messages(&problems, &ItemField::Location.slug())}
                {(row.has_elements || !fields.elements_missing.is_empty()).then(|| view! {
                    <label class="field">
                        <span>"未公开的要素序号（如 2、3）"</span>
                        <input type="text" id=field_id(&name(ItemField::ElementsMissing)) name=name(ItemField::ElementsMissing)
                            value=fields.elements_missing.clone() maxlength=ItemField::ElementsMissing.max_chars().to_string() aria-invalid=invalid(ItemField::ElementsMissing).then_some("true")/>
                    </label>
                })}
                {field_messages(&problems, &ItemField::ElementsMissing.slug())}
                <label class="field">
                    <span>"备注"</span>
                    <input type="text" id=field_id(&name(ItemField::Note)) name=name(ItemField::Note)
                        value=fields.note.clone() maxlength=ItemField::Note.max_chars().to_string() aria-invalid=invalid(ItemField::Note).then_some("true")/>
                </label>
                {field_messages(&problems, &ItemField::Note.slug())}
            </td>
        </tr>
    }
}

#[component]
fn RequirementRow(row: FormRequirementView) -> impl IntoView {
    let code = row.code.clone();
    let name = |field: RequirementField| FormField::Requirement { code: code.clone(), column: Some(field) }.name();
    let row_id = field_id(&format!("{}.row", FormField::Requirement { code: code.clone(), column: None }.name()));
    let problems = row.problems.clone();
    let invalid = |field: RequirementField| has_error(&problems, field.slug());
    let fulfilled = name(RequirementField::Fulfilled);
    let fields = row.fields.clone();
    let row_class = if problems.iter().any(|p| p.error) { "form-row form-row--error" } else { "form-row" };
    view! {
        <tr class=row_class id=row_id data-key=code.clone()>
            <td class="col-item">
                <span class="item-key">{format!("（{}）", row.section)}</span>" "<strong>{row.title.clone()}</strong>
                " "<span class="tag">{if row.mandatory { "应当" } else { "鼓励" }}</span>
                {field_messages(&problems, "")}
            </td>
            <td class="col-answer">
                <label class="sr-only" for=field_id(&fulfilled)>{format!("{} 是否落实", row.title)}</label>
                <select id=field_id(&fulfilled) name=fulfilled aria-invalid=invalid(RequirementField::Fulfilled).then_some("true")>
                    <option value="" selected=fields.fulfilled.is_empty()>"请选择"</option>
                    {ANSWERS.iter().map(|a| view! { <option value=*a selected={fields.fulfilled == *a}>{*a}</option> }).collect_view()}
                    {(!fields.fulfilled.is_empty() && !ANSWERS.contains(&fields.fulfilled.as_str())).then(|| view! {
                        <option value=fields.fulfilled.clone() selected=true>{fields.fulfilled.clone()}</option>
                    })}
                </select>
                {field_messages(&problems, RequirementField::Fulfilled.slug())}
            </td>
            <td class="col-text">
                <label class="sr-only" for=field_id(&name(RequirementField::Evidence))>{format!("{} 佐证说明", row.title)}</label>
                <textarea id=field_id(&name(RequirementField::Evidence)) name=name(RequirementField::Evidence) rows="2" maxlength=RequirementField::Evidence.max_chars().to_string()
                    aria-invalid=invalid(RequirementField::Evidence).then_some("true")>{fields.evidence.clone()}</textarea>
                {field_messages(&problems, RequirementField::Evidence.slug())}
            </td>
            <td class="col-count">
                {match row.min_count {
                    Some(min) => view! {
                        <label class="sr-only" for=field_id(&name(RequirementField::Count))>{format!("本年度次数（至少 {min} 次）")}</label>
                        <input type="text" inputmode="numeric" class="count-input" id=field_id(&name(RequirementField::Count))
                            name=name(RequirementField::Count) value=fields.count.clone() maxlength=RequirementField::Count.max_chars().to_string()
                            placeholder=format!("≥{min}") aria-invalid=invalid(RequirementField::Count).then_some("true")/>
                    }.into_any(),
                    // No count is asked for: a value typed before is still sent, so that nothing is lost.
                    None => view! { <input type="hidden" name=name(RequirementField::Count) value=fields.count.clone()/> }.into_any(),
                }}
                {field_messages(&problems, RequirementField::Count.slug())}
            </td>
        </tr>
    }
}
