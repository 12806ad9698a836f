//! Administration (HQ): the audit log, searched with a plain GET form (works without JavaScript), paged, and
//! exported to Excel by the server's `/admin/audit.xlsx`; users and API tokens (总署办公厅管理员 only), whose
//! forms post to the server's `/admin/users…` and `/admin/tokens…` handlers (Origin check and CSRF token, like
//! `/account/password`), which answer with a redirect back here carrying a status or error code.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::widgets::{ErrorBox, Loading};
use crate::functions::admin::{
    get_admin_tokens, get_admin_users, get_audit_log, AdminTokensView, AdminUsersView, AuditEntryView, AuditLogView,
    AuditQuery, TokenRowView, UserRowView,
};
use crate::i18n::{use_lang, Text};

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (
            q.get("actor"),
            q.get("office"),
            q.get("entity_type"),
            q.get("from"),
            q.get("to"),
            q.get("page").and_then(|p| p.parse::<i64>().ok()),
        )
    };
    let log = crate::components::hydration::resource(params, |(actor, office, entity_type, from, to, page)| {
        get_audit_log(actor, office, entity_type, from, to, page)
    });
    view! {
        <Title text=lang.pick(Text("审计日志", "Audit log"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(view) => view! { <AuditLogPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The search form: a plain GET form.
#[component]
fn AuditSearch(query: AuditQuery) -> impl IntoView {
    let lang = use_lang();
    view! {
        <form class="search-form" method="get" action="/admin/audit" role="search">
            <label>
                <span>{lang.pick(Text("操作人", "User"))}</span>
                <input type="search" name="actor" value=query.actor maxlength="64"/>
            </label>
            <label>
                <span>{lang.pick(Text("机构代码", "Office code"))}</span>
                <input type="search" name="office" value=query.office maxlength="10"/>
            </label>
            <label>
                <span>{lang.pick(Text("对象类型", "Entity type"))}</span>
                <select name="entity_type">
                    {[
                        ("", Text("全部", "All")),
                        ("user", Text("用户", "User")),
                        ("session", Text("会话", "Session")),
                        ("api_token", Text("接口令牌", "API token")),
                        ("office", Text("机构", "Office")),
                        ("office_import", Text("机构导入", "Office import")),
                        ("catalog", Text("标准目录", "Catalog")),
                        ("setting", Text("设置", "Setting")),
                    ]
                        .into_iter()
                        .map(|(key, label)| {
                            let selected = query.entity_type == key;
                            view! { <option value=key selected=selected>{lang.pick(label)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                <span>{lang.pick(Text("开始日期", "From"))}</span>
                <input type="date" name="from" value=query.from min="2000-01-01" max="2099-12-31"/>
            </label>
            <label>
                <span>{lang.pick(Text("结束日期", "To"))}</span>
                <input type="date" name="to" value=query.to min="2000-01-01" max="2099-12-31"/>
            </label>
            <button type="submit">{lang.pick(Text("查询", "Search"))}</button>
            <a class="button-link" href="/admin/audit">{lang.pick(Text("重置", "Reset"))}</a>
        </form>
    }
}

#[component]
fn AuditLogPane(view: AuditLogView) -> impl IntoView {
    let lang = use_lang();
    let qs = view.query.to_query_string();
    let export = format!("/admin/audit.xlsx?{qs}");
    let page_link = move |page: i64| format!("/admin/audit?{qs}&page={page}");
    let prev = (view.page > 1).then(|| page_link(view.page - 1));
    let next = (view.page < view.pages).then(|| page_link(view.page + 1));
    let total = view.total;
    let (page, pages) = (view.page, view.pages);
    view! {
        <AdminTabs current="/admin/audit"/>
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("系统管理", "Administration"))}</p>
            <h1>{lang.pick(Text("审计日志", "Audit log"))}</h1>
            <p class="lead">{lang.pick(Text(
                "每一次写入都记录操作人、时间、来源地址、对象及前后内容；日志只增不改。",
                "Every write records who, when, from where, what and before/after; the log is append-only.",
            ))}</p>
        </section>
        <AuditSearch query=view.query.clone()/>
        <p class="result-line">
            <span class="audit-total">{format!("共 {total} 条 · 第 {page}/{pages} 页")}</span>
            " "
            <a rel="external" class="button-link audit-export" href=export download>{lang.pick(Text("导出 Excel", "Export to Excel"))}</a>
        </p>
        <table class="audit-table">
            <thead>
                <tr>
                    <th>{lang.pick(Text("时间（北京时间）", "Time (Beijing)"))}</th>
                    <th>{lang.pick(Text("操作人", "User"))}</th>
                    <th>{lang.pick(Text("机构", "Office"))}</th>
                    <th>{lang.pick(Text("操作", "Action"))}</th>
                    <th>{lang.pick(Text("对象", "Entity"))}</th>
                    <th>{lang.pick(Text("摘要", "Summary"))}</th>
                    <th>{lang.pick(Text("变更前后", "Before / after"))}</th>
                </tr>
            </thead>
            <tbody>
                {view.entries.into_iter().map(|e| view! { <AuditRowView entry=e/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager">
            {prev.map(|href| view! { <a href=href rel="prev">{lang.pick(Text("上一页", "Previous"))}</a> })}
            " "
            {next.map(|href| view! { <a href=href rel="next">{lang.pick(Text("下一页", "Next"))}</a> })}
        </nav>
    }
}

#[component]
fn AuditRowView(entry: AuditEntryView) -> impl IntoView {
    let lang = use_lang();
    let entity = match &entry.entity_id {
        Some(id) => format!("{} {id}", entry.entity_type),
        None => entry.entity_type.clone(),
    };
    let changes = (entry.before.is_some() || entry.after.is_some()).then(|| {
        view! {
            <details>
                <summary>{lang.pick(Text("查看", "Show"))}</summary>
                <p>{lang.pick(Text("变更前：", "Before: "))}<code>{entry.before.clone().unwrap_or_else(|| "—".into())}</code></p>
                <p>{lang.pick(Text("变更后：", "After: "))}<code>{entry.after.clone().unwrap_or_else(|| "—".into())}</code></p>
            </details>
        }
    });
    view! {
        <tr class="audit-row" data-id=entry.id.to_string()>
            <td class="audit-at">{entry.at.clone()}</td>
            <td class="audit-actor">{entry.actor.clone()}</td>
            <td>{entry.office.clone().unwrap_or_default()}</td>
            <td>{entry.action.clone()}</td>
            <td>{entity}</td>
            <td class="audit-summary">{entry.summary.clone()}</td>
            <td>{changes}</td>
        </tr>
    }
}

/// The roles an account or a token can hold: (key, name).
const ROLES: [(&str, Text); 5] = [
    ("hq_admin", Text("总署办公厅管理员", "HQ administrator")),
    ("hq_viewer", Text("总署查看员", "HQ viewer")),
    ("district_admin", Text("直属海关管理员", "Direct customs administrator")),
    ("district_viewer", Text("直属海关查看员", "Direct customs viewer")),
    ("office_filer", Text("隶属海关填报员", "Subordinate office filer")),
];

/// The message for a status code of the administration forms (`?status=…`).
pub fn admin_status_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "用户已创建。",
        "disabled" => "用户已停用，其登录会话已全部结束。",
        "enabled" => "用户已启用。",
        "reset" => "密码已重置，该用户的登录会话已全部结束。",
        "revoked" => "接口令牌已吊销。",
        "granted" => "角色已授予。",
        "ungranted" => "角色已移除。",
        _ => return None,
    })
}

/// The message for an error code of the administration forms (`?error=…`).
pub fn admin_error_message(code: &str) -> &'static str {
    match code {
        "username" => "用户名不符合要求：长度3至32个字符，只能包含小写英文字母、数字和 . _ -，并以字母或数字开头",
        "display_name" => "显示名不符合要求：不能为空，不超过50个字符，不能包含控制字符",
        "policy" => "密码不符合要求：至少10个字符，不能与用户名相同，并混合使用大写字母、小写字母、数字和符号中的至少两类",
        "role" => "请选择有效的角色",
        "office" => "机构代码无效，或该机构今日不存在，或与角色不匹配（总署角色须绑定0000，直属海关角色须绑定直属海关，填报员须绑定隶属海关）",
        "exists" => "该用户名已存在",
        "unknown_user" => "用户不存在",
        "unchanged" => "用户已处于该状态",
        "self" => "不能停用自己的账户",
        "token_name" => "接口令牌名称不能为空，且不能超过50个字符",
        "unknown_token" => "接口令牌不存在或已吊销",
        "last_grant" => "不能移除账号的最后一个角色：请先授予新角色，或停用该账号",
        "own_admin" => "不能移除自己的总署办公厅管理员角色，以免无人能够管理系统",
        "grant_unchanged" => "该用户已持有该角色，或并未持有要移除的角色",
        _ => "操作暂时无法完成，请稍后再试",
    }
}

fn query(name: &'static str) -> Option<String> {
    let map = use_query_map();
    map.with_untracked(|m| m.get(name)).filter(|v| !v.is_empty())
}

/// The status line or error of the last form, from the query.
#[component]
fn FormOutcome() -> impl IntoView {
    let status = query("status").and_then(|c| admin_status_message(&c));
    let error = query("error").map(|c| admin_error_message(&c));
    view! {
        {status.map(|m| view! { <p class="notice-box" role="status">{m}</p> })}
        {error.map(|m| view! { <p class="error-box form-error" role="alert">{m}</p> })}
    }
}

/// The administration pages' tabs: the audit log for HQ roles, users and tokens for the HQ administrator.
#[component]
pub(crate) fn AdminTabs(current: &'static str) -> impl IntoView {
    let lang = use_lang();
    let info = crate::components::layout::use_session_info();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let admin = info
                    .await
                    .ok()
                    .and_then(|i| i.user)
                    .is_some_and(|u| u.roles.iter().any(|r| r.key == "hq_admin"));
                // Both HQ roles read the audit log and the assessment settings; users and tokens are the
                // administrator's.
                let tabs: Vec<(&'static str, Text)> = [
                    ("/admin/audit", Text("审计日志", "Audit log")),
                    ("/admin/users", Text("用户管理", "Users")),
                    ("/admin/tokens", Text("接口令牌", "API tokens")),
                    ("/admin/schemes", Text("评分方案", "Scoring schemes")),
                    ("/admin/calendar", Text("工作日历", "Working-day calendar")),
                ]
                .into_iter()
                .filter(|(href, _)| admin || !matches!(*href, "/admin/users" | "/admin/tokens"))
                .collect();
                view! {
                    <nav class="admin-tabs" aria-label=lang.pick(Text("系统管理", "Administration"))>
                        {tabs
                            .into_iter()
                            .map(|(href, label)| {
                                let here = href == current;
                                view! {
                                    <a href=href class:active=here aria-current=here.then_some("page")>{lang.pick(label)}</a>
                                    " "
                                }
                            })
                            .collect_view()}
                    </nav>
                }
            })}
        </Suspense>
    }
}

/// The role and office fields shared by the user and token forms.
#[component]
fn RoleOfficeFields() -> impl IntoView {
    let lang = use_lang();
    view! {
        <label>
            <span>{lang.pick(Text("角色", "Role"))}</span>
            <select name="role" required=true>
                {ROLES.iter().map(|(key, name)| view! { <option value=*key>{lang.pick(*name)}</option> }).collect_view()}
            </select>
        </label>
        <label>
            <span>{lang.pick(Text("机构代码", "Office code"))}</span>
            <input type="text" name="office" required=true maxlength="10" placeholder=lang.pick(Text("如：0000、0200、0201", "e.g. 0000, 0200, 0201"))/>
        </label>
    }
}

/// `/admin/users`: every account; create, disable/enable, reset a password (总署办公厅管理员 only).
#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let users = crate::components::hydration::resource(|| (), |_| get_admin_users());
    view! {
        <Title text=lang.pick(Text("用户管理", "Users"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(view) => view! { <UsersPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UsersPane(view: AdminUsersView) -> impl IntoView {
    let lang = use_lang();
    let csrf = view.csrf_token.clone();
    view! {
        <AdminTabs current="/admin/users"/>
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("系统管理", "Administration"))}</p>
            <h1>{lang.pick(Text("用户管理", "Users"))}</h1>
        </section>
        <FormOutcome/>
        <table class="data-table users-table">
            <thead>
                <tr>
                    <th>{lang.pick(Text("用户名", "User name"))}</th>
                    <th>{lang.pick(Text("显示名", "Display name"))}</th>
                    <th>{lang.pick(Text("角色 · 机构", "Roles · offices"))}</th>
                    <th>{lang.pick(Text("状态", "State"))}</th>
                    <th>{lang.pick(Text("创建时间", "Created"))}</th>
                    <th>{lang.pick(Text("操作", "Actions"))}</th>
                </tr>
            </thead>
            <tbody>
                {view.users.into_iter().map(|u| view! { <UserRow user=u csrf=csrf.clone()/> }).collect_view()}
            </tbody>
        </table>
        <section class="card">
            <h2>{lang.pick(Text("新建用户", "New user"))}</h2>
            <form class="auth-form admin-form" method="post" action="/admin/users">
                <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
                <label>
                    <span>{lang.pick(Text("用户名", "User name"))}</span>
                    <input type="text" name="username" required=true maxlength="32" autocomplete="off"/>
                </label>
                <label>
                    <span>{lang.pick(Text("显示名", "Display name"))}</span>
                    <input type="text" name="display_name" required=true maxlength="50"/>
                </label>
                <label>
                    <span>{lang.pick(Text("初始密码", "Initial password"))}</span>
                    <input type="password" name="password" required=true autocomplete="new-password"/>
                </label>
                <RoleOfficeFields/>
                <button type="submit">{lang.pick(Text("创建用户", "Create user"))}</button>
            </form>
        </section>
    }
}

#[component]
fn UserRow(user: UserRowView, csrf: String) -> impl IntoView {
    let lang = use_lang();
    let toggle = if user.disabled { "enable" } else { "disable" };
    let toggle_label = if user.disabled { Text("启用", "Enable") } else { Text("停用", "Disable") };
    let state = if user.disabled { Text("已停用", "Disabled") } else { Text("正常", "Active") };
    view! {
        <tr class="user-row" data-username=user.username.clone()>
            <td><code>{user.username.clone()}</code></td>
            <td>{user.display_name.clone()}</td>
            <td class="user-grants">
                <ul class="grant-list">
                    {user
                        .grants
                        .iter()
                        .map(|g| {
                            view! {
                                <li>
                                    <span class="grant-label">{g.label.clone()}</span>
                                    " "
                                    <form method="post" action=format!("/admin/users/{}/grants", user.id) class="inline-form">
                                        <input type="hidden" name="csrf_token" value=csrf.clone()/>
                                        <input type="hidden" name="change" value="remove"/>
                                        <input type="hidden" name="role" value=g.role.clone()/>
                                        <input type="hidden" name="office" value=g.office.clone()/>
                                        <button type="submit" class="link-button"
                                            aria-label=format!("{} {}", lang.pick(Text("移除角色", "Remove role")), g.label)>
                                            {lang.pick(Text("移除", "Remove"))}
                                        </button>
                                    </form>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <details class="grant-add">
                    <summary>{lang.pick(Text("授予角色", "Grant a role"))}</summary>
                    <form method="post" action=format!("/admin/users/{}/grants", user.id) class="admin-form">
                        <input type="hidden" name="csrf_token" value=csrf.clone()/>
                        <input type="hidden" name="change" value="add"/>
                        <RoleOfficeFields/>
                        <button type="submit">{lang.pick(Text("授予", "Grant"))}</button>
                    </form>
                </details>
            </td>
            <td class="user-state">{lang.pick(state)}</td>
            <td>{user.created_at.clone()}</td>
            <td>
                <form method="post" action=format!("/admin/users/{}/{toggle}", user.id) class="inline-form">
                    <input type="hidden" name="csrf_token" value=csrf.clone()/>
                    <button type="submit">{lang.pick(toggle_label)}</button>
                </form>
                <form method="post" action=format!("/admin/users/{}/password", user.id) class="inline-form">
                    <input type="hidden" name="csrf_token" value=csrf/>
                    <input type="password" name="new_password" required=true autocomplete="new-password"
                        aria-label=lang.pick(Text("新密码", "New password")) placeholder=lang.pick(Text("新密码", "New password"))/>
                    <button type="submit">{lang.pick(Text("重置密码", "Reset password"))}</button>
                </form>
            </td>
        </tr>
    }
}

/// `/admin/tokens`: every API token; create (shown once), revoke (总署办公厅管理员 only).
#[component]
pub fn TokensPage() -> impl IntoView {
    let lang = use_lang();
    let tokens = crate::components::hydration::resource(|| (), |_| get_admin_tokens());
    view! {
        <Title text=lang.pick(Text("接口令牌", "API tokens"))/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(view) => view! { <TokensPane view/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokensPane(view: AdminTokensView) -> impl IntoView {
    let lang = use_lang();
    let csrf = view.csrf_token.clone();
    view! {
        <AdminTabs current="/admin/tokens"/>
        <section class="page-head">
            <p class="eyebrow">{lang.pick(Text("系统管理", "Administration"))}</p>
            <h1>{lang.pick(Text("接口令牌", "API tokens"))}</h1>
            <p class="lead">{lang.pick(Text(
                "供总署其他系统调用接口使用，以 Authorization: Bearer 发送；令牌只在创建时显示一次，库中仅存摘要。",
                "For HQ's other systems, sent as Authorization: Bearer; a token is shown once when created and stored only as a digest.",
            ))}</p>
        </section>
        <FormOutcome/>
        <table class="data-table tokens-table">
            <thead>
                <tr>
                    <th>{lang.pick(Text("名称", "Name"))}</th>
                    <th>{lang.pick(Text("前缀", "Prefix"))}</th>
                    <th>{lang.pick(Text("角色", "Role"))}</th>
                    <th>{lang.pick(Text("机构", "Office"))}</th>
                    <th>{lang.pick(Text("创建时间", "Created"))}</th>
                    <th>{lang.pick(Text("吊销时间", "Revoked"))}</th>
                    <th>{lang.pick(Text("最近使用", "Last used"))}</th>
                    <th>{lang.pick(Text("操作", "Actions"))}</th>
                </tr>
            </thead>
            <tbody>
                {view.tokens.into_iter().map(|t| view! { <TokenRow token=t csrf=csrf.clone()/> }).collect_view()}
            </tbody>
        </table>
        <section class="card">
            <h2>{lang.pick(Text("新建接口令牌", "New API token"))}</h2>
            <form class="auth-form admin-form" method="post" action="/admin/tokens">
                <input type="hidden" name="csrf_token" value=view.csrf_token.clone()/>
                <label>
                    <span>{lang.pick(Text("名称", "Name"))}</span>
                    <input type="text" name="name" required=true maxlength="50"/>
                </label>
                <RoleOfficeFields/>
                <button type="submit">{lang.pick(Text("创建令牌", "Create token"))}</button>
            </form>
        </section>
    }
}

#[component]
fn TokenRow(token: TokenRowView, csrf: String) -> impl IntoView {
    let lang = use_lang();
    let revoked = token.revoked_at.is_some();
    view! {
        <tr class="token-row" data-id=token.id.to_string()>
            <td>{token.name.clone()}</td>
            <td><code>{token.prefix.clone()}</code></td>
            <td>{token.role.clone()}</td>
            <td>{token.office.clone()}</td>
            <td>{token.created_at.clone()}</td>
            <td>{token.revoked_at.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{token.last_used_at.clone().unwrap_or_else(|| "—".into())}</td>
            <td>
                {(!revoked).then(|| view! {
                    <form method="post" action=format!("/admin/tokens/{}/revoke", token.id) class="inline-form">
                        <input type="hidden" name="csrf_token" value=csrf.clone()/>
                        <button type="submit">{lang.pick(Text("吊销", "Revoke"))}</button>
                    </form>
                })}
            </td>
        </tr>
    }
}
