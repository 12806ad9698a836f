//! Assessment settings (HQ): `/admin/schemes` — the scoring scheme versions, what each counts as benchmark
//! completion and its staleness window, and a form for a new version; `/admin/calendar` — the years of the
//! working-day calendar and a form to import a newly published year. Both HQ roles read them; the forms are for
//! 总署办公厅管理员 and post to the server's `/admin/schemes` and `/admin/calendar` (plain HTML forms with the CSRF
//! token, working without JavaScript), which redirect back with `?form=…` naming the outcome.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::settings::{
    get_admin_calendar, get_admin_schemes, AdminCalendarView, AdminSchemesView, CalendarYearView, FormEcho,
    SchemeVersionView,
};
use crate::i18n::{use_lang, Lang, Text};
use crate::pages::admin::AdminTabs;

fn form_key() -> Option<String> {
    use_query_map().with_untracked(|m| m.get("form")).filter(|v| !v.is_empty())
}

/// The outcome of the last form: what it did, or why it was refused.
#[component]
fn Echo(echo: Option<FormEcho>) -> impl IntoView {
    echo.map(|e| {
        view! {
            {e.notice.map(|m| view! { <p class="notice-box" role="status">{m}</p> })}
            {e.error.map(|m| view! { <p class="error-box form-error" role="alert">{m}</p> })}
        }
    })
}

fn points(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

fn written(lang: Lang, text: &str) -> String {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| lang.date(d)).unwrap_or_else(|_| text.to_string())
}

/// `/admin/schemes`.
#[component]
pub fn SchemesPage() -> impl IntoView {
    let lang = use_lang();
    let view = crate::components::hydration::resource(|| (), |_| get_admin_schemes(form_key()));
    view! {
        <Title text=lang.pick(Text("评分方案", "Scoring schemes"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(view) => view! { <SchemesPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SchemesPane(view: AdminSchemesView) -> impl IntoView {
    let lang = use_lang();
    let f = view.form.clone();
    view! {
        <AdminTabs current="/admin/schemes"/>
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("系统管理", "Administration"))}</p>
            <h1>{lang.pick(Text("评分方案", "Scoring schemes"))}</h1>
            <p class="lead">{lang.pick(Text(
                "评分方案按版本保存，一经保存不可修改。填报表按其审核确认之日适用的版本评分，对标完成也按该版本的标准认定；新版本只影响其适用日期之后审核确认的填报表。",
                "Scoring schemes are kept as versions that never change. A return is scored, and judged for benchmark completion, under the version in force on the day it was accepted; a new version affects only returns accepted from its first day.",
            ))}</p>
        </section>
        <Echo echo=view.echo.clone()/>
        {view.schemes.iter().rev().map(|s| view! { <SchemeCard scheme=s.clone()/> }).collect_view()}
        {view.can_edit.then(|| view! {
            <section class="card">
                <h2>{lang.pick(Text("保存新版本", "Store a new version"))}</h2>
                <p class="hint">{lang.pick(Text(
                    "新版本沿用现行版本的指标、分值、加分项、否决项和等次，只改变下列设置。调整指标与分值请使用命令 gongkai scheme import（文件格式见 analytics/data/scheme-default.toml）。",
                    "A new version keeps the indicators, points, bonuses, vetoes and grades of the version in force and changes only the settings below. To change indicators and points use gongkai scheme import (layout: analytics/data/scheme-default.toml).",
                ))}</p>
                <form class="auth-form admin-form scheme-form" method="post" action="/admin/schemes">
                    <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
                    <label>
                        <span>{lang.pick(Text("方案编码", "Code"))}</span>
                        <input type="text" name="code" required=true maxlength="40" value=f.code.clone() placeholder="default-2027"/>
                    </label>
                    <label>
                        <span>{lang.pick(Text("方案名称", "Title"))}</span>
                        <input type="text" name="title" required=true maxlength="100" value=f.title.clone()/>
                    </label>
                    <label>
                        <span>{lang.pick(Text("适用起始日期", "Applies from"))}</span>
                        <input type="date" name="valid_from" required=true value=f.valid_from.clone()/>
                    </label>
                    <fieldset>
                        <legend>{lang.pick(Text("对标完成标准（同时满足所选各项）", "Benchmark completion requires (all checked)"))}</legend>
                        <label class="check">
                            <input type="checkbox" name="require_verified" checked=f.require_verified/>
                            {lang.pick(Text("填报表经直属海关审核确认", "The return is accepted by the direct customs"))}
                        </label>
                        <label class="check">
                            <input type="checkbox" name="require_disclosed" checked=f.require_disclosed/>
                            {lang.pick(Text("每个适用事项均已公开", "Every applicable item is disclosed"))}
                        </label>
                        <label class="check">
                            <input type="checkbox" name="require_channel" checked=f.require_channel/>
                            {lang.pick(Text("每个已公开事项至少填报一个公开渠道", "Every disclosed item names at least one channel"))}
                        </label>
                        <label class="check">
                            <input type="checkbox" name="require_mandatory_requirements" checked=f.require_mandatory_requirements/>
                            {lang.pick(Text("《指引》各项必备要求均已落实", "Every mandatory requirement of the guide is met"))}
                        </label>
                    </fieldset>
                    <label>
                        <span>{lang.pick(Text("“根据需要”类事项更新期限（自然日）", "“As needed” items: stale after (calendar days)"))}</span>
                        <input type="number" name="staleness_days" required=true min="1" max="3650" value=f.staleness_days.clone()/>
                    </label>
                    <button type="submit">{lang.pick(Text("保存新版本", "Store the new version"))}</button>
                </form>
            </section>
        })}
    }
}

#[component]
fn SchemeCard(scheme: SchemeVersionView) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card scheme-version" data-code=scheme.code.clone()>
            <h2>
                {scheme.title.clone()}" "<code>{scheme.code.clone()}</code>
                {scheme.current.then(|| view! { " "<span class="badge">{lang.pick(Text("现行", "In force"))}</span> })}
            </h2>
            <p class="hint">
                {match lang {
                    Lang::Zh => format!("自{}起适用 · 保存于{}{}", written(lang, &scheme.valid_from), scheme.created_at,
                        scheme.created_by.as_ref().map(|b| format!("（{b}）")).unwrap_or_else(|| "（系统或命令行）".into())),
                    Lang::En => format!("Applies from {} · stored {}{}", written(lang, &scheme.valid_from), scheme.created_at,
                        scheme.created_by.as_ref().map(|b| format!(" by {b}")).unwrap_or_else(|| " by the system or the command line".into())),
                }}
            </p>
            <dl class="facts">
                <dt>{lang.pick(Text("对标完成标准", "Benchmark completion"))}</dt>
                <dd><ul>{scheme.completion.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul></dd>
                <dt>{lang.pick(Text("“根据需要”类事项更新期限", "“As needed” items stale after"))}</dt>
                <dd>{match lang {
                    Lang::Zh => format!("{}个自然日", scheme.staleness_days),
                    Lang::En => format!("{} calendar days", scheme.staleness_days),
                }}</dd>
                <dt>{lang.pick(Text("指标与分值", "Indicators and points"))}</dt>
                <dd>{scheme.indicators.iter().map(|(t, p)| format!("{t} {}分", points(*p))).collect::<Vec<_>>().join("；")}</dd>
                <dt>{lang.pick(Text("等次", "Grades"))}</dt>
                <dd>{scheme
                    .bands
                    .iter()
                    .enumerate()
                    .map(|(i, (g, min))| analytics::assessment::band_label(g, *min, scheme.bands.get(i + 1).map(|b| b.1)))
                    .rev()
                    .collect::<Vec<_>>()
                    .join("；")}</dd>
            </dl>
        </section>
    }
}

/// `/admin/calendar`.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let lang = use_lang();
    let view = crate::components::hydration::resource(|| (), |_| get_admin_calendar(form_key()));
    view! {
        <Title text=lang.pick(Text("工作日历", "Working-day calendar"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(view) => view! { <CalendarPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CalendarPane(view: AdminCalendarView) -> impl IntoView {
    let lang = use_lang();
    let field = |name: &str| view.echo.as_ref().and_then(|e| e.fields.get(name).cloned()).unwrap_or_default();
    let (year, notice, holidays, make_up) = (field("year"), field("notice"), field("holidays"), field("make_up_days"));
    view! {
        <AdminTabs current="/admin/calendar"/>
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("系统管理", "Administration"))}</p>
            <h1>{lang.pick(Text("工作日历", "Working-day calendar"))}</h1>
            <p class="lead">{lang.pick(Text(
                "公开时限按国务院办公厅每年发布的节假日安排计算工作日。未列出的年份没有依据，系统不作推算，相关期限显示为无法计算。",
                "Time limits count working days by the State Council's yearly holiday arrangements. A year not listed has no basis: the system does not guess, and deadlines in it show as not computable.",
            ))}</p>
        </section>
        <Echo echo=view.echo.clone()/>
        <table class="data-table calendar-years">
            <thead><tr>
                <th scope="col">{lang.pick(Text("年份", "Year"))}</th>
                <th scope="col">{lang.pick(Text("依据", "Notice"))}</th>
                <th scope="col">{lang.pick(Text("放假安排", "Holidays"))}</th>
                <th scope="col">{lang.pick(Text("调休上班日", "Make-up working days"))}</th>
                <th scope="col" class="n">{lang.pick(Text("工作日", "Working days"))}</th>
                <th scope="col">{lang.pick(Text("来源", "Source"))}</th>
            </tr></thead>
            <tbody>
                {view.years.iter().map(|y| view! { <YearRow year=y.clone()/> }).collect_view()}
            </tbody>
        </table>
        {view.can_edit.then(|| view! {
            <section class="card">
                <h2>{lang.pick(Text("导入新年度节假日安排", "Import a newly published year"))}</h2>
                <p class="hint">{lang.pick(Text(
                    "按国务院办公厅通知逐项填写；保存前检查每段假期和每个调休上班日。随程序发布的年份不能在此修改；已导入的年份再次导入即为更正，原记录保留在审计日志中。",
                    "Fill in from the State Council's notice; every period and make-up day is checked before saving. Bundled years cannot be changed here; importing an imported year again corrects it, and the earlier record stays in the audit log.",
                ))}</p>
                <form class="auth-form admin-form calendar-form" method="post" action="/admin/calendar">
                    <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
                    <label>
                        <span>{lang.pick(Text("年份", "Year"))}</span>
                        <input type="number" name="year" required=true min="2000" max="2100" value=year/>
                    </label>
                    <label>
                        <span>{lang.pick(Text("通知名称和文号", "Notice and its number"))}</span>
                        <input type="text" name="notice" required=true maxlength="200" value=notice
                            placeholder="国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕…号）"/>
                    </label>
                    <label>
                        <span>{lang.pick(Text("放假安排（每行一段：节日 开始日期 结束日期）", "Holidays (one period a line: name first-day last-day)"))}</span>
                        <textarea name="holidays" rows="8" required=true placeholder="元旦 2027-01-01 2027-01-03\n春节 2027-02-06 2027-02-14">{holidays}</textarea>
                    </label>
                    <label>
                        <span>{lang.pick(Text("调休上班日（以空格、逗号或换行分隔）", "Make-up working days (separated by spaces, commas or lines)"))}</span>
                        <textarea name="make_up_days" rows="3">{make_up}</textarea>
                    </label>
                    <button type="submit">{lang.pick(Text("检查并导入", "Check and import"))}</button>
                </form>
            </section>
        })}
    }
}

#[component]
fn YearRow(year: CalendarYearView) -> impl IntoView {
    let lang = use_lang();
    view! {
        <tr data-year=year.year.to_string() class:imported=year.imported>
            <th scope="row">{match lang { Lang::Zh => format!("{}年", year.year), Lang::En => year.year.to_string() }}</th>
            <td>{year.notice.clone()}</td>
            <td><ul class="plain">{year.holidays.iter().map(|h| view! { <li>{h.clone()}</li> }).collect_view()}</ul></td>
            <td>{if year.make_up_days.is_empty() { "—".to_string() } else { year.make_up_days.join("、") }}</td>
            <td class="n">{year.working_days}</td>
            <td>{year.source.clone()}</td>
        </tr>
    }
}
