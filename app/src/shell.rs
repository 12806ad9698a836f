//! The HTML document, the router and the list of pages.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, ServerMetaContext, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::Layout;
use crate::i18n::{provide_lang, Text};
use crate::pages::{
    account::LoginPage, account::PasswordPage, admin::AuditPage, admin::TokensPage, admin::UsersPage,
    catalog::CatalogPage, not_found::NotFound, offices::DirectoryPage, offices::OfficePage, overview::OverviewPage,
    return_form::ReturnFormPage, returns::ReturnPage, returns::ReturnsPage, returns::UploadReportPage,
};

/// The whole HTML document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = provide_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// `text` as the content of a `<title>` element: `<`, `>` and `&` as character references, so that no text can
/// end the element or start markup (quotes too, for good measure).
fn escape_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The application: frame and pages. Every page renders fully on the server (`SsrMode::Async`), so it works
/// without JavaScript; the wasm client then hydrates it.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    // Runs only in the browser once the wasm has taken over: browser tests look for this mark.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // Every page title passes through this one formatter (no other `<Title formatter>` exists). On the server,
    // leptos_meta writes the formatted text between `<title>` tags as it is (`TitleContext::as_string` goes into
    // `ServerMetaContextOutput::inject_meta_context` unescaped), so a title made of data (an office's name) could
    // close the element and open a script: it is escaped here. In the browser the same text becomes
    // `document.title`, which is plain text, so it must not be escaped there.
    let escape = use_context::<ServerMetaContext>().is_some();
    view! {
        <Stylesheet id="leptos" href="/pkg/gongkai.css"/>
        <Title formatter=move |page: String| {
            let product = lang.pick(Text("公开 · 海关基层政务公开标准化", "Gongkai · Customs disclosure standards"));
            let title = if page.is_empty() { product.to_string() } else { format!("{page} — {product}") };
            if escape { escape_title(&title) } else { title }
        }/>
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/catalog") view=CatalogPage ssr=SsrMode::Async/>
                    <Route path=path!("/offices") view=DirectoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/offices/:code") view=OfficePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/password") view=PasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tokens") view=TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/schemes") view=crate::pages::settings::SchemesPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/calendar") view=crate::pages::settings::CalendarPage ssr=SsrMode::Async/>
                    <Route path=path!("/returns") view=ReturnsPage ssr=SsrMode::Async/>
                    // Before `/returns/:id`: the router takes the first route that matches.
                    <Route path=path!("/returns/form") view=ReturnFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/returns/:id") view=ReturnPage ssr=SsrMode::Async/>
                    <Route path=path!("/returns/uploads/:key") view=UploadReportPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use super::escape_title;

    #[test]
    fn a_title_cannot_close_its_element_or_start_markup() {
        assert_eq!(
            escape_title("</title><script>alert(1)</script> & 'x' \"y\""),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39; &quot;y&quot;"
        );
        assert_eq!(escape_title("新港海关 — 公开"), "新港海关 — 公开");
    }
}
