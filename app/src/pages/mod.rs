//! One module per page, by domain.

pub mod account;
pub mod admin;
pub mod catalog;
pub mod dashboard;
pub mod not_found;
pub mod office_returns;
pub mod offices;
pub mod overview;
pub mod return_form;
pub mod returns;
pub mod scorecard;
pub mod settings;
