//! The national overview (HQ's home page): catalog and office figures, the milestones of the notice, and each
//! direct customs' office count on every milestone deadline.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::widgets::{ErrorBox, Figure, Loading, SampleBanner};
use crate::functions::overview::{get_overview, Overview};
use crate::i18n::{use_lang, Lang, Text};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let lang = use_lang();
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text=lang.pick(Text("全国概览", "National overview"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <OverviewView overview=o/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(overview: Overview) -> impl IntoView {
    let lang = use_lang();
    let today = overview.today;
    let catalog_figures = overview.catalog.clone().map(|c| {
        view! {
            <Figure value=c.items.to_string() label=lang.pick(Text("二级事项", "second-level items"))
                hint=match lang { Lang::Zh => format!("{}个一级事项", c.groups), Lang::En => format!("in {} groups", c.groups) }/>
            <Figure value=c.elements.to_string() label=lang.pick(Text("公开要素", "elements"))
                hint=match lang { Lang::Zh => format!("{}项依据", c.bases), Lang::En => format!("{} legal bases", c.bases) }/>
        }
    });
    let gaps = overview.catalog.as_ref().map(|c| c.gaps).unwrap_or(0);
    view! {
        <SampleBanner sample=overview.sample/>
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("海关总署办公厅", "GACC general office"))}" · "{lang.date(today)}</p>
            <h1>{lang.pick(Text("基层政务公开标准化规范化 · 全国概览", "Grassroots disclosure standardization — national overview"))}</h1>
            <p class="lead">{lang.pick(Text(
                "按《海关领域基层政务公开标准指引》推进：各直属海关编制关区目录、报备实施方案、选择试点，并推动所属隶属海关完成对标。",
                "Each direct customs compiles a district catalog, files a plan, picks pilots and brings its subordinate offices up to the guide.",
            ))}</p>
        </section>
        <section class="figures">
            <Figure value=overview.direct_customs.to_string() label=lang.pick(Text("直属海关", "direct customs"))/>
            <Figure value=overview.subordinates.to_string() label=lang.pick(Text("隶属海关（今日在册）", "subordinate offices today"))/>
            {catalog_figures}
        </section>
        {(gaps > 0).then(|| view! {
            <p class="notice-line">
                {match lang {
                    Lang::Zh => format!("标准目录中有 {gaps} 处文字在通知原文提取时缺失，已在目录页标出，待据纸质原文补录。"),
                    Lang::En => format!("{gaps} passages of the catalog were lost in extraction; they are marked on the catalog page."),
                }}
                " "<a href="/catalog">{lang.pick(Text("查看标准目录", "Open the catalog"))}</a>
            </p>
        })}
        <section class="card">
            <h2>{lang.pick(Text("工作任务与时间节点", "Milestones"))}</h2>
            <ol class="timeline">
                {overview.milestones.iter().map(|m| {
                    let passed = m.deadline < today;
                    view! {
                        <li class:passed=passed>
                            <span class="timeline__date">{lang.date(m.deadline)}</span>
                            <span class="timeline__code">{m.code.clone()}</span>
                            <span class="timeline__title">{match lang { Lang::Zh => m.title_zh.clone(), Lang::En => m.title_en.clone() }}</span>
                            <blockquote class="timeline__quote">{m.quote.clone()}</blockquote>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
        <section class="card">
            <h2>{lang.pick(Text("各直属海关对标基数", "Benchmark base of each direct customs"))}</h2>
            <p class="muted">{lang.pick(Text(
                "隶属海关数按各节点当日在册机构计算（撤销、新设、划转均按生效日期计入）；“三分之一”向上取整。",
                "Offices are counted as they stood on each deadline (openings, closures and moves by their effective dates); one third is rounded up.",
            ))}</p>
            <div class="table-scroll">
                <table class="data-table">
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick(Text("关区代码", "Code"))}</th>
                            <th scope="col">{lang.pick(Text("直属海关", "Direct customs"))}</th>
                            <th scope="col" class="n">{lang.pick(Text("2022年8月31日在册", "On 31 Aug 2022"))}</th>
                            <th scope="col" class="n">{lang.pick(Text("2022年12月31日在册", "On 31 Dec 2022"))}</th>
                            <th scope="col" class="n">{lang.pick(Text("三分之一目标", "One-third target"))}</th>
                            <th scope="col" class="n">{lang.pick(Text("2023年12月31日在册", "On 31 Dec 2023"))}</th>
                            <th scope="col" class="n">{lang.pick(Text("今日在册", "Today"))}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {overview.districts.iter().map(|d| view! {
                            <tr>
                                <td class="code">{d.code.clone()}</td>
                                <td><a href=format!("/offices/{}", d.code)>{d.name.clone()}</a></td>
                                <td class="n">{d.offices_m3}</td>
                                <td class="n">{d.offices_m4}</td>
                                <td class="n strong">{d.required_m4}</td>
                                <td class="n">{d.offices_m5}</td>
                                <td class="n">{d.offices_today}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="2">{lang.pick(Text("合计", "Total"))}</th>
                            <td class="n">{overview.districts.iter().map(|d| d.offices_m3).sum::<usize>()}</td>
                            <td class="n">{overview.districts.iter().map(|d| d.offices_m4).sum::<usize>()}</td>
                            <td class="n strong">{overview.districts.iter().map(|d| d.required_m4).sum::<usize>()}</td>
                            <td class="n">{overview.districts.iter().map(|d| d.offices_m5).sum::<usize>()}</td>
                            <td class="n">{overview.districts.iter().map(|d| d.offices_today).sum::<usize>()}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}
