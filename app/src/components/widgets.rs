//! Small widgets shared by pages: the sample-data banner, error and loading boxes, figures.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{use_lang, Text};

/// The banner the page frame ([`crate::components::layout::Layout`]) shows on every page while the database holds
/// the demo data set.
#[component]
pub fn SampleBanner(sample: bool) -> impl IntoView {
    let lang = use_lang();
    sample.then(|| {
        view! {
            <div class="sample-banner" role="note">
                <strong>{lang.pick(Text("示例数据 · 演示模式", "Sample data · demo mode"))}</strong>
                <span>{lang.pick(Text(
                    "本系统当前载入的隶属海关名录为虚构的示例数据，仅供演示；直属海关名称为真实名称。正式使用前请由管理员导入真实机构名录。",
                    "The subordinate offices loaded here are invented sample data for demonstration; the direct customs are real. Import the real office list before production use.",
                ))}</span>
            </div>
        }
    })
}

/// An error box with the message in the page language.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(error.status_code()) {
            response.set_status(status);
        }
    }
    view! {
        <div class="error-box" role="alert">
            <strong>{lang.pick(Text("无法显示", "Cannot show this page"))}</strong>
            <p>{error.message(lang)}</p>
        </div>
    }
}

/// Shown while data loads (only after client-side navigation; server renders wait for the data).
#[component]
pub fn Loading() -> impl IntoView {
    let lang = use_lang();
    view! { <p class="loading">{lang.pick(Text("正在加载……", "Loading…"))}</p> }
}

/// A headline figure with its label.
#[component]
pub fn Figure(
    #[prop(into)] value: String,
    label: &'static str,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="figure">
            <span class="figure__value">{value}</span>
            <span class="figure__label">{label}</span>
            {hint.map(|h| view! { <span class="figure__hint">{h}</span> })}
        </div>
    }
}
