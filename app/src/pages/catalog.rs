//! The standard catalog page: the 25 items under their 7 first-level items, laid out like the notice's table.

use analytics::catalog::{
    AsNeededAction, Audience, Catalog, ChannelCode, GapPosition, Item, MaybeGapText, Mode, SubjectLevel, TimeLimitRule,
};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::catalog::get_catalog;
use crate::i18n::{use_lang, Lang, Text};

#[component]
pub fn CatalogPage() -> impl IntoView {
    let lang = use_lang();
    let catalog = crate::components::hydration::resource(|| (), |_| get_catalog());
    view! {
        <Title text=lang.pick(Text("标准目录", "Standard catalog"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match catalog.await {
                    Ok(c) => view! { <CatalogView catalog=c/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CatalogView(catalog: Catalog) -> impl IntoView {
    let lang = use_lang();
    let item_count = catalog.items().count();
    let group_count = catalog.groups.len();
    let bases = catalog.bases.clone();
    let basis_title = move |n: u32| bases.iter().find(|b| b.number == n).map(|b| (b.symbol.clone(), b.title.clone()));
    let rows = catalog
        .groups
        .iter()
        .flat_map(|group| {
            let span = group.items.len();
            group.items.iter().enumerate().map(move |(i, item)| (group.name.clone(), span, i == 0, item.clone()))
        })
        .map(|(group_name, span, first, item)| {
            let basis_title = basis_title.clone();
            view! {
                <tr id=format!("item-{}", item.number)>
                    <td class="num">{item.number}</td>
                    {first.then(|| view! { <th scope="rowgroup" rowspan=span class="group-name">{group_name.clone()}</th> })}
                    <th scope="row" class="item-name">{item.name.clone()}</th>
                    <td><Elements item=item.clone()/></td>
                    <td class="basis">
                        {item.basis.iter().map(|n| {
                            let (symbol, title) = basis_title(*n).unwrap_or_else(|| (n.to_string(), String::new()));
                            view! { <a href=format!("#basis-{n}") title=title class="basis-ref">{symbol}</a> }
                        }).collect_view()}
                    </td>
                    <td><TimeLimit item=item.clone()/></td>
                    <td class="subject">{subject_view(&item, lang)}</td>
                    <td class="channels"><Channels item=item.clone()/></td>
                    <td class="tick">{item.audience.contains(&Audience::Public).then_some("√")}</td>
                    <td class="tick">{item.audience.contains(&Audience::SpecificGroups).then_some("√")}</td>
                    <td class="tick">{item.modes.contains(&Mode::Proactive).then_some("√")}</td>
                    <td class="tick">{item.modes.contains(&Mode::OnRequest).then_some("√")}</td>
                    <td class="notes">{match &item.notes {
                        Some(n) => view! { <GapText text=n.clone()/> }.into_any(),
                        None => view! { <span class="muted">"/"</span> }.into_any(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("附件", "Annex"))}" · "{catalog.document_number.clone()}</p>
            <h1>{lang.pick(Text("海关领域基层政务公开标准目录", "Standard catalog of grassroots disclosure in the customs field"))}</h1>
            <p class="lead">
                {catalog.issuer.clone()}" · "{lang.date(catalog.issued_on)}" · "
                {match lang {
                    Lang::Zh => format!("{group_count}个一级事项、{item_count}个二级事项"),
                    Lang::En => format!("{group_count} first-level and {item_count} second-level items"),
                }}
            </p>
            <p class="legend">
                <span class="mark mark--on">"■"</span>{lang.pick(Text(" 推荐渠道（标黑选项）", " recommended channel (black square)"))}
                <span class="mark mark--off">"□"</span>{lang.pick(Text(" 可选渠道；各关至少选择其中一种渠道公开（备注3）", " optional; each office uses at least one channel (remark 3)"))}
                <span class="gap-sample">{lang.pick(Text("〔原文缺失〕", "[text lost]"))}</span>{lang.pick(Text(" 通知原文提取时缺失的文字，待管理员据纸质原文补录", " text lost when the notice was extracted, to be filled in from the printed notice"))}
            </p>
        </section>
        <div class="table-scroll">
            <table class="catalog-table">
                <thead>
                    <tr>
                        <th rowspan="2" scope="col">{lang.pick(Text("序号", "No."))}</th>
                        <th colspan="2" scope="colgroup">{lang.pick(Text("公开事项", "Item"))}</th>
                        <th rowspan="2" scope="col">{lang.pick(Text("公开内容（要素）", "Content (elements)"))}</th>
                        <th rowspan="2" scope="col">{lang.pick(Text("公开依据", "Basis"))}</th>
                        <th rowspan="2" scope="col">{lang.pick(Text("公开时限", "Time limit"))}</th>
                        <th rowspan="2" scope="col">{lang.pick(Text("公开主体", "Publisher"))}</th>
                        <th rowspan="2" scope="col">{lang.pick(Text("公开渠道和载体", "Channels"))}</th>
                        <th colspan="2" scope="colgroup">{lang.pick(Text("公开对象", "Audience"))}</th>
                        <th colspan="2" scope="colgroup">{lang.pick(Text("公开方式", "Mode"))}</th>
                        <th rowspan="2" scope="col">{lang.pick(Text("有关说明", "Notes"))}</th>
                    </tr>
                    <tr>
                        <th scope="col">{lang.pick(Text("一级事项", "First level"))}</th>
                        <th scope="col">{lang.pick(Text("二级事项", "Second level"))}</th>
                        <th scope="col">{lang.pick(Text("全社会", "Public"))}</th>
                        <th scope="col">{lang.pick(Text("特定群体", "Specific groups"))}</th>
                        <th scope="col">{lang.pick(Text("主动", "Proactive"))}</th>
                        <th scope="col">{lang.pick(Text("依申请", "On request"))}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <section class="card remarks">
            <h2 id="bases">{lang.pick(Text("备注1　公开依据", "Remark 1 — legal bases"))}</h2>
            <ol class="bases">
                {catalog.bases.iter().map(|b| view! {
                    <li id=format!("basis-{}", b.number)><span class="basis-symbol">{b.symbol.clone()}</span>{b.title.clone()}</li>
                }).collect_view()}
            </ol>
            {catalog.remarks.iter().map(|r| view! {
                <p><strong>{r.label.clone()}</strong>"　"{r.text.clone()}</p>
            }).collect_view()}
        </section>
    }
}

/// The elements of an item as a numbered list (or one sentence).
#[component]
fn Elements(item: Item) -> impl IntoView {
    let lang = use_lang();
    let rule_per_element = item.has_element_rules();
    if item.elements.len() == 1 && !rule_per_element {
        let text = item.elements[0].text.clone();
        return view! { <GapText text=text/> }.into_any();
    }
    view! {
        <ol class="elements">
            {item.elements.iter().map(|e| {
                let own_rule = e.time_limit_text.clone();
                view! {
                    <li value=e.ordinal>
                        <GapText text=e.text.clone()/>
                        {own_rule.map(|t| view! { <span class="element-rule">{lang.pick(Text("时限：", "Limit: "))}{t}</span> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// Text that may carry a visible gap where extraction lost words.
#[component]
fn GapText(text: MaybeGapText) -> impl IntoView {
    let lang = use_lang();
    let marker = move |explanation: String| {
        view! { <span class="gap" title=explanation>{lang.pick(Text("〔原文缺失〕", "[text lost]"))}</span> }
    };
    match text.gap {
        None => view! { <span>{text.text}</span> }.into_any(),
        Some(gap) => {
            let (before, after) = match gap.position {
                GapPosition::Start => (true, false),
                GapPosition::End => (false, true),
                GapPosition::Both => (true, true),
                GapPosition::Whole => (true, false),
            };
            view! {
                <span class="with-gap">
                    {before.then(|| marker(gap.explanation.clone()))}
                    {text.text}
                    {after.then(|| marker(gap.explanation.clone()))}
                </span>
            }
            .into_any()
        }
    }
}

#[component]
fn TimeLimit(item: Item) -> impl IntoView {
    let lang = use_lang();
    let words: Vec<String> = if item.has_element_rules() {
        item.elements
            .iter()
            .map(|e| format!("{}. {}", e.ordinal, rule_words(item.rule_for_element(e.ordinal), lang)))
            .collect()
    } else {
        vec![rule_words(&item.time_limit, lang)]
    };
    let computable = if item.has_element_rules() {
        item.elements.iter().all(|e| item.rule_for_element(e.ordinal).is_computable())
    } else {
        item.time_limit.is_computable()
    };
    view! {
        <div class="time-limit">
            <span class="printed">{item.time_limit_text.clone()}</span>
            {words.into_iter().map(|w| view! { <span class="rule" class:rule--open=!computable>{w}</span> }).collect_view()}
        </div>
    }
}

/// A time-limit rule in words.
pub fn rule_words(rule: &TimeLimitRule, lang: Lang) -> String {
    match (rule, lang) {
        (TimeLimitRule::WorkingDaysAfterChange { days }, Lang::Zh) => {
            format!("形成或变更后{days}个工作日内（当日不计）")
        }
        (TimeLimitRule::WorkingDaysAfterChange { days }, Lang::En) => {
            format!("within {days} working days of creation or change")
        }
        (TimeLimitRule::CalendarDaysAfterApproval { days }, Lang::Zh) => format!("批复后{days}日内（自然日）"),
        (TimeLimitRule::CalendarDaysAfterApproval { days }, Lang::En) => {
            format!("within {days} calendar days of approval")
        }
        (TimeLimitRule::AnnualBy { month, day }, Lang::Zh) => format!("每年{month}月{day}日前公开上一年度"),
        (TimeLimitRule::AnnualBy { month, day }, Lang::En) => {
            let date = chrono::NaiveDate::from_ymd_opt(2001, *month, *day)
                .map(|d| d.format("%-d %B").to_string())
                .unwrap_or_default();
            format!("each year by {date}, for the previous year")
        }
        (TimeLimitRule::AsNeeded { action }, Lang::Zh) => match action {
            AsNeededAction::Update => "及时更新，无固定期限".into(),
            AsNeededAction::Publish => "及时发布，无固定期限".into(),
        },
        (TimeLimitRule::AsNeeded { action }, Lang::En) => match action {
            AsNeededAction::Update => "update promptly; no fixed deadline".into(),
            AsNeededAction::Publish => "publish promptly; no fixed deadline".into(),
        },
        (TimeLimitRule::ExternalRule { .. }, Lang::Zh) => "期限由相关规定确定，系统不计算".into(),
        (TimeLimitRule::ExternalRule { .. }, Lang::En) => "deadline set by another rule; not computed".into(),
    }
}

fn subject_view(item: &Item, lang: Lang) -> AnyView {
    let names = |levels: &[SubjectLevel]| {
        levels
            .iter()
            .map(|l| match lang {
                Lang::Zh => l.name_zh(),
                Lang::En => l.name_en(),
            })
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "、" } else { ", " })
    };
    if item.subjects.iter().any(|s| s.element.is_some()) {
        view! {
            <ol class="elements">
                {item.subjects.iter().map(|s| view! { <li value=s.element.unwrap_or(0)>{names(&s.levels)}</li> }).collect_view()}
            </ol>
        }
        .into_any()
    } else {
        let text = item.subjects.iter().map(|s| names(&s.levels)).collect::<Vec<_>>().join("；");
        view! { <span>{text}</span> }.into_any()
    }
}

#[component]
fn Channels(item: Item) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ul class="channel-list">
            {ChannelCode::ALL.iter().map(|code| {
                let option = item.channel(*code).cloned();
                let recommended = option.as_ref().is_some_and(|o| o.recommended);
                let name = match lang {
                    Lang::Zh => option.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| code.name_zh().to_string()),
                    Lang::En => code.name_en().to_string(),
                };
                let detail = option.and_then(|o| o.detail);
                view! {
                    <li class:on=recommended data-channel=code.letter().to_string()>
                        <span class="mark" aria-hidden="true">{if recommended { "■" } else { "□" }}</span>
                        <span class="sr-only">{if recommended { lang.pick(Text("推荐：", "recommended: ")) } else { "" }}</span>
                        {name}
                        {detail.map(|d| format!("：{d}"))}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
