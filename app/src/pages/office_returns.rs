//! An office's returns over time on its page (`/offices/{code}`): each return sent (when, by whom), its status,
//! its verification history (accepted, or returned with a reason per item, by whom and when) and, for each accepted
//! return, what changed since the accepted return before it.

use leptos::prelude::*;

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::returns::{get_office_returns, OfficeReturnsView};
use crate::i18n::{use_lang, Lang, Text};

/// The section, loaded on its own so the rest of the office page does not wait for it.
#[component]
pub fn OfficeReturns(code: String) -> impl IntoView {
    let returns = crate::components::hydration::resource(move || code.clone(), get_office_returns);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match returns.await {
                    Ok(view) => view! { <OfficeReturnsPane view=view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OfficeReturnsPane(view: OfficeReturnsView) -> impl IntoView {
    let lang = use_lang();
    let count = view.returns.len();
    view! {
        <section class="card" id="returns-history">
            <h2>{match lang {
                Lang::Zh => format!("填报记录（{count}份）"),
                Lang::En => format!("Returns over time ({count})"),
            }}</h2>
            {if view.returns.is_empty() {
                view! { <p class="muted">{lang.pick(Text("尚未报送填报表。", "No return sent yet."))}</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <thead><tr>
                            <th scope="col">{lang.pick(Text("填报期", "Period"))}</th>
                            <th scope="col">{lang.pick(Text("状态", "Status"))}</th>
                            <th scope="col">{lang.pick(Text("报送时间", "Sent"))}</th>
                            <th scope="col">{lang.pick(Text("审核记录", "Verification"))}</th>
                            <th scope="col">{lang.pick(Text("审核通过日期", "Accepted on"))}</th>
                            <th scope="col">{lang.pick(Text("与上一份通过的填报相比", "Changes since the previous accepted return"))}</th>
                        </tr></thead>
                        <tbody>
                            {view.returns.into_iter().map(|r| {
                                let changes = match (&r.accepted_on, r.changes) {
                                    (None, _) => view! { <span class="muted">"—"</span> }.into_any(),
                                    (Some(_), None) => view! {
                                        <span class="muted">{lang.pick(Text("首份通过的填报", "first accepted return"))}</span>
                                    }.into_any(),
                                    (Some(_), Some(changes)) if changes.is_empty() => view! {
                                        <span class="muted">{lang.pick(Text("无变化", "no change"))}</span>
                                    }.into_any(),
                                    (Some(_), Some(changes)) => view! {
                                        <details>
                                            <summary>{match lang {
                                                Lang::Zh => format!("{}处变化", changes.len()),
                                                Lang::En => format!("{} changes", changes.len()),
                                            }}</summary>
                                            <ul class="change-list">
                                                {changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                                            </ul>
                                        </details>
                                    }.into_any(),
                                };
                                view! {
                                    <tr>
                                        <td><a href=format!("/returns/{}", r.id)>{r.period_name}</a></td>
                                        <td><span class=format!("status status--{}", r.status)>{r.status_name}</span></td>
                                        <td>
                                            {r.submitted_at.unwrap_or_else(|| "—".into())}
                                            {r.submitted_by.map(|by| view! { <div class="muted">{by}</div> })}
                                        </td>
                                        <td class="decisions">
                                            {if r.decisions.is_empty() {
                                                view! { <span class="muted">{lang.pick(Text("尚未审核", "not yet decided"))}</span> }.into_any()
                                            } else {
                                                view! {
                                                    <ul class="decision-list">
                                                        {r.decisions.into_iter().map(|d| view! {
                                                            <li class:decision--returned=!d.accepted>
                                                                <strong>{if d.accepted {
                                                                    lang.pick(Text("审核通过", "accepted"))
                                                                } else {
                                                                    lang.pick(Text("退回修改", "returned"))
                                                                }}</strong>
                                                                " "{d.at}
                                                                {d.by.map(|by| format!(" · {by}"))}
                                                                {(!d.comment.is_empty()).then(|| view! { <div>{d.comment}</div> })}
                                                                {(!d.reasons.is_empty()).then(|| view! {
                                                                    <ul>{d.reasons.into_iter().map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
                                                                })}
                                                            </li>
                                                        }).collect_view()}
                                                    </ul>
                                                }.into_any()
                                            }}
                                        </td>
                                        <td>{r.accepted_on.map(|d| lang.date(d)).unwrap_or_else(|| "—".into())}</td>
                                        <td>{changes}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
