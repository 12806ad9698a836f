//! The office scorecard on a subordinate office's page (`/offices/{code}`): head figures, the item table with the
//! points each item lost and why, the guide's requirements, benchmark completion; each table downloads as Excel.
//! Rendered completely on the server; the as-of date is a plain GET form, so it works without JavaScript.

use leptos::prelude::*;

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::dashboard::TableView;
use crate::functions::scorecard::{
    get_scorecard, points, RowMark, ScorecardView, ITEM_HEADERS, ITEM_LOST_COLUMN, ITEM_REASON_COLUMN,
    REQUIREMENT_HEADERS,
};
use crate::i18n::{use_lang, Lang, Text};
use crate::pages::dashboard::AsOfForm;

/// The section, loaded on its own so the rest of the office page does not wait for it.
#[component]
pub fn OfficeScorecard(code: String, as_of: String) -> impl IntoView {
    let scorecard = crate::components::hydration::resource(
        move || (code.clone(), as_of.clone()),
        |(code, as_of)| get_scorecard(code, Some(as_of)),
    );
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match scorecard.await {
                    Ok(view) => view! { <ScorecardPane view=view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A ruled table of the scorecard: rows with an anchor, lost points highlighted, multi-line cells line by line.
#[component]
fn ScoreTable(
    table: TableView,
    marks: Vec<RowMark>,
    headers: &'static [(&'static str, &'static str)],
    id: &'static str,
    status_column: usize,
    lost_column: usize,
    reason_column: usize,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-scroll">
            <table class="data-table score-table" id=id>
                <thead><tr>
                    {headers.iter().enumerate().map(|(c, h)| view! {
                        <th scope="col" class:n=c == lost_column>{lang.pick(Text(h.0, h.1))}</th>
                    }).collect_view()}
                </tr></thead>
                <tbody>
                    {table.rows.into_iter().enumerate().map(|(r, row)| {
                        let mark = marks.get(r).cloned();
                        let lost = mark.as_ref().is_some_and(|m| m.lost > 0.0);
                        let status = mark.as_ref().map(|m| m.status.clone()).unwrap_or_default();
                        let status_en = mark.as_ref().map(|m| m.status_en.clone()).unwrap_or_default();
                        view! {
                            <tr id=mark.map(|m| m.anchor) class=format!("score-row score-row--{status}") class:score-row--lost=lost>
                                {row.into_iter().enumerate().map(|(c, cell)| {
                                    if c == status_column {
                                        let shown = match lang { Lang::En if !status_en.is_empty() => status_en.clone(), _ => cell };
                                        view! { <td><span class=format!("score-status score-status--{status}")>{shown}</span></td> }.into_any()
                                    } else if c == lost_column {
                                        view! { <td class="n" class:strong=lost>{cell}</td> }.into_any()
                                    } else if c == reason_column {
                                        view! {
                                            <td class="score-reasons">
                                                {cell.split('\n').filter(|l| !l.is_empty()).map(|l| view! { <div>{l.to_string()}</div> }).collect_view()}
                                            </td>
                                        }.into_any()
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

#[component]
fn ScorecardPane(view: ScorecardView) -> impl IntoView {
    let lang = use_lang();
    let v = view;
    let query = format!("?as_of={}", v.as_of);
    let base = format!("/offices/{}", v.code);
    let c = v.completion.clone();
    let completion_text = if c.complete {
        match lang {
            Lang::Zh => format!(
                "已完成对标（自{}起{}）",
                c.since.map(|d| lang.date(d)).unwrap_or_default(),
                c.first_completed_on
                    .filter(|f| Some(*f) != c.since)
                    .map(|f| format!("；首次完成于{}", lang.date(f)))
                    .unwrap_or_default()
            ),
            Lang::En => format!(
                "Benchmarking completed (since {}{})",
                c.since.map(|d| lang.date(d)).unwrap_or_default(),
                c.first_completed_on
                    .filter(|f| Some(*f) != c.since)
                    .map(|f| format!("; first on {}", lang.date(f)))
                    .unwrap_or_default()
            ),
        }
    } else {
        match (c.first_completed_on, c.lost_on, lang) {
            (Some(first), Some(lost), Lang::Zh) => {
                format!("未完成：曾于{}完成对标，{}起不再满足", lang.date(first), lang.date(lost))
            }
            (Some(first), Some(lost), Lang::En) => {
                format!("Not complete: completed on {}, lost on {}", lang.date(first), lang.date(lost))
            }
            (_, _, Lang::Zh) => "未完成对标".to_string(),
            (_, _, Lang::En) => "Benchmarking not completed".to_string(),
        }
    };
    let completion_tone = if c.complete {
        "ok"
    } else if c.lost_on.is_some() {
        "lost"
    } else {
        "open"
    };
    let head = v.head.clone();
    view! {
        <section class="card scorecard" id="scorecard">
            <h2>{match lang {
                Lang::Zh => format!("评分卡 · 截至{}", lang.date(v.as_of)),
                Lang::En => format!("Scorecard as of {}", lang.date(v.as_of)),
            }}</h2>
            <AsOfForm action=base.clone() as_of=v.as_of today=v.today/>
            {match head.clone() {
                None => view! {
                    <p class="empty" id="scorecard-empty">{match lang {
                        Lang::Zh => format!("截至{}，本关尚无经直属海关审核通过的填报，暂无评分。", lang.date(v.as_of)),
                        Lang::En => format!("No return accepted by the direct customs as of {}: nothing to score yet.", lang.date(v.as_of)),
                    }}</p>
                }.into_any(),
                Some(h) => view! {
                    <div class="figures score-figures">
                        <div class="figure" data-figure="score">
                            <span class="figure__value">{points(h.score)}</span>
                            <span class="figure__label">{lang.pick(Text("得分（满分100分）", "score (of 100)"))}</span>
                        </div>
                        <div class="figure" class:figure--alert=h.vetoed_by.is_some() data-figure="grade">
                            <span class="figure__value">{h.grade.clone()}</span>
                            <span class="figure__label">{lang.pick(Text("等次", "grade"))}</span>
                        </div>
                        <div class="figure" data-figure="return">
                            <span class="figure__value figure__value--date">{match lang { Lang::Zh => h.period_name.clone(), Lang::En => h.period.clone() }}</span>
                            <span class="figure__label">{match lang {
                                Lang::Zh => format!("评分依据的填报（{}审核通过）", lang.date(h.accepted_on)),
                                Lang::En => format!("return assessed (accepted {})", lang.date(h.accepted_on)),
                            }}</span>
                        </div>
                        <div class="figure" data-figure="scheme">
                            <span class="figure__value figure__value--date">{h.scheme_code.clone()}</span>
                            <span class="figure__label">{lang.pick(Text("评分方案版本", "scoring scheme version"))}</span>
                        </div>
                    </div>
                    {h.vetoed_by.clone().map(|why| view! { <p class="score-veto">{lang.pick(Text("一票否决：", "Veto: "))}{why}</p> })}
                    <p class="score-sum" id="score-sum">
                        {match lang {
                            Lang::Zh => format!(
                                "扣分合计 {} 分（公开事项 {} 分，《指引》基本要求 {} 分）；加分 {} 分。得分 = 100 − {} + {}{} = {} 分。",
                                points(h.deducted), points(h.deducted_items), points(h.deducted_requirements), points(h.bonus),
                                points(h.deducted), points(h.bonus),
                                if h.capped < 0.0 { format!(" − {}（超过100分的部分）", points(h.capped)) } else { String::new() },
                                points(h.score),
                            ),
                            Lang::En => format!(
                                "Points lost in all: {} (items {}, guide requirements {}); bonus {}. Score = 100 − {} + {}{} = {}.",
                                points(h.deducted), points(h.deducted_items), points(h.deducted_requirements), points(h.bonus),
                                points(h.deducted), points(h.bonus),
                                if h.capped < 0.0 { format!(" − {} (above 100)", points(h.capped)) } else { String::new() },
                                points(h.score),
                            ),
                        }}
                    </p>
                    {(!v.lost_items.is_empty()).then(|| view! {
                        <nav class="lost-items" aria-label=lang.pick(Text("扣分事项", "Items that lost points"))>
                            <span class="lost-items__label">{lang.pick(Text("扣分事项：", "Items that lost points: "))}</span>
                            {v.lost_items.iter().map(|l| view! {
                                <a class="lost-item" href=format!("#{}", l.anchor)>{l.label.clone()}" −"{points(l.lost)}</a>
                            }).collect_view()}
                        </nav>
                    })}
                }.into_any(),
            }}
            <div class=format!("score-completion score-completion--{completion_tone}") id="score-completion">
                <p><strong>{lang.pick(Text("对标完成情况：", "Benchmark completion: "))}</strong>{completion_text}</p>
                {(!c.missing.is_empty()).then(|| view! {
                    <details open=c.missing.len() <= 5>
                        <summary>{match lang {
                            Lang::Zh => format!("最新一份审核通过的填报尚缺{}项", c.missing.len()),
                            Lang::En => format!("The latest accepted return lacks {} things", c.missing.len()),
                        }}</summary>
                        <ul class="change-list">{c.missing.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}</ul>
                    </details>
                })}
                {(!c.history.is_empty()).then(|| view! {
                    <p class="muted score-history">
                        {lang.pick(Text("变化：", "Changes: "))}
                        {c.history.iter().map(|s| match lang {
                            Lang::Zh => format!("{}（{}）{}", lang.date(s.on), s.period_name, if s.complete { "完成" } else { "不再满足" }),
                            Lang::En => format!("{} ({}) {}", lang.date(s.on), s.period_name, if s.complete { "met" } else { "lost" }),
                        }).collect::<Vec<_>>().join(lang.pick(Text("；", "; ")))}
                    </p>
                })}
            </div>
        </section>
        {head.is_some().then(|| view! {
            <section class="card scorecard-part" id="scorecard-items">
                <h2>{lang.pick(Text("标准目录事项逐项情况", "Catalog items, one by one"))}</h2>
                <p class="muted">{lang.pick(Text(
                    "依据上述填报及其评分说明；扣分的事项以红色标出，扣分原因为评分引擎的说明原文。渠道：",
                    "From the return above and its assessment; items that lost points are marked red, with the engine's reasons. Channels: ",
                ))}
                {v.channels.iter().map(|ch| format!("{} {}", ch.letter, match lang { Lang::Zh => ch.name_zh.clone(), Lang::En => ch.name_en.clone() })).collect::<Vec<_>>().join(lang.pick(Text("；", "; ")))}
                </p>
                <ScoreTable table=v.items.clone() marks=v.item_marks.clone() headers=&ITEM_HEADERS id="score-items"
                    status_column=2 lost_column=ITEM_LOST_COLUMN reason_column=ITEM_REASON_COLUMN/>
                <p class="downloads"><a href=format!("{base}/scorecard/items.xlsx{query}") download="">{lang.pick(Text("下载 Excel", "Download Excel"))}</a></p>
            </section>
            <section class="card scorecard-part" id="scorecard-requirements">
                <h2>{lang.pick(Text("《指引》基本要求", "The guide's requirements"))}</h2>
                <ScoreTable table=v.requirements.clone() marks=v.requirement_marks.clone() headers=&REQUIREMENT_HEADERS id="score-requirements"
                    status_column=6 lost_column=7 reason_column=9/>
                <p class="downloads"><a href=format!("{base}/scorecard/requirements.xlsx{query}") download="">{lang.pick(Text("下载 Excel", "Download Excel"))}</a></p>
            </section>
        })}
    }
}
