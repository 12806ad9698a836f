//! The page frame: header with the product name, navigation by audience, language switch, footer.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::{use_lang, Lang, Text};

/// Navigation entries: (path, label, who it is for).
const NAV: [(&str, Text, Text); 3] = [
    ("/", Text("全国概览", "National overview"), Text("总署", "HQ")),
    ("/catalog", Text("标准目录", "Standard catalog"), Text("全部", "All")),
    ("/offices", Text("机构名录", "Office directory"), Text("直属海关 · 隶属海关", "Direct customs · offices")),
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let path = move || location.pathname.get();
    let is_active = move |href: &str| {
        let p = path();
        if href == "/" {
            p == "/"
        } else {
            p == href || p.starts_with(&format!("{href}/"))
        }
    };
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
            </div>
            <nav class="main-nav" aria-label=lang.pick(Text("主导航", "Main navigation"))>
                <ul>
                    {NAV
                        .iter()
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
                </ul>
            </nav>
        </header>
        <main class="page">{children()}</main>
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
