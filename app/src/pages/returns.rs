//! The returns pages (填报): `/returns` (templates, uploads, the verification queue, the returns in scope),
//! `/returns/{id}` (preview and confirmation of a draft, content, decisions) and `/returns/uploads/{key}` (what
//! became of each file of an upload). Every form is a plain HTML form, so the pages work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::returns::{
    get_return, get_returns_page, get_upload_report, ReturnDetailView, ReturnRowView, ReturnsPageView, UploadReportView,
};
use crate::i18n::{use_lang, Lang, Text};

/// A return's change list longer than this is folded (`<details>`), so the decisions and items stay in reach.
const FOLD_CHANGES_OVER: usize = 12;

/// The message of a status code of the returns forms (`?status=…`).
pub fn return_status_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "submitted" => "填报已提交，等待直属海关审核。",
        "accepted" => "已审核通过。",
        "returned" => "已退回修改，填报单位将看到退回原因。",
        "discarded" => "已放弃该草稿，未保存任何内容。",
        "confirmed" => "已确认提交本批次的填报。",
        _ => return None,
    })
}

/// The message of an error code of the returns forms (`?error=…`).
pub fn return_error_message(code: &str) -> &'static str {
    match code {
        "no_file" => "请选择要上传的文件",
        "upload_broken" => "上传未完成或表单格式有误，请重新选择文件上传",
        "office" => "机构代码格式有误",
        "period" => "报送期间格式有误，例如 2022Q3 或 2022年第三季度",
        "too_many_files" => "一次上传的文件过多（压缩包内的文件逐个计算），请分批上传",
        "upload_slow" => "上传超时：文件须在 60 秒内传完，且传输中途停顿不超过 10 秒。请检查网络后重新上传，或分批上传",
        "upload_too_large" => "一次上传的内容超过 100 MB，请分批上传",
        "unpacked_too_large" => "本次上传的文件解压后超过 100 MB，请分批上传",
        "zip_size_lie" => "压缩包中有文件解压后超过其声明的大小，疑似伪造的压缩包，已拒绝。请重新打包后上传",
        "not_found" => "填报或机构不存在",
        "forbidden" => "当前角色无权执行此操作",
        "state" => "该填报的状态已改变，不能执行此操作，请刷新页面",
        "reasons" => "退回修改时必须至少填写一条原因（可针对具体事项、基本要求或整体）",
        "decision" => "请选择“审核通过”或“退回修改”",
        "reason_too_long" => "每条退回原因不能超过 500 个字符，请精简后重新提交",
        "comment_too_long" => "审核意见不能超过 2000 个字符，请精简后重新提交",
        "reason_unknown" => "退回原因只能针对本填报中的事项和基本要求",
        "reason_twice" => "同一事项、同一基本要求或整体只能填写一条退回原因",
        "duplicate" => "相同内容已提交过，未重复保存",
        _ => "操作暂时无法完成，请稍后再试",
    }
}

fn query(name: &'static str) -> Option<String> {
    use_query_map().with_untracked(|m| m.get(name)).filter(|v| !v.is_empty())
}

/// The message of `?status=…` and `?error=…` after a returns form.
#[component]
pub(crate) fn Outcome() -> impl IntoView {
    let status = query("status").and_then(|c| return_status_message(&c));
    let counts =
        query("done").map(|done| format!("成功 {done} 份，未成功 {} 份。", query("failed").unwrap_or_default()));
    let error = query("error").map(|c| return_error_message(&c));
    view! {
        {status.map(|m| view! { <p class="notice-box" role="status">{m}" "{counts}</p> })}
        {error.map(|m| view! { <p class="error-box form-error" role="alert">{m}</p> })}
    }
}

/// `/returns`.
#[component]
pub fn ReturnsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let status = move || query.read().get("status_filter");
    let page = crate::components::hydration::resource(status, get_returns_page);
    view! {
        <Title text=lang.pick(Text("填报与审核", "Returns"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <ReturnsPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's lead: a filer of one office is told to file its own return; a direct customs or HQ, which may see and
/// verify the returns of many offices, what it can do with them.
fn lead_text(single_office: bool, can_upload: bool) -> Text {
    if !can_upload {
        Text("查看所辖隶属海关的填报及审核情况。", "The returns of the offices you oversee and their verification.")
    } else if single_office {
        Text(
            "下载本单位的填报模板，按《海关领域基层政务公开标准指引》填写后上传；系统逐格检查并先显示预览，确认后才提交直属海关审核。",
            "Download the template, fill it in, upload it: every cell is checked and a preview is shown; nothing is submitted until you confirm.",
        )
    } else {
        Text(
            "查看所辖隶属海关的填报及审核情况；需要时可选择隶属海关下载填报模板，代为上传或批量导入。",
            "The returns of the offices you oversee and their verification; you can also download an office's template and upload or import returns for it.",
        )
    }
}

#[component]
fn ReturnsPane(view: ReturnsPageView) -> impl IntoView {
    let lang = use_lang();
    let csrf = view.csrf_token.clone();
    let single_office = (view.offices.len() == 1).then(|| view.offices[0].clone());
    view! {
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("隶属海关填报 · 直属海关审核", "Office returns · verification"))}</p>
            <h1>{lang.pick(Text("填报与审核", "Returns"))}</h1>
            <p class="lead">{lang.pick(lead_text(single_office.is_some(), view.can_upload))}</p>
        </section>
        <Outcome/>
        {view.can_upload.then(|| view! {
            <section class="card todo-card">
                <h2>{lang.pick(Text("待办", "To do"))}" "<span class="count">{view.todo.len()}</span></h2>
                {if view.todo.is_empty() {
                    view! { <p class="muted todo-empty">{lang.pick(Text("目前没有待办事项。", "Nothing to do."))}</p> }.into_any()
                } else {
                    view! {
                        <ul class="todo-list">
                            {view.todo.iter().map(|t| view! {
                                <li class=format!("todo todo--{}", t.kind)>
                                    <a href=t.href.clone()>{t.text.clone()}</a>
                                    {t.form_href.clone().map(|href| view! {
                                        " · "<a class="todo-form-link" href=href>{lang.pick(Text("在线填报", "Fill in online"))}</a>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        })}
        {(!view.queue.is_empty()).then(|| view! {
            <section class="card returns-queue">
                <h2>{lang.pick(Text("待审核", "Waiting for verification"))}" "<span class="count">{view.queue.len()}</span></h2>
                <ReturnsTable rows=view.queue.clone()/>
            </section>
        })}
        {(view.can_verify && view.queue.is_empty()).then(|| view! {
            <p class="notice-box">{lang.pick(Text("目前没有待审核的填报。", "No return is waiting for verification."))}</p>
        })}
        <div class="returns-forms">
            <section class="card">
                <h2>{lang.pick(Text("下载填报模板", "Download a template"))}</h2>
                <form method="get" action="/returns/template.xlsx" class="admin-form template-form">
                    <OfficeField offices=view.offices.clone() single=single_office.clone()/>
                    <PeriodField periods=view.periods.clone()/>
                    <button type="submit">{lang.pick(Text("下载模板（Excel）", "Download (Excel)"))}</button>
                </form>
                {view.can_upload.then(|| view! {
                    <p class="muted form-alternative">
                        {lang.pick(Text("不用 Excel？也可以", "No Excel? You can also "))}
                        <a href="/returns/form" class="online-form-link">{lang.pick(Text("在线填报", "fill in the return online"))}</a>
                        {lang.pick(Text("，检查规则与上传完全相同。", ", with exactly the same checks."))}
                    </p>
                })}
            </section>
            {view.can_upload.then(|| view! {
                <section class="card" id="upload">
                    <h2>{lang.pick(Text("上传填报表", "Upload returns"))}</h2>
                    <form method="post" action="/returns/upload" enctype="multipart/form-data" class="admin-form upload-form">
                        <input type="hidden" name="csrf_token" value=csrf.clone()/>
                        <label>
                            <span>{lang.pick(Text("文件（可多选，或上传 .zip 压缩包）", "Files (several, or a .zip)"))}</span>
                            <input type="file" name="file" multiple=true required=true
                                accept=".xlsx,.xlsm,.xls,.ods,.zip"/>
                        </label>
                        <p class="muted">
                            {lang.pick(Text(
                                "支持 .xlsx、.xlsm、.xls、.ods（Excel、WPS、LibreOffice 均可），单个文件不超过 20 MB。上传后先显示检查结果和预览，确认后才提交。",
                                "Accepts .xlsx, .xlsm, .xls, .ods (Excel, WPS, LibreOffice), up to 20 MB each. You see the check and a preview first.",
                            ))}
                        </p>
                        <button type="submit">{lang.pick(Text("上传并检查", "Upload and check"))}</button>
                    </form>
                </section>
            })}
        </div>
        <section class="card">
            <h2>
                {lang.pick(Text("填报记录", "Returns"))}" "
                <span class="count">{view.total}</span>
            </h2>
            <form method="get" action="/returns" class="filter-form">
                <label>
                    <span>{lang.pick(Text("状态", "Status"))}</span>
                    <select name="status_filter">
                        <option value="">{lang.pick(Text("全部（不含草稿）", "All (no drafts)"))}</option>
                        {[("submitted", "待审核"), ("accepted", "已通过"), ("returned", "已退回"), ("superseded", "已被替代")]
                            .into_iter()
                            .map(|(key, name)| view! { <option value=key>{name}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit">{lang.pick(Text("筛选", "Filter"))}</button>
            </form>
            {if view.returns.is_empty() {
                view! { <p class="muted">{lang.pick(Text("还没有填报记录。", "No returns yet."))}</p> }.into_any()
            } else {
                view! { <ReturnsTable rows=view.returns.clone()/> }.into_any()
            }}
        </section>
    }
}

#[component]
fn OfficeField(
    offices: Vec<crate::functions::returns::OfficeOption>,
    single: Option<crate::functions::returns::OfficeOption>,
) -> impl IntoView {
    let lang = use_lang();
    match single {
        Some(office) => view! {
            <input type="hidden" name="office" value=office.code.clone()/>
            <p class="form-fixed">{lang.pick(Text("填报单位：", "Office: "))}{office.name}" "<code>{office.code}</code></p>
        }
        .into_any(),
        None => view! {
            <label>
                <span>{lang.pick(Text("填报单位", "Office"))}</span>
                <select name="office" required=true>
                    {offices
                        .into_iter()
                        .map(|o| view! { <option value=o.code.clone()>{format!("{} {}", o.code, o.name)}</option> })
                        .collect_view()}
                </select>
            </label>
        }
        .into_any(),
    }
}

#[component]
fn PeriodField(periods: Vec<crate::functions::returns::PeriodOption>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <label>
            <span>{lang.pick(Text("报送期间", "Period"))}</span>
            <select name="period" required=true>
                {periods.into_iter().map(|p| view! { <option value=p.code>{p.name}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn ReturnsTable(rows: Vec<ReturnRowView>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="data-table returns-table">
            <thead>
                <tr>
                    <th>{lang.pick(Text("编号", "No."))}</th>
                    <th>{lang.pick(Text("填报单位", "Office"))}</th>
                    <th>{lang.pick(Text("报送期间", "Period"))}</th>
                    <th>{lang.pick(Text("状态", "Status"))}</th>
                    <th>{lang.pick(Text("提交时间", "Submitted"))}</th>
                    <th>{lang.pick(Text("通过日期", "Accepted on"))}</th>
                    <th>{lang.pick(Text("文件", "File"))}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|r| {
                        view! {
                            <tr class="return-row" data-status=r.status.clone()>
                                <td><a href=format!("/returns/{}", r.id)>{format!("第{}号", r.id)}</a></td>
                                <td>{r.office_name}" "<code>{r.office}</code></td>
                                <td>{r.period_name}</td>
                                <td><span class=format!("status status--{}", r.status)>{r.status_name}</span></td>
                                <td>{r.submitted_at.unwrap_or_default()}</td>
                                <td>{r.accepted_on.unwrap_or_default()}</td>
                                <td class="muted">{r.source_name.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `/returns/{id}`.
#[component]
pub fn ReturnPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0);
    let detail = crate::components::hydration::resource(id, get_return);
    view! {
        <Title text=lang.pick(Text("填报详情", "Return"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(view) => view! { <ReturnPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReturnPane(view: ReturnDetailView) -> impl IntoView {
    let lang = use_lang();
    let row = view.row.clone();
    let id = row.id;
    let csrf = view.csrf_token.clone();
    let is_draft = row.status == "draft";
    view! {
        <section class="page-head">
            <p class="eyebrow"><a href="/returns">{lang.pick(Text("填报与审核", "Returns"))}</a>" › "{format!("第{id}号")}</p>
            <h1>{format!("{} · {}", row.office_name, row.period_name)}</h1>
            <p class="lead">
                <span class=format!("status status--{}", row.status)>{row.status_name.clone()}</span>
                " "{row.submitted_at.clone().map(|t| format!("提交于 {t}"))}
                " "{row.accepted_on.clone().map(|d| format!("· {d}审核通过"))}
                " "{view.supersedes.map(|s| view! { <span>"· 替代 "<a href=format!("/returns/{s}")>{format!("第{s}号")}</a></span> })}
            </p>
        </section>
        <Outcome/>
        {is_draft.then(|| view! {
            <section class="card preview-card">
                <h2>{lang.pick(Text("预览：确认后才提交", "Preview: nothing is submitted until you confirm"))}</h2>
                <p>
                    {lang.pick(Text("文件已通过检查。以下是将要记录的内容", "The file passed the checks. Below is what would be recorded"))}
                    {match view.previous_accepted {
                        Some(prev) => view! {
                            <span>"，以及与此前最近一份已通过的填报（"<a href=format!("/returns/{prev}")>{format!("第{prev}号")}</a>"）相比的变化。"</span>
                        }.into_any(),
                        None => view! { <span>"。此前没有可比较的已通过填报。"</span> }.into_any(),
                    }}
                </p>
                {view.can_submit.then(|| view! {
                    <div class="preview-actions">
                        <form method="post" action=format!("/returns/{id}/confirm") class="inline-form">
                            <input type="hidden" name="csrf_token" value=csrf.clone()/>
                            <button type="submit" class="primary confirm-button">{lang.pick(Text("确认提交", "Confirm and submit"))}</button>
                        </form>
                        <form method="post" action=format!("/returns/{id}/discard") class="inline-form">
                            <input type="hidden" name="csrf_token" value=csrf.clone()/>
                            <button type="submit" class="link-button">{lang.pick(Text("放弃，不提交", "Discard"))}</button>
                        </form>
                    </div>
                })}
            </section>
        })}
        {(!view.warnings.is_empty()).then(|| view! {
            <section class="card warnings-card">
                <h2>{lang.pick(Text("提示（不影响提交）", "Warnings (do not block submission)"))}" "<span class="count">{view.warnings.len()}</span></h2>
                <ul class="problem-list problem-list--warning">
                    {view.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                </ul>
            </section>
        })}
        {(!view.verifications.is_empty()).then(|| view! {
            <section class="card verifications-card">
                <h2>{lang.pick(Text("审核记录", "Decisions"))}</h2>
                <ol class="verification-list">
                    {view.verifications.iter().map(|v| view! {
                        <li class=if v.accepted { "verification verification--accepted" } else { "verification verification--returned" }>
                            <strong>{if v.accepted { "审核通过" } else { "退回修改" }}</strong>
                            " · "{v.decided_at.clone()}" · "{v.decided_by.clone().unwrap_or_default()}
                            {(!v.comment.is_empty()).then(|| view! { <p>{v.comment.clone()}</p> })}
                            {(!v.reasons.is_empty()).then(|| view! {
                                <ul class="reason-list">{v.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
                            })}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        })}
        {view.previous_accepted.map(|prev| {
            let period = view.previous_period_name.clone().unwrap_or_default();
            let count = view.changes.len();
            let list = view! { <ul class="change-list">{view.changes.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul> };
            view! {
                <section class="card changes-card">
                    <h2>
                        {match lang {
                            Lang::Zh => view! { <span>"与此前最近一份已通过的填报（"<a href=format!("/returns/{prev}")>{format!("第{prev}号")}</a>{format!("，{period}）相比的变化")}</span> }.into_any(),
                            Lang::En => view! { <span>"Changes since the accepted return before this one ("<a href=format!("/returns/{prev}")>{format!("No. {prev}")}</a>{format!(", {period})")}</span> }.into_any(),
                        }}
                        " "<span class="count">{count}</span>
                    </h2>
                    {if count == 0 {
                        view! { <p class="muted">{lang.pick(Text("内容没有变化。", "No change."))}</p> }.into_any()
                    } else if count > FOLD_CHANGES_OVER {
                        // A long list folds so that the decisions and the items stay in reach.
                        view! {
                            <details class="change-fold">
                                <summary>{match lang { Lang::Zh => format!("共{count}处变化，展开查看"), Lang::En => format!("{count} changes: show") }}</summary>
                                {list}
                            </details>
                        }.into_any()
                    } else {
                        list.into_any()
                    }}
                </section>
            }
        })}
        {view.can_verify.then(|| view! { <DecisionForm view=view.clone()/> })}
        <section class="card">
            <h2>{lang.pick(Text("公开事项", "Catalog items"))}</h2>
            <table class="data-table return-items">
                <thead>
                    <tr>
                        <th>{lang.pick(Text("事项", "Item"))}</th>
                        <th>{lang.pick(Text("二级事项", "Item"))}</th>
                        <th>{lang.pick(Text("是否公开", "Disclosed"))}</th>
                        <th>{lang.pick(Text("公开渠道", "Channels"))}</th>
                        <th>{lang.pick(Text("信息形成或变更日期", "Formed on"))}</th>
                        <th>{lang.pick(Text("公开日期", "Published on"))}</th>
                        <th>{lang.pick(Text("公开位置或网址 · 备注", "Where · note"))}</th>
                    </tr>
                </thead>
                <tbody>
                    {view.items.iter().map(|i| view! {
                        <tr class:has-reason=!i.reasons.is_empty()>
                            <td>{match i.element { Some(e) => format!("{}-{e}", i.item), None => i.item.to_string() }}</td>
                            <td>{i.title.clone()}
                                {(!i.reasons.is_empty()).then(|| view! {
                                    <ul class="reason-list">{i.reasons.iter().map(|r| view! { <li>{format!("退回原因：{r}")}</li> }).collect_view()}</ul>
                                })}
                            </td>
                            <td class=format!("answer answer--{}", i.disclosed)>{i.disclosed.clone()}</td>
                            <td>{i.channels.clone()}</td>
                            <td>{i.formed_on.clone().unwrap_or_default()}</td>
                            <td>{i.published_on.clone().unwrap_or_default()}</td>
                            <td class="muted">{i.location.clone().unwrap_or_default()}" "{i.note.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>{lang.pick(Text("基本要求", "Requirements of the guide"))}</h2>
            <table class="data-table return-requirements">
                <thead>
                    <tr>
                        <th>{lang.pick(Text("要求", "Requirement"))}</th>
                        <th>{lang.pick(Text("是否落实", "Met"))}</th>
                        <th>{lang.pick(Text("数量", "Count"))}</th>
                        <th>{lang.pick(Text("佐证说明", "Evidence"))}</th>
                    </tr>
                </thead>
                <tbody>
                    {view.requirements.iter().map(|r| view! {
                        <tr>
                            <td>{r.title.clone()}
                                {(!r.reasons.is_empty()).then(|| view! {
                                    <ul class="reason-list">{r.reasons.iter().map(|x| view! { <li>{format!("退回原因：{x}")}</li> }).collect_view()}</ul>
                                })}
                            </td>
                            <td class=format!("answer answer--{}", r.fulfilled)>{r.fulfilled.clone()}</td>
                            <td>{r.count.map(|c| c.to_string()).unwrap_or_default()}</td>
                            <td class="muted">{r.evidence.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">
                {format!("目录版本 {} · 模板版本 {}", view.catalog_code, view.template_version.clone().unwrap_or_else(|| "—".into()))}
                {view.has_file.then(|| view! {
                    " · "<a href=format!("/returns/{id}/file") rel="external">{lang.pick(Text("下载填报表（Excel）", "Download the return (Excel)"))}</a>
                })}
            </p>
        </section>
    }
}

/// The direct customs' decision: accept, or return with a reason per item, requirement or for the whole return.
#[component]
fn DecisionForm(view: ReturnDetailView) -> impl IntoView {
    let lang = use_lang();
    let id = view.row.id;
    view! {
        <section class="card decision-card">
            <h2>{lang.pick(Text("审核", "Verify"))}</h2>
            <form method="post" action=format!("/returns/{id}/decision") class="admin-form decision-form">
                <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
                <fieldset class="decision-choice">
                    <legend>{lang.pick(Text("审核结论", "Decision"))}</legend>
                    <label><input type="radio" name="decision" value="accept" required=true/>" "{lang.pick(Text("审核通过", "Accept"))}</label>
                    <label><input type="radio" name="decision" value="return"/>" "{lang.pick(Text("退回修改（须填写原因）", "Return (reasons required)"))}</label>
                </fieldset>
                <label>
                    <span>{lang.pick(Text("审核意见（可选）", "Comment (optional)"))}</span>
                    <textarea name="comment" rows="2" maxlength="2000"></textarea>
                </label>
                <details class="reasons" open=true>
                    <summary>{lang.pick(Text("退回原因（逐项填写，留空表示该项无问题）", "Reasons, per item (leave empty where fine)"))}</summary>
                    <label>
                        <span>{lang.pick(Text("整体", "Whole return"))}</span>
                        <input type="text" name="reason_general" maxlength="500"/>
                    </label>
                    {view.items.iter().filter(|i| i.element.is_none() || i.element == Some(1)).map(|i| view! {
                        <label>
                            <span>{format!("事项{} {}", i.item, i.title)}</span>
                            <input type="text" name=format!("reason_item_{}", i.item) maxlength="500"/>
                        </label>
                    }).collect_view()}
                    {view.requirements.iter().map(|r| view! {
                        <label>
                            <span>{r.title.clone()}</span>
                            <input type="text" name=format!("reason_req_{}", r.code) maxlength="500"/>
                        </label>
                    }).collect_view()}
                </details>
                <button type="submit" class="primary">{lang.pick(Text("提交审核结论", "Record the decision"))}</button>
            </form>
        </section>
    }
}

/// `/returns/uploads/{key}`.
#[component]
pub fn UploadReportPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let report = crate::components::hydration::resource(key, get_upload_report);
    view! {
        <Title text=lang.pick(Text("上传结果", "Upload result"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(view) => view! { <UploadReportPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UploadReportPane(view: UploadReportView) -> impl IntoView {
    let lang = use_lang();
    let good = view.files.iter().filter(|f| f.draft_id.is_some()).count();
    let bad = view.files.len() - good;
    view! {
        <section class="page-head">
            <p class="eyebrow"><a href="/returns">{lang.pick(Text("填报与审核", "Returns"))}</a>" › "{lang.pick(Text("上传结果", "Upload result"))}</p>
            <h1>{lang.pick(Text("上传结果", "Upload result"))}</h1>
            <p class="lead upload-summary">
                {format!("共 {} 个文件：{good} 个通过检查，待确认提交；{bad} 个未保存。", view.files.len())}
            </p>
        </section>
        {(good > 0).then(|| view! {
            <form method="post" action="/returns/confirm" class="inline-form confirm-all">
                <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
                <input type="hidden" name="ids" value=view.draft_ids.clone()/>
                <button type="submit" class="primary">{format!("确认提交通过检查的 {good} 份填报")}</button>
            </form>
        })}
        <table class="data-table upload-report">
            <thead>
                <tr>
                    <th>{lang.pick(Text("文件", "File"))}</th>
                    <th>{lang.pick(Text("结果", "Result"))}</th>
                    <th>{lang.pick(Text("问题（工作表!单元格）", "Problems (sheet!cell)"))}</th>
                </tr>
            </thead>
            <tbody>
                {view.files.into_iter().map(|f| {
                    let ok = f.draft_id.is_some();
                    view! {
                        <tr class=if ok { "upload-file upload-file--ok" } else { "upload-file upload-file--refused" }>
                            <td>{f.file_name.clone()}</td>
                            <td>
                                {match f.draft_id {
                                    Some(id) => view! {
                                        <span>"通过检查 · "{f.office.clone().unwrap_or_default()}" "{f.period.clone().unwrap_or_default()}" · "
                                            <a href=format!("/returns/{id}")>"预览并确认"</a></span>
                                    }.into_any(),
                                    None => view! { <strong class="refused">{f.refused.clone().unwrap_or_default()}</strong> }.into_any(),
                                }}
                            </td>
                            <td>
                                {(!f.errors.is_empty()).then(|| view! {
                                    <ul class="problem-list problem-list--error">{f.errors.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul>
                                })}
                                {(!f.warnings.is_empty()).then(|| view! {
                                    <ul class="problem-list problem-list--warning">{f.warnings.iter().map(|w| view! { <li>{format!("提示：{w}")}</li> }).collect_view()}</ul>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
