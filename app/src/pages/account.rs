//! Signing in and changing the password: plain HTML forms that post to the server's `/auth/login` and
//! `/account/password` handlers, so both work without JavaScript. The handlers answer with a redirect back here,
//! carrying a short error code in the query; the messages for those codes are below.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::layout::use_session_info;
use crate::components::widgets::Loading;
use crate::i18n::{use_lang, Lang, Text};

/// The documented password of every demo account (demo mode only).
pub const DEMO_PASSWORD: &str = "Gongkai-Demo-2022";

/// The demo accounts created with the demo data set: (user name, role, office).
pub const DEMO_ACCOUNTS: [(&str, Text, &str); 5] = [
    ("demo-hq-admin", Text("总署办公厅管理员", "HQ administrator"), "0000 海关总署"),
    ("demo-hq-viewer", Text("总署查看员", "HQ viewer"), "0000 海关总署"),
    ("demo-tianjin-admin", Text("直属海关管理员", "Direct customs administrator"), "0200 天津海关"),
    ("demo-tianjin-viewer", Text("直属海关查看员", "Direct customs viewer"), "0200 天津海关"),
    ("demo-xingang-filer", Text("隶属海关填报员", "Subordinate office filer"), "0201 新港海关"),
];

/// The wait a refusal names (`seconds=…`), bounded: the rule never asks for more than a minute or so, and the
/// query string is anyone's to write.
fn wait_seconds(seconds: Option<&str>) -> u32 {
    seconds.and_then(|s| s.parse::<u32>().ok()).unwrap_or(60).clamp(1, 3600)
}

/// The message for a sign-in error code (`/login?error=…`; `seconds` for `throttled`).
pub fn sign_in_message(code: &str, seconds: Option<&str>) -> String {
    match code {
        "invalid" => "用户名或密码错误".to_string(),
        "throttled" => format!("登录失败次数过多，请在{}秒后再试", wait_seconds(seconds)),
        "busy" => "登录请求过多，请稍后再试".to_string(),
        "disabled" => "该账户已停用，请联系系统管理员".to_string(),
        "expired" => "登录已过期，请重新登录".to_string(),
        _ => "登录暂时无法完成，请稍后再试".to_string(),
    }
}

/// The message for one password policy problem code (`/account/password?error=policy&problems=…`).
pub fn policy_problem_message(code: &str) -> &'static str {
    match code {
        "too_short" => "密码至少需要10个字符",
        "too_long" => "密码不能超过128个字符",
        "same_as_username" => "密码不能与用户名相同",
        "one_class" => "密码不能只由一类字符组成，请混合使用大写字母、小写字母、数字和符号中的至少两类",
        _ => "新密码不符合要求",
    }
}

/// The message for a password change error code (`/account/password?error=…`; `seconds` for `throttled`).
pub fn password_error_message(code: &str, seconds: Option<&str>) -> String {
    match code {
        "wrong" => "原密码错误".to_string(),
        "throttled" => format!("原密码错误次数过多，请在{}秒后再试", wait_seconds(seconds)),
        "busy" => "密码校验请求过多，请稍后再试".to_string(),
        "same" => "新密码不能与原密码相同".to_string(),
        "mismatch" => "两次输入的新密码不一致".to_string(),
        "policy" => "新密码不符合要求：".to_string(),
        _ => "密码暂时无法修改，请稍后再试".to_string(),
    }
}

fn query(name: &'static str) -> Option<String> {
    let map = use_query_map();
    map.with_untracked(|m| m.get(name)).filter(|v| !v.is_empty())
}

/// `/login`: user name and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let error = query("error").map(|code| sign_in_message(&code, query("seconds").as_deref()));
    let next = query("next").unwrap_or_default();
    let info = use_session_info();
    view! {
        <Title text=lang.pick(Text("登录", "Sign in"))/>
        <section class="card auth-card">
            <h1>{lang.pick(Text("登录", "Sign in"))}</h1>
            {error.map(|message| view! { <p class="error-box form-error" role="alert">{message}</p> })}
            <form class="auth-form" method="post" action="/auth/login">
                <input type="hidden" name="next" value=next/>
                <label>
                    <span>{lang.pick(Text("用户名", "User name"))}</span>
                    <input type="text" name="username" autocomplete="username" required=true autofocus=true/>
                </label>
                <label>
                    <span>{lang.pick(Text("密码", "Password"))}</span>
                    <input type="password" name="password" autocomplete="current-password" required=true/>
                </label>
                <button type="submit">{lang.pick(Text("登录", "Sign in"))}</button>
            </form>
        </section>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                let demo = info.await.map(|i| i.demo).unwrap_or(false);
                demo.then(|| view! { <DemoAccounts/> })
            })}
        </Suspense>
    }
}

/// The demo accounts and their password, shown on the sign-in page in demo mode only.
#[component]
fn DemoAccounts() -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card demo-accounts">
            <h2>{lang.pick(Text("演示模式 · 演示账户", "Demo mode · demo accounts"))}</h2>
            <p>
                {lang.pick(Text("演示账户的密码均为", "Every demo account's password is"))}
                " "<code>{DEMO_PASSWORD}</code>
            </p>
            <table class="data-table">
                <thead>
                    <tr>
                        <th>{lang.pick(Text("用户名", "User name"))}</th>
                        <th>{lang.pick(Text("角色", "Role"))}</th>
                        <th>{lang.pick(Text("机构", "Office"))}</th>
                    </tr>
                </thead>
                <tbody>
                    {DEMO_ACCOUNTS
                        .iter()
                        .map(|(username, role, office)| view! {
                            <tr><td><code>{*username}</code></td><td>{lang.pick(*role)}</td><td>{*office}</td></tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// `/account/password`: the current password and the new one twice (signed-in users only).
#[component]
pub fn PasswordPage() -> impl IntoView {
    let lang = use_lang();
    let changed = query("status").as_deref() == Some("changed");
    let error = query("error").map(|code| {
        let mut message = password_error_message(&code, query("seconds").as_deref());
        if code == "policy" {
            let problems = query("problems").unwrap_or_default();
            let list: Vec<&str> = problems.split(',').filter(|p| !p.is_empty()).map(policy_problem_message).collect();
            message.push_str(&list.join("；"));
        }
        message
    });
    let info = use_session_info();
    view! {
        <Title text=lang.pick(Text("修改密码", "Change password"))/>
        <section class="card auth-card">
            <h1>{lang.pick(Text("修改密码", "Change password"))}</h1>
            {changed.then(|| view! { <p class="notice-box" role="status">"密码已修改。本账户的其他登录会话已全部退出。"</p> })}
            {error.map(|message| view! { <p class="error-box form-error" role="alert">{message}</p> })}
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match info.await.ok().and_then(|i| i.user) {
                        Some(user) => view! { <PasswordForm csrf_token=user.csrf_token lang/> }.into_any(),
                        None => view! {
                            <p>
                                {lang.pick(Text("请先登录。", "Please sign in first."))}" "
                                <a rel="external" href="/login?next=%2Faccount%2Fpassword">{lang.pick(Text("登录", "Sign in"))}</a>
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PasswordForm(csrf_token: String, lang: Lang) -> impl IntoView {
    view! {
        <form class="auth-form" method="post" action="/account/password">
            <input type="hidden" name="csrf_token" value=csrf_token/>
            <label>
                <span>{lang.pick(Text("原密码", "Current password"))}</span>
                <input type="password" name="current_password" autocomplete="current-password" required=true/>
            </label>
            <label>
                <span>{lang.pick(Text("新密码", "New password"))}</span>
                <input type="password" name="new_password" autocomplete="new-password" required=true/>
            </label>
            <label>
                <span>{lang.pick(Text("再次输入新密码", "Repeat the new password"))}</span>
                <input type="password" name="repeat_password" autocomplete="new-password" required=true/>
            </label>
            <p class="muted">
                {lang.pick(Text(
                    "至少10个字符，不能与用户名相同，并混合使用大写字母、小写字母、数字和符号中的至少两类。",
                    "At least 10 characters, not the user name, mixing at least two of upper case, lower case, digits and symbols.",
                ))}
            </p>
            <button type="submit">{lang.pick(Text("修改密码", "Change password"))}</button>
        </form>
    }
}
