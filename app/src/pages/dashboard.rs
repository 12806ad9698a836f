//! The dashboards (issue 6): pieces shared by the national dashboard (`/`, [`crate::pages::overview`]) and the
//! dashboard of a direct customs (on its page `/offices/{code}`): the as-of form, charts drawn on the server with
//! their text tables and downloads, and tables whose rows lead to the rows behind them.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::functions::dashboard::{ChartView, DistrictDashboard, TableView};
use crate::i18n::{use_lang, Lang, Text};

/// A date as officials write it (`2022年12月31日`).
pub fn date_zh(d: NaiveDate) -> String {
    Lang::Zh.date(d)
}

/// The query of the downloads of a dashboard: the date and, for a direct customs, its code.
pub fn download_query(as_of: NaiveDate, district: Option<&str>) -> String {
    match district {
        Some(code) => format!("?as_of={as_of}&district={code}"),
        None => format!("?as_of={as_of}"),
    }
}

/// The as-of date selector: a plain GET form, so it works without JavaScript.
#[component]
pub fn AsOfForm(action: String, as_of: NaiveDate, today: NaiveDate) -> impl IntoView {
    let lang = use_lang();
    let today_link = action.clone();
    view! {
        <form class="search-form asof-form" method="get" action=action>
            <label>
                <span>{lang.pick(Text("统计截至日期", "As of"))}</span>
                <input type="date" name="as_of" value=as_of.to_string() min="2021-01-01" max="2099-12-31" required/>
            </label>
            <button type="submit">{lang.pick(Text("查看", "Show"))}</button>
            {(as_of != today).then(|| view! {
                <a class="button-link" href=today_link>{lang.pick(Text("回到今日", "Today"))}</a>
            })}
            <span class="asof-form__note">{match lang {
                Lang::Zh => format!("当前显示截至{}的情况", lang.date(as_of)),
                Lang::En => format!("Showing the state as of {}", lang.date(as_of)),
            }}</span>
        </form>
    }
}

/// A table; the cell `link_column` of a row with a link leads to it.
#[component]
pub fn TableBlock(table: TableView, #[prop(optional)] id: &'static str) -> impl IntoView {
    let numeric: Vec<bool> = table
        .headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            !h.contains("代码")
                && !table.rows.is_empty()
                && table
                    .rows
                    .iter()
                    .all(|r| r.get(c).is_some_and(|v| v == "—" || v.trim_end_matches('%').parse::<f64>().is_ok()))
        })
        .collect();
    let link_column = table.link_column;
    let links = table.links.clone();
    view! {
        <div class="table-scroll">
            <table class="data-table" id=(!id.is_empty()).then_some(id)>
                <thead><tr>
                    {table.headers.iter().enumerate().map(|(c, h)| view! {
                        <th scope="col" class:n=numeric[c]>{h.clone()}</th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {table.rows.into_iter().enumerate().map(|(r, row)| {
                        let link = links.get(r).cloned().flatten();
                        let numeric = numeric.clone();
                        view! {
                            <tr>
                                {row.into_iter().enumerate().map(|(c, cell)| {
                                    let class = if numeric.get(c).copied().unwrap_or(false) { "n" } else { "" };
                                    match (&link, c == link_column) {
                                        (Some(href), true) => view! { <td class=class><a href=href.clone()>{cell}</a></td> }.into_any(),
                                        _ => view! { <td class=class>{cell}</td> }.into_any(),
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

/// Download links of a table as Excel.
#[component]
pub fn TableDownload(name: &'static str, query: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p class="downloads">
            <a href=format!("/dashboard/tables/{name}.xlsx{query}") download="">
                {lang.pick(Text("下载 Excel", "Download Excel"))}
            </a>
        </p>
    }
}

/// A chart drawn on the server, inline, with its downloads and its text table under 数据表.
#[component]
pub fn ChartBlock(chart: ChartView, query: String) -> impl IntoView {
    let lang = use_lang();
    let name = chart.name.clone();
    view! {
        <figure class="chart" id=format!("chart-{name}")>
            <div class="chart__svg" inner_html=chart.svg.clone()></div>
            <figcaption class="downloads">
                <a href=format!("/dashboard/charts/{name}.svg{query}") download="">{lang.pick(Text("下载 SVG", "SVG"))}</a>
                <a href=format!("/dashboard/charts/{name}.png{query}") download="">{lang.pick(Text("下载 PNG", "PNG"))}</a>
                <a href=format!("/dashboard/tables/{name}.xlsx{query}") download="">{lang.pick(Text("数据表 Excel", "Table as Excel"))}</a>
            </figcaption>
            <details class="chart__table">
                <summary>{lang.pick(Text("数据表", "Data table"))}" · "{chart.title.clone()}</summary>
                <TableBlock table=chart.table/>
            </details>
        </figure>
    }
}

/// The dashboard of a direct customs, on its page.
#[component]
pub fn DistrictDashboardView(dashboard: DistrictDashboard) -> impl IntoView {
    let lang = use_lang();
    let d = dashboard;
    let query = download_query(d.as_of, Some(&d.code));
    view! {
        <section class="dashboard district-dashboard" id="dashboard">
            <AsOfForm action=format!("/offices/{}", d.code) as_of=d.as_of today=d.today/>
            <div class="figures">
                <a class="figure figure--link" href="#offices" data-figure="completed">
                    <span class="figure__value">{format!("{} / {}", d.completed, d.offices)}</span>
                    <span class="figure__label">{lang.pick(Text("隶属海关完成对标", "offices completed"))}</span>
                </a>
                <a class="figure figure--link" href="#offices" data-figure="pilots">
                    <span class="figure__value">{format!("{} / {}", d.pilots_completed, d.pilots_designated)}</span>
                    <span class="figure__label">{lang.pick(Text("试点完成 / 确定", "pilots completed / designated"))}</span>
                </a>
                <a class="figure figure--link" href="#milestones" data-figure="projection">
                    <span class="figure__value figure__value--date">
                        {d.projected_all_complete_on.map(date_zh).unwrap_or_else(|| "—".into())}
                    </span>
                    <span class="figure__label">{lang.pick(Text("预计全部完成日期", "projected all complete"))}</span>
                </a>
            </div>
            <section class="card" id="milestones">
                <h2>{lang.pick(Text("本关区里程碑", "Milestones of the district"))}</h2>
                <TableBlock table=d.milestones id="milestone-table"/>
                <TableDownload name="milestones" query=query.clone()/>
            </section>
            <section class="card" id="offices">
                <h2>{match lang {
                    Lang::Zh => format!("所属隶属海关（{}个）", d.offices),
                    Lang::En => format!("Subordinate offices ({})", d.offices),
                }}</h2>
                <TableBlock table=d.office_table id="office-table"/>
                <TableDownload name="offices" query=query.clone()/>
            </section>
            <section class="card">
                <h2>{lang.pick(Text("完成对标进度", "Completion over time"))}</h2>
                <ChartBlock chart=d.burn_up query=query.clone()/>
            </section>
            <section class="card" id="heatmap">
                <h2>{lang.pick(Text("各隶属海关标准目录事项公开情况", "Catalog items by office"))}</h2>
                <p class="muted">{lang.pick(Text(
                    "依据各隶属海关截至所选日期最新一份审核通过的填报及其评分说明。",
                    "From each office's latest accepted return by the date and its assessment.",
                ))}</p>
                <ChartBlock chart=d.heatmap query=query/>
            </section>
        </section>
    }
}
