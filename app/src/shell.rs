//! The HTML document, the router and the list of pages.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
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
    view! {
        <Stylesheet id="leptos" href="/pkg/gongkai.css"/>
        <Title formatter=move |page: String| {
            let product = lang.pick(Text("公开 · 海关基层政务公开标准化", "Gongkai · Customs disclosure standards"));
            if page.is_empty() { product.to_string() } else { format!("{page} — {product}") }
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
