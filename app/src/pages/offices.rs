//! The office directory (the hierarchy as of a date, with counts and search) and one office's page.

use analytics::offices::{OfficeKind, OfficeNode};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::widgets::{ErrorBox, Figure, Loading};
use crate::functions::dashboard::{get_district_dashboard, DistrictDashboard};
use crate::functions::offices::{get_directory, get_office, DirectoryView, OfficeView};
use crate::i18n::{use_lang, Lang, Text};
use crate::pages::dashboard::DistrictDashboardView;

fn kind_name(kind: OfficeKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => kind.name_zh(),
        Lang::En => kind.name_en(),
    }
}

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (q.get("as_of"), q.get("q"))
    };
    let directory = crate::components::hydration::resource(params, |(as_of, q)| get_directory(as_of, q));
    view! {
        <Title text=lang.pick(Text("机构名录", "Office directory"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match directory.await {
                    Ok(d) => view! { <DirectoryViewPane view=d/> }.into_any(),
                    Err(e) => view! { <DirectorySearch as_of=String::new() query=String::new() max=String::new()/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The search form: a plain GET form, so it works without JavaScript. `max`: the last date that may be chosen
/// (today), empty when unknown.
#[component]
fn DirectorySearch(as_of: String, query: String, max: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <form class="search-form" method="get" action="/offices" role="search">
            <label>
                <span>{lang.pick(Text("名称或代码", "Name or code"))}</span>
                <input type="search" name="q" value=query maxlength="50"
                    placeholder=lang.pick(Text("如：新港、0201", "e.g. 新港 or 0201"))/>
            </label>
            <label>
                <span>{lang.pick(Text("截至日期", "As of"))}</span>
                <input type="date" name="as_of" value=as_of min=analytics::milestones::notice_issued_on().to_string() max=max/>
            </label>
            <button type="submit">{lang.pick(Text("查询", "Search"))}</button>
            <a class="button-link" href="/offices">{lang.pick(Text("重置", "Reset"))}</a>
        </form>
    }
}

#[component]
fn DirectoryViewPane(view: DirectoryView) -> impl IntoView {
    let lang = use_lang();
    let searching = !view.query.is_empty();
    let as_of_param = (view.as_of != view.today).then(|| view.as_of.to_string());
    let link_suffix = as_of_param.clone().map(|d| format!("?as_of={d}")).unwrap_or_default();
    let path_only = view.path_only.clone();
    let districts: Vec<OfficeNode> = view
        .roots
        .iter()
        .flat_map(|r| if r.kind == OfficeKind::Headquarters { r.children.clone() } else { vec![r.clone()] })
        .collect();
    view! {
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("机构名录", "Office directory"))}</p>
            <h1>
                {match lang {
                    Lang::Zh => format!("截至{}的机构层级", lang.date(view.as_of)),
                    Lang::En => format!("Offices as of {}", lang.date(view.as_of)),
                }}
            </h1>
            <p class="lead">{lang.pick(Text(
                "海关总署 → 直属海关 → 隶属海关。统计按所选日期当日在册机构计算，新设、撤销、划转均按生效日期。",
                "GACC → direct customs → subordinate offices, counted as they stood on the chosen date.",
            ))}</p>
        </section>
        <DirectorySearch as_of=view.as_of.to_string() query=view.query.clone() max=view.today.to_string()/>
        <section class="figures">
            <Figure value=view.direct_customs.to_string() label=lang.pick(Text("直属海关", "direct customs"))/>
            <Figure value=view.subordinates.to_string() label=lang.pick(Text("隶属海关", "subordinate offices"))/>
            {searching.then(|| view! {
                <Figure value=view.shown.to_string() label=lang.pick(Text("检索到的隶属海关", "subordinate offices found"))
                    hint=match lang { Lang::Zh => format!("关键词“{}”", view.query), Lang::En => format!("for “{}”", view.query) }/>
            })}
        </section>
        {districts.is_empty().then(|| view! {
            <p class="empty">{lang.pick(Text("没有符合条件的机构。请换一个关键词或日期。", "No office matches. Try another word or date."))}</p>
        })}
        <div class="directory">
            {districts.into_iter().map(|d| {
                let suffix = link_suffix.clone();
                view! {
                    <details class="district" open=searching>
                        <summary>
                            <span class="code">{d.code.to_string()}</span>
                            {if path_only.contains(&d.code.to_string()) {
                                view! { <span class="name">{d.name.clone()}</span> }.into_any()
                            } else {
                                view! { <a href=format!("/offices/{}{}", d.code, suffix)>{d.name.clone()}</a> }.into_any()
                            }}
                            <span class="kind">{kind_name(d.kind, lang)}</span>
                            <span class="count">{match lang {
                                Lang::Zh => format!("隶属海关 {} 个", d.subordinate_count),
                                Lang::En => format!("{} subordinate offices", d.subordinate_count),
                            }}</span>
                        </summary>
                        <ul class="office-list">
                            {d.children.iter().map(|c| view! {
                                <li>
                                    <span class="code">{c.code.to_string()}</span>
                                    <a href=format!("/offices/{}{}", c.code, suffix)>{c.name.clone()}</a>
                                    {(c.opened_on > analytics::milestones::notice_issued_on()).then(|| view! {
                                        <span class="tag">{match lang {
                                            Lang::Zh => format!("{}设立", lang.date(c.opened_on)),
                                            Lang::En => format!("opened {}", lang.date(c.opened_on)),
                                        }}</span>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    </details>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn OfficePage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let args = move || (params.read().get("code").unwrap_or_default(), query.read().get("as_of"));
    let office = crate::components::hydration::resource(args, |(code, as_of)| get_office(code, as_of));
    let dashboard = crate::components::hydration::resource(args, |(code, as_of)| get_district_dashboard(code, as_of));
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let dashboard = dashboard.await;
                match office.await {
                    Ok(o) => match dashboard {
                        Ok(d) => view! { <OfficeViewPane view=o dashboard=d/> }.into_any(),
                        Err(e) => view! { <OfficeViewPane view=o dashboard=None/><ErrorBox error=e/> }.into_any(),
                    },
                    Err(e) => view! { <Title text=lang.pick(Text("机构", "Office"))/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OfficeViewPane(view: OfficeView, dashboard: Option<DistrictDashboard>) -> impl IntoView {
    let lang = use_lang();
    let title = view.name.clone();
    let as_of_suffix = if view.as_of != view.today { format!("?as_of={}", view.as_of) } else { String::new() };
    view! {
        <Title text=title/>
        <nav class="breadcrumbs" aria-label=lang.pick(Text("位置", "Breadcrumbs"))>
            <a href="/offices">{lang.pick(Text("机构名录", "Office directory"))}</a>
            {view.parent_code.clone().map(|p| {
                let name = view.parent_name.clone().unwrap_or(p.clone());
                if view.parent_readable {
                    view! { " › "<a href=format!("/offices/{p}{}", as_of_suffix)>{name}</a> }.into_any()
                } else {
                    view! { " › "<span>{name}</span> }.into_any()
                }
            })}
        </nav>
        <section class="page-head">
            <p class="eyebrow">{kind_name(view.kind, lang)}" · "{lang.pick(Text("代码", "code"))}" "{view.code.clone()}</p>
            <h1>{view.name.clone()}</h1>
            <p class="lead">
                {if view.in_force {
                    match lang {
                        Lang::Zh => format!("截至{}在册。", lang.date(view.as_of)),
                        Lang::En => format!("In force on {}.", lang.date(view.as_of)),
                    }
                } else {
                    match lang {
                        Lang::Zh => format!("{}不在册（尚未设立或已撤销），以下为其历史记录。", lang.date(view.as_of)),
                        Lang::En => format!("Not in force on {} (not yet opened or closed); its history follows.", lang.date(view.as_of)),
                    }
                }}
            </p>
        </section>
        {dashboard.clone().map(|d| view! { <DistrictDashboardView dashboard=d/> })}
        {(dashboard.is_none() && !view.milestone_bases.is_empty()).then(|| view! {
            <section class="card">
                <h2>{lang.pick(Text("各时间节点的对标基数", "Benchmark base on each deadline"))}</h2>
                <table class="data-table">
                    <thead><tr>
                        <th scope="col">{lang.pick(Text("节点", "Milestone"))}</th>
                        <th scope="col">{lang.pick(Text("截止日期", "Deadline"))}</th>
                        <th scope="col" class="n">{lang.pick(Text("当日在册隶属海关", "Offices on that day"))}</th>
                        <th scope="col" class="n">{lang.pick(Text("至少应完成对标", "Must have completed"))}</th>
                    </tr></thead>
                    <tbody>
                        {view.milestone_bases.iter().map(|m| view! {
                            <tr>
                                <td>{m.code.clone()}" "{match lang { Lang::Zh => m.title_zh.clone(), Lang::En => m.title_en.clone() }}</td>
                                <td>{lang.date(m.deadline)}</td>
                                <td class="n">{m.offices}</td>
                                <td class="n strong">{m.required}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(dashboard.is_none() && !view.children.is_empty()).then(|| view! {
            <section class="card">
                <h2>{match lang {
                    Lang::Zh => format!("所属机构（{}个）", view.children.len()),
                    Lang::En => format!("Offices below ({})", view.children.len()),
                }}</h2>
                <ul class="office-list office-list--columns">
                    {view.children.iter().map(|c| view! {
                        <li><span class="code">{c.code.to_string()}</span><a href=format!("/offices/{}{}", c.code, as_of_suffix)>{c.name.clone()}</a></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(view.kind == OfficeKind::Subordinate).then(|| view! {
            <crate::pages::scorecard::OfficeScorecard code=view.code.clone() as_of=view.as_of.to_string()/>
            <crate::pages::office_returns::OfficeReturns code=view.code.clone()/>
        })}
        <section class="card">
            <h2>{lang.pick(Text("沿革", "History"))}</h2>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">{lang.pick(Text("名称", "Name"))}</th>
                    <th scope="col">{lang.pick(Text("上级机构", "Parent"))}</th>
                    <th scope="col">{lang.pick(Text("生效日期", "From"))}</th>
                    <th scope="col">{lang.pick(Text("失效日期", "Until"))}</th>
                    <th scope="col">{lang.pick(Text("备注", "Note"))}</th>
                </tr></thead>
                <tbody>
                    {view.history.iter().map(|h| view! {
                        <tr>
                            <td>{h.name.clone()}</td>
                            <td>{h.parent_name.clone().or(h.parent_code.clone()).unwrap_or_else(|| "—".into())}</td>
                            <td>{lang.date(h.valid_from)}</td>
                            <td>{h.valid_to.map(|d| lang.date(d)).unwrap_or_else(|| lang.pick(Text("至今", "current")).into())}</td>
                            <td class="muted">{h.note.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
