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

/// The English of a dashboard table's header or cell: the tables travel in Chinese (as the workbooks have them), and
/// the page shows their fixed words — headers, statuses, dates, milestone names — in English when English is chosen.
/// Names of offices and the reasons in sentences stay Chinese, like the catalog's official text.
pub fn table_text_en(zh: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        // Headers.
        ("名次", "Rank"),
        ("关区代码", "Code"),
        ("机构代码", "Code"),
        ("直属海关", "Direct customs"),
        ("隶属海关", "Subordinate offices"),
        ("已完成", "Completed"),
        ("完成比例", "Completed share"),
        ("平均分", "Mean score"),
        ("进度", "Progress"),
        ("里程碑", "Milestone"),
        ("截止日期", "Deadline"),
        ("状况", "Status"),
        ("原因", "Reason"),
        ("试点", "Pilot"),
        ("首次完成对标日期", "First completed"),
        ("目前是否完成", "Complete now"),
        ("最新审核通过的填报", "Latest accepted return"),
        ("审核通过日期", "Accepted on"),
        ("得分（分）", "Score"),
        ("等次", "Grade"),
        ("等级", "Grade"),
        ("完成日期", "Met on"),
        ("应完成（个）", "Required"),
        ("已完成（个）", "Achieved"),
        ("说明", "Note"),
        ("日期", "Date"),
        ("项目", "Series"),
        ("隶属海关（个）", "Offices"),
        ("占隶属海关总数", "Share of all offices"),
        ("完成对标比例", "Completed share"),
        ("分数段（含下限，不含上限；100分计入最高段）", "Score range (lower bound included; 100 in the top range)"),
        // Statuses and words in cells.
        ("正常", "on track"),
        ("滞后或有风险", "behind or at risk"),
        ("未完成", "not completed"),
        ("是", "yes"),
        ("否", "no"),
        ("无", "none"),
        ("合计", "Total"),
        ("累计完成对标", "completed (cumulative)"),
        ("按时公开", "on time"),
        ("逾期公开", "late"),
        ("未公开", "not disclosed"),
        ("由上级公开", "by a higher level"),
        ("关区目录公开", "district catalog published"),
        ("实施方案备案", "plan filed"),
        ("试点完成对标", "pilots completed"),
        ("三分之一完成", "one third completed"),
        ("全部完成", "all completed"),
        ("不合格", "fail"),
        ("合格", "pass"),
        ("良好", "good"),
        ("优秀", "excellent"),
    ];
    // Milestone statuses: the product's one vocabulary, defined next to the status.
    if let Some(en) = analytics::rollout::status_label_en(zh) {
        return en;
    }
    if let Some((_, en)) = WORDS.iter().find(|(z, _)| *z == zh) {
        return en.to_string();
    }
    if let Some(d) = parse_date_zh(zh) {
        return Lang::En.date(d);
    }
    // `2022年第三季度` (a return's period as shown to people): its code, `2022Q3`.
    if zh.ends_with("季度") {
        if let Ok(period) = analytics::returns::Period::parse(zh) {
            return period.code();
        }
    }
    if let Some(range) = zh.strip_suffix('分').filter(|r| r.contains('–')) {
        return range.to_string();
    }
    // `M1 关区目录公开（2022年4月30日前）`, `M3 目标`.
    if let Some((code, rest)) = zh.split_once(' ').filter(|(c, _)| c.starts_with('M') && c.len() == 2) {
        if rest == "目标" {
            return format!("{code} target");
        }
        if let Some((name, due)) = rest.strip_suffix("前）").and_then(|r| r.split_once('（')) {
            let due = parse_date_zh(due).map(|d| Lang::En.date(d)).unwrap_or_else(|| due.to_string());
            return format!("{code} {} (by {due})", table_text_en(name));
        }
        return format!("{code} {}", table_text_en(rest));
    }
    zh.to_string()
}

/// A `2022年12月31日` text as a date.
fn parse_date_zh(text: &str) -> Option<NaiveDate> {
    let (y, rest) = text.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A table's header or cell in the page's language.
pub fn table_text(lang: Lang, zh: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => table_text_en(zh),
    }
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
    let (first, last) = crate::functions::as_of_range(today);
    view! {
        <form class="search-form asof-form" method="get" action=action>
            <label>
                <span>{lang.pick(Text("统计截至日期", "As of"))}</span>
                <input type="date" name="as_of" value=as_of.to_string() min=first.to_string() max=last.to_string() required/>
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
    let lang = use_lang();
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
                        <th scope="col" class:n=numeric[c]>{table_text(lang, h)}</th>
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
                                    let cell = table_text(lang, &cell);
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

/// A chart drawn on the server, shown from its SVG route, with its downloads and its text table under 数据表 (or a
/// link to the table of the page that carries its numbers).
///
/// The SVG is not put inline: the page stays small (the matrix alone is about 60 KB), every chart is fetched in
/// parallel and revalidated by its content tag, and a view built in the browser shows exactly the same.
#[component]
pub fn ChartBlock(chart: ChartView, query: String) -> impl IntoView {
    let lang = use_lang();
    let name = chart.name.clone();
    let src = format!("/dashboard/charts/{name}.svg{query}");
    view! {
        <figure class="chart" id=format!("chart-{name}")>
            <div class="chart__svg">
                <img src=src alt=chart.title.clone() width=chart.width.to_string() height=chart.height.to_string()
                    aria-describedby=chart.described_by.clone()/>
            </div>
            <figcaption class="downloads">
                <a href=format!("/dashboard/charts/{name}.svg{query}") download="">{lang.pick(Text("下载 SVG", "SVG"))}</a>
                <a href=format!("/dashboard/charts/{name}.png{query}") download="">{lang.pick(Text("下载 PNG", "PNG"))}</a>
                <a href=format!("/dashboard/tables/{name}.xlsx{query}") download="">{lang.pick(Text("数据表 Excel", "Table as Excel"))}</a>
            </figcaption>
            {match chart.described_by {
                Some(id) => view! {
                    <p class="chart__table chart__table--ref">
                        {lang.pick(Text("本图数据见本页表格：", "The numbers of this chart are in the table "))}
                        <a href=format!("#{id}")>{lang.pick(Text("各直属海关推进进度", "Progress of each direct customs"))}</a>
                    </p>
                }.into_any(),
                None => view! {
                    <details class="chart__table">
                        <summary>{lang.pick(Text("数据表", "Data table"))}" · "{chart.title.clone()}</summary>
                        {chart.by_month.then(|| view! {
                            <p class="muted">{lang.pick(Text(
                                "按月列出每月末的累计数；逐日数据请下载 Excel。",
                                "The cumulative count at the end of each month; the day-by-day numbers are in the Excel download.",
                            ))}</p>
                        })}
                        <TableBlock table=chart.table/>
                    </details>
                }.into_any(),
            }}
        </figure>
    }
}

/// The label of the district's all-complete date: a projection only while some office has not completed.
fn completion_date_label(completed: usize, offices: usize) -> Text {
    if offices > 0 && completed >= offices {
        Text("全部完成日期", "all completed on")
    } else {
        Text("预计全部完成日期", "projected all complete")
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
                    <span class="figure__label">{lang.pick(completion_date_label(d.completed, d.offices))}</span>
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

#[cfg(test)]
mod tests {
    use super::{completion_date_label, table_text_en};

    #[test]
    fn no_completion_is_projected_once_every_office_has_completed() {
        assert_eq!(completion_date_label(12, 12).0, "全部完成日期");
        assert_eq!(completion_date_label(11, 12).0, "预计全部完成日期");
        assert_eq!(completion_date_label(0, 0).0, "预计全部完成日期");
    }

    #[test]
    fn dashboard_table_words_read_in_english() {
        assert_eq!(table_text_en("首次完成对标日期"), "First completed");
        assert_eq!(table_text_en("逾期12日完成"), "met 12 days late");
        assert_eq!(table_text_en("逾期3日未完成"), "missed (3 days overdue)");
        assert_eq!(table_text_en("今日到期"), "due today");
        assert_eq!(table_text_en("有逾期风险"), "at risk");
        assert_eq!(table_text_en("2022年12月31日"), "31 Dec 2022");
        // The district table writes a return's period as officials do; English shows its code.
        assert_eq!(table_text_en("2022年第三季度"), "2022Q3");
        assert_eq!(
            table_text_en("M1 关区目录公开（2022年4月30日前）"),
            "M1 district catalog published (by 30 Apr 2022)"
        );
        assert_eq!(table_text_en("M4 目标"), "M4 target");
        assert_eq!(table_text_en("60–65分"), "60–65");
        assert_eq!(table_text_en("新港海关"), "新港海关", "names stay as they are");
    }
}
