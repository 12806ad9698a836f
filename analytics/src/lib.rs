//! Gongkai's domain model and pure computations.
//!
//! Everything here is synchronous and knows nothing of HTTP or SQL: typed values in, typed results out.
//! The layout follows the domain:
//! - [`calendar`]: working days (工作日) from the State Council's yearly holiday arrangements, as data.
//! - [`clocks`]: due dates and on-time judgements of disclosures under the catalog's typed time limits.
//! - [`catalog`]: the standard disclosure catalog (标准目录) of 署办发〔2021〕23号 — items, elements, legal bases,
//!   typed time-limit rules, subjects, channels — and its bundled data file.
//! - [`offices`]: 海关总署, the direct customs and subordinate offices as versioned records, the hierarchy as of a
//!   date, the import format (CSV and Excel) and the deterministic demo data set.
//! - [`milestones`]: the rollout schedule of the notice (M1–M6) and its arithmetic.
//! - [`returns`]: the typed content of an office return (items reported, the guide's requirements beyond the catalog).
//! - [`sheets`]: reading hand-filled workbooks safely (format sniffing, zip checks, full-width folding, dates,
//!   cell references), shared by the office and return imports.
//! - [`assessment`]: scoring schemes as versioned data, explainable scores and benchmark completion (对标完成).
//! - [`rollout`]: milestones M1–M5 judged per district and nationally as of any date, projections, and (with
//!   `engine`) the national score recompute on polars.
//!
//! - [`charts`] (feature `charts`, enabled by `engine`): the rollout and assessment charts as SVG, each with a text
//!   alternative.
//!
//! With the default `engine` feature the crate also parses files and loads its bundled data; without it only the
//! serialisable domain types remain, which is what the wasm client uses.

pub mod assessment;
pub mod calendar;
pub mod catalog;
#[cfg(feature = "charts")]
pub mod charts;
pub mod clocks;
pub mod milestones;
pub mod offices;
pub mod returns;
pub mod rollout;
#[cfg(feature = "engine")]
pub mod sheets;
