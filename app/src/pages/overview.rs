//! The national dashboard (HQ's home page `/`): headline figures, the burn-up of completed subordinate offices
//! against the milestones, the milestone matrix of the 42 direct customs, their progress ranking, the milestones
//! at risk or missed, and the national score distribution, all as of a date chosen in the URL (`?as_of=`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::dashboard::{get_national_dashboard, NationalDashboard};
use crate::i18n::{use_lang, Lang, Text};
use crate::pages::dashboard::{download_query, AsOfForm, ChartBlock, TableBlock, TableDownload};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let dashboard = crate::components::hydration::resource(move || query.read().get("as_of"), get_national_dashboard);
    view! {
        <Title text=lang.pick(Text("全国概览", "National overview"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) => view! { <NationalView dashboard=d/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NationalView(dashboard: NationalDashboard) -> impl IntoView {
    let lang = use_lang();
    let d = dashboard;
    let query = download_query(d.as_of, None);
    let share = if d.offices == 0 { 0.0 } else { d.completed as f64 * 100.0 / d.offices as f64 };
    let risks = d.at_risk.rows.len();
    view! {
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("海关总署办公厅", "GACC general office"))}" · "{match lang {
                Lang::Zh => format!("截至{}", lang.date(d.as_of)),
                Lang::En => format!("as of {}", lang.date(d.as_of)),
            }}</p>
            <h1>{lang.pick(Text("基层政务公开标准化规范化 · 全国推进情况", "Grassroots disclosure standardization — national progress"))}</h1>
            <p class="lead">{lang.pick(Text(
                "各直属海关编制关区目录、报备实施方案、选择试点，并推动所属隶属海关完成对标。点击任一数字或关区查看明细。",
                "Each direct customs compiles a catalog, files a plan, picks pilots and brings its offices up to the guide. Click a figure or district for details.",
            ))}</p>
        </section>
        <AsOfForm action="/".into() as_of=d.as_of today=d.today/>
        <div class="figures">
            <a class="figure figure--link" href="#burn-up" data-figure="completed">
                <span class="figure__value">{format!("{} / {}", d.completed, d.offices)}</span>
                <span class="figure__label">{lang.pick(Text("隶属海关完成对标", "offices completed"))}</span>
                <span class="figure__hint">{format!("{share:.1}%")}</span>
            </a>
            <a class="figure figure--link" href="#progress" data-figure="pilots">
                <span class="figure__value">{format!("{} / {}", d.pilots_completed, d.pilots_designated)}</span>
                <span class="figure__label">{lang.pick(Text("试点完成 / 确定", "pilots completed / designated"))}</span>
            </a>
            <a class="figure figure--link" href="#progress" data-figure="on-track">
                <span class="figure__value">{format!("{} / {}", d.districts_on_track, d.districts)}</span>
                <span class="figure__label">{lang.pick(Text("进度正常的直属海关", "districts on track"))}</span>
                <span class="figure__hint">{lang.pick(Text("无逾期、无风险", "nothing missed or at risk"))}</span>
            </a>
            <a class="figure figure--link figure--alert" href="#at-risk" data-figure="at-risk">
                <span class="figure__value">{risks}</span>
                <span class="figure__label">{lang.pick(Text("逾期与风险事项", "missed or at-risk milestones"))}</span>
            </a>
        </div>
        <section class="card" id="burn-up">
            <h2>{lang.pick(Text("完成对标进度", "Completion over time"))}</h2>
            <ChartBlock chart=d.burn_up query=query.clone()/>
        </section>
        <section class="card" id="matrix">
            <h2>{lang.pick(Text("里程碑完成情况", "Milestones by district"))}</h2>
            <ChartBlock chart=d.matrix query=query.clone()/>
        </section>
        <section class="card" id="at-risk">
            <h2>{match lang {
                Lang::Zh => format!("逾期与风险事项（{risks}项）"),
                Lang::En => format!("Missed or at risk ({risks})"),
            }}</h2>
            {if risks == 0 {
                view! { <p class="empty">{lang.pick(Text("没有逾期或有风险的里程碑。", "Nothing missed or at risk."))}</p> }.into_any()
            } else {
                view! { <TableBlock table=d.at_risk id="at-risk-table"/> }.into_any()
            }}
            <TableDownload name="at-risk" query=query.clone()/>
        </section>
        <section class="card" id="progress">
            <h2>{lang.pick(Text("各直属海关推进进度", "Progress of each direct customs"))}</h2>
            <p class="muted">{lang.pick(Text(
                "按完成对标比例排序（相同时按平均得分）；平均得分为所属隶属海关最新一份审核通过填报的得分平均值。点击关区名称查看本关区情况。",
                "Ordered by completed share, then mean score of the offices' latest accepted returns. Click a district for its dashboard.",
            ))}</p>
            <ProgressTable dashboard=d.progress_table tones=d.progress_tones/>
            <TableDownload name="progress" query=query.clone()/>
        </section>
        <section class="card" id="ranking">
            <h2>{lang.pick(Text("得分排名", "Ranking by score"))}</h2>
            <ChartBlock chart=d.ranking query=query.clone()/>
        </section>
        <section class="card" id="scores">
            <h2>{match lang {
                Lang::Zh => format!("全国得分分布（{}个隶属海关有审核通过的填报）", d.assessed),
                Lang::En => format!("Score distribution ({} offices with an accepted return)", d.assessed),
            }}</h2>
            <ChartBlock chart=d.scores query=query/>
        </section>
    }
}

/// The progress table, with each milestone cell coloured by its status and leading to the district's milestones.
#[component]
fn ProgressTable(dashboard: crate::functions::dashboard::TableView, tones: Vec<Vec<String>>) -> impl IntoView {
    let lang = use_lang();
    let table = dashboard;
    // Columns: 名次, 代码, 直属海关, 隶属海关, 已完成, 比例, 平均得分, M1–M5, 进度.
    const FIRST_MILESTONE: usize = 7;
    view! {
        <div class="table-scroll">
            <table class="data-table progress-table" id="progress-table">
                <thead><tr>
                    {table.headers.iter().enumerate().map(|(c, h)| view! {
                        <th scope="col" class:n=(c == 0 || (3..FIRST_MILESTONE).contains(&c))>{crate::pages::dashboard::table_text(lang, h)}</th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {table.rows.iter().enumerate().map(|(r, row)| {
                        let href = table.links.get(r).cloned().flatten().unwrap_or_default();
                        let tones = tones.get(r).cloned().unwrap_or_default();
                        view! {
                            <tr>
                                {row.iter().enumerate().map(|(c, cell)| {
                                    let cell = crate::pages::dashboard::table_text(lang, cell);
                                    if c == 2 {
                                        view! { <td><a href=href.clone()>{cell}</a></td> }.into_any()
                                    } else if c >= FIRST_MILESTONE && c < FIRST_MILESTONE + tones.len() {
                                        let tone = tones[c - FIRST_MILESTONE].clone();
                                        view! {
                                            <td class=format!("ms ms--{tone}")><a href=format!("{href}#milestones")>{cell}</a></td>
                                        }.into_any()
                                    } else if c == 0 || (3..FIRST_MILESTONE).contains(&c) {
                                        view! { <td class="n">{cell}</td> }.into_any()
                                    } else {
                                        view! { <td>{cell}</td> }.into_any()
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
