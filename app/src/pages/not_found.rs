//! The page for addresses that lead nowhere (HTTP 404).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{use_lang, Text};

#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=lang.pick(Text("页面不存在", "Page not found"))/>
        <section class="card">
            <h1>{lang.pick(Text("页面不存在", "Page not found"))}</h1>
            <p>{lang.pick(Text("您访问的地址不存在。请从上方导航进入。", "This address does not exist. Use the navigation above."))}</p>
            <p><a href="/">{lang.pick(Text("返回全国概览", "Back to the national overview"))}</a></p>
        </section>
    }
}
