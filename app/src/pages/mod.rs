//! One module per page, by domain.

pub mod account;
pub mod admin;
pub mod catalog;
pub mod dashboard;
pub mod not_found;
pub mod offices;
pub mod overview;
pub mod returns;
