//! The error type of the application layer: what server functions return and pages show.
//!
//! Every variant carries what a user needs to act (in Chinese, with an English rendering); internal details are
//! logged on the server and replaced by a reference the user can quote. `status_code()` is the HTTP status the
//! JSON API and error pages use.

use std::fmt;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// A parameter is malformed; `field` names it (e.g. `as_of`).
    BadRequest { field: String, message_zh: String, message_en: String },
    /// The thing asked for does not exist (or must not be revealed).
    NotFound { what_zh: String, what_en: String },
    /// The caller is not signed in (401).
    Unauthorized,
    /// The caller is signed in but its role or office scope does not allow this (403).
    Forbidden,
    /// Something failed on the server; the detail is in the server log under `reference`.
    Internal { reference: String },
    /// The request did not reach the server or its answer could not be read.
    Transport { detail: String },
}

impl AppError {
    pub fn bad_request(field: &str, message_zh: impl Into<String>, message_en: impl Into<String>) -> Self {
        AppError::BadRequest { field: field.into(), message_zh: message_zh.into(), message_en: message_en.into() }
    }

    pub fn not_found(what_zh: impl Into<String>, what_en: impl Into<String>) -> Self {
        AppError::NotFound { what_zh: what_zh.into(), what_en: what_en.into() }
    }

    /// Logs `detail` on the server and returns an error that only carries a reference to it.
    #[cfg(feature = "ssr")]
    pub fn internal(detail: impl fmt::Display) -> Self {
        let reference = format!(
            "E{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        );
        tracing::error!(%reference, "internal error: {detail}");
        AppError::Internal { reference }
    }

    /// HTTP status for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::BadRequest { .. } => 400,
            AppError::NotFound { .. } => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Internal { .. } => 500,
            AppError::Transport { .. } => 502,
        }
    }

    /// Stable machine-readable code for the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "bad_request",
            AppError::NotFound { .. } => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Internal { .. } => "internal",
            AppError::Transport { .. } => "transport",
        }
    }

    /// The message for a person, in the page language.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (AppError::BadRequest { message_zh, .. }, Lang::Zh) => message_zh.clone(),
            (AppError::BadRequest { message_en, .. }, Lang::En) => message_en.clone(),
            (AppError::NotFound { what_zh, .. }, Lang::Zh) => format!("未找到{what_zh}"),
            (AppError::NotFound { what_en, .. }, Lang::En) => format!("{what_en} not found"),
            (AppError::Unauthorized, Lang::Zh) => "请先登录".into(),
            (AppError::Unauthorized, Lang::En) => "Please sign in first".into(),
            (AppError::Forbidden, Lang::Zh) => "您的角色或机构范围无权访问此内容".into(),
            (AppError::Forbidden, Lang::En) => "Your role or office scope does not allow access to this".into(),
            (AppError::Internal { reference }, Lang::Zh) => {
                format!("服务器内部错误，请稍后重试；如仍失败，请将错误编号 {reference} 告知系统管理员")
            }
            (AppError::Internal { reference }, Lang::En) => {
                format!("Internal server error; please retry, and quote reference {reference} to your administrator")
            }
            (AppError::Transport { .. }, Lang::Zh) => "无法连接服务器，请检查网络后刷新页面".into(),
            (AppError::Transport { .. }, Lang::En) => "Could not reach the server; check the network and reload".into(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => AppError::bad_request(
                "arguments",
                format!("请求参数有误：{detail}"),
                format!("Bad arguments: {detail}"),
            ),
            other => AppError::Transport { detail: other.to_string() },
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        AppError::internal(e)
    }
}
