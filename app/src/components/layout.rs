//! The page frame: header with the product name, the signed-in user (or a sign-in link), navigation by audience
//! (with a link to the caller's own office or district), language switch, the demo mark while the demo data set is
//! loaded, footer. Every page passes through this frame, so the demo mark lives here and nowhere else.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_location;

use crate::components::widgets::SampleBanner;
use crate::error::AppError;
use crate::functions::session::{get_session_info, SessionInfo, UserView};
use crate::i18n::{use_lang, Lang, Text};

/// The caller of this page, loaded once by the frame and shared with the pages as context.
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, AppError>>);

/// The caller of this page (see [`SessionResource`]); loads it when no frame provided it.
pub fn use_session_info() -> Resource<Result<SessionInfo, AppError>> {
    use_context::<SessionResource>().map(|r| r.0).unwrap_or_else(|| Resource::new(|| (), |_| get_session_info()))
}

/// Navigation entries: (path, label, who it is for).
const NAV: [(&str, Text, Text); 5] = [
    ("/", Text("全国概览", "National overview"), Text("总署", "HQ")),
    ("/catalog", Text("标准目录", "Standard catalog"), Text("全部", "All")),
    ("/offices", Text("机构名录", "Office directory"), Text("直属海关 · 隶属海关", "Direct customs · offices")),
    ("/returns", Text("填报与审核", "Returns"), Text("填报 · 审核", "File · verify")),
    ("/admin/audit", Text("系统管理", "Administration"), Text("总署", "HQ")),
];

/// Whether the navigation shows `href` to `user`: signed out, only the public catalog; 全国概览 only for HQ roles.
fn nav_visible(href: &str, user: Option<&UserView>) -> bool {
    match (href, user) {
        ("/catalog", _) => true,
        (_, None) => false,
        ("/" | "/admin/audit", Some(user)) => user.roles.iter().any(|r| r.key == "hq_admin" || r.key == "hq_viewer"),
        (_, Some(_)) => true,
    }
}

/// The header's link to the caller's own unit: a filer's office scorecard (本单位评分) or a direct customs role's
/// dashboard (本关区概览), both on `/offices/{code}`; none for other roles.
fn own_unit_link(user: Option<&UserView>) -> Option<(String, Text, Text)> {
    user?.roles.iter().find_map(|r| {
        let (label, audience) = match r.key.as_str() {
            "office_filer" => (Text("本单位评分", "My office's scorecard"), Text("隶属海关", "Office")),
            "district_admin" | "district_viewer" => {
                (Text("本关区概览", "My district's dashboard"), Text("直属海关", "Direct customs"))
            }
            _ => return None,
        };
        Some((format!("/offices/{}", r.office), label, audience))
    })
}

/// Whether the navigation entry `href` is the section of the page at `path`: 系统管理 (`/admin/audit`) covers every
/// administration page; the others their own path and what lies below it.
fn nav_active(href: &str, path: &str) -> bool {
    let section = if href == "/admin/audit" { "/admin" } else { href };
    if section == "/" {
        path == "/"
    } else {
        path == section || path.starts_with(&format!("{section}/"))
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let session = Resource::new(|| (), |_| get_session_info());
    provide_context(SessionResource(session));
    let location = use_location();
    let path = move || location.pathname.get();
    let is_active = move |href: &str| nav_active(href, &path());
    let switch_href = move |to: Lang| {
        let search = location.search.get();
        let next = if search.is_empty() { path() } else { format!("{}?{}", path(), search) };
        format!("/lang/{}?next={}", to.short(), urlencode(&next))
    };
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"公开"</span>
                    <span class="brand__text">
                        <span class="brand__name">{lang.pick(Text("海关基层政务公开标准化规范化管理平台", "Customs Grassroots Disclosure Standardization"))}</span>
                        <span class="brand__sub">{lang.pick(Text("依据《海关领域基层政务公开标准指引》（署办发〔2021〕23号）", "Under the guide issued by GACC notice 署办发〔2021〕23号"))}</span>
                    </span>
                </a>
                <nav class="lang-switch" aria-label=lang.pick(Text("语言", "Language"))>
                    <a rel="external" href=move || switch_href(Lang::Zh) class:current=move || lang == Lang::Zh hreflang="zh-CN">"中文"</a>
                    <span aria-hidden="true">"|"</span>
                    <a rel="external" href=move || switch_href(Lang::En) class:current=move || lang == Lang::En hreflang="en">"English"</a>
                </nav>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let user = session.await.ok().and_then(|info| info.user);
                        view! { <Account user/> }
                    })}
                </Suspense>
            </div>
            <nav class="main-nav" aria-label=lang.pick(Text("主导航", "Main navigation"))>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let user = session.await.ok().and_then(|info| info.user);
                        view! {
                            <ul>
                                {NAV
                                    .iter()
                                    .filter(|(href, _, _)| nav_visible(href, user.as_ref()))
                                    .map(|(href, label, audience)| {
                                        let href = *href;
                                        view! {
                                            <li>
                                                <a href=href class:active=move || is_active(href) aria-current=move || is_active(href).then_some("page")>
                                                    <span class="main-nav__label">{lang.pick(*label)}</span>
                                                    <span class="main-nav__audience">{lang.pick(*audience)}</span>
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                                {own_unit_link(user.as_ref()).map(|(href, label, audience)| {
                                    let active = href.clone();
                                    view! {
                                        <li class="main-nav__own">
                                            <a href=href.clone() class:active=move || path() == active aria-current=move || (path() == href).then_some("page")>
                                                <span class="main-nav__label">{lang.pick(label)}</span>
                                                <span class="main-nav__audience">{lang.pick(audience)}</span>
                                            </a>
                                        </li>
                                    }
                                })}
                            </ul>
                        }
                    })}
                </Suspense>
            </nav>
        </header>
        <main class="page">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let sample = session.await.map(|info| info.demo).unwrap_or(false);
                    view! { <SampleBanner sample/> }
                })}
            </Suspense>
            {children()}
        </main>
        <footer class="site-footer">
            <p>
                {lang.pick(Text("公开 Gongkai · 海关总署办公厅 · 基层政务公开标准化规范化工作管理", "Gongkai · for the GACC general office · grassroots disclosure standardization"))}
            </p>
            <p class="muted">
                {lang.pick(Text("目录与要求依据：《海关总署办公厅关于印发〈海关领域基层政务公开标准指引〉的通知》（署办发〔2021〕23号，2021年12月30日）", "Catalog and requirements: GACC general office notice 署办发〔2021〕23号 of 30 Dec 2021"))}
            </p>
        </footer>
    }
}

/// The signed-in user with the 退出 button, or the 登录 link.
#[component]
fn Account(user: Option<UserView>) -> impl IntoView {
    let lang = use_lang();
    match user {
        Some(user) => {
            let roles = user
                .roles
                .iter()
                .map(|r| match lang {
                    Lang::Zh => r.name_zh.clone(),
                    Lang::En => r.name_en.clone(),
                })
                .collect::<Vec<_>>()
                .join(" · ");
            view! {
                <Meta name="csrf-token" content=user.csrf_token.clone()/>
                <div class="account">
                    <span class="account__name">{user.display_name}</span>
                    <span class="account__roles">{roles}</span>
                    <a rel="external" class="account__password" href="/account/password">{lang.pick(Text("修改密码", "Change password"))}</a>
                    <form class="account__signout" method="post" action="/auth/logout">
                        <input type="hidden" name="csrf_token" value=user.csrf_token/>
                        <button type="submit">{lang.pick(Text("退出", "Sign out"))}</button>
                    </form>
                </div>
            }
            .into_any()
        }
        None => view! {
            <div class="account">
                <a rel="external" class="account__signin" href="/login">{lang.pick(Text("登录", "Sign in"))}</a>
            </div>
        }
        .into_any(),
    }
}

/// Percent-encodes a path and query for use as a query value.
fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::nav_active;

    #[test]
    fn the_administration_entry_is_highlighted_on_every_administration_page() {
        for path in ["/admin/audit", "/admin/users", "/admin/tokens"] {
            assert!(nav_active("/admin/audit", path), "{path}");
        }
        assert!(!nav_active("/admin/audit", "/administration-report"));
        assert!(nav_active("/offices", "/offices/0201"));
        assert!(!nav_active("/", "/offices"));
        assert!(nav_active("/", "/"));
    }
}
