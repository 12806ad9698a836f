//! The working-day calendar every clock counts with: the State Council arrangements bundled with the program
//! (2021–2026, `analytics/data/holidays-cn.toml`) and the years headquarters imported since
//! (`gongkai calendar import FILE.toml`, or 系统管理 › 工作日历). A year that is neither is unknown, and the clocks say
//! so instead of guessing.
//!
//! Rules: a bundled year cannot be imported over (the program's data is tested against each notice; a correction
//! is a program update), except with identical content, which changes nothing; an imported year can be corrected
//! by importing it again (the latest import of a year is in force, every import stays in the database and the
//! audit log); a file is checked whole before anything is stored.

use analytics::calendar::{
    arrangement_from_lines, parse_arrangements, CalendarDataError, WorkingCalendar, YearArrangement,
};
use serde::{Deserialize, Serialize};

use crate::store::{Actor, CalendarYearRecord, CatalogInstall, Store, StoreError};

/// Why a calendar could not be read or an arrangement imported, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("{0}")]
    Data(#[from] CalendarDataError),
    #[error("{year}年的节假日安排随程序发布，不能通过导入修改；如需更正，请升级程序")]
    Bundled { year: i32 },
    #[error("文件中没有任何年份的节假日安排（应有 [[years]] 表）")]
    Empty,
    #[error("年份“{0}”无效：应为2000至2100之间的四位数")]
    Year(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a year's arrangement comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum YearSource {
    /// Bundled with the program.
    Bundled,
    /// Imported; `corrections` earlier imports of the same year were replaced.
    Imported { at: String, by: Option<String>, corrections: usize },
}

/// One known year, as the administration page and `gongkai calendar list` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownYear {
    pub arrangement: YearArrangement,
    pub working_days: u32,
    pub days_off: u32,
    pub source: YearSource,
}

/// What an import did to one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedYear {
    pub year: i32,
    pub notice: String,
    /// `Installed`: stored (new, or a correction of an earlier import); `Unchanged`: the same content was in force.
    pub outcome: CatalogInstall,
    pub working_days: u32,
}

/// The bundled calendar, parsed once per process (checked by the tests; an error here is a defect of the
/// program, reported as such).
fn bundled() -> Result<WorkingCalendar, CalendarError> {
    static BUNDLED: std::sync::OnceLock<Result<WorkingCalendar, CalendarDataError>> = std::sync::OnceLock::new();
    Ok(BUNDLED.get_or_init(WorkingCalendar::bundled).clone()?)
}

/// The latest import of each year, in year order.
fn latest_imports(records: &[CalendarYearRecord]) -> Vec<&CalendarYearRecord> {
    let mut latest: std::collections::BTreeMap<i32, &CalendarYearRecord> = std::collections::BTreeMap::new();
    for record in records {
        latest.insert(record.arrangement.year, record);
    }
    latest.into_values().collect()
}

/// The calendar the clocks use now: bundled years plus the latest import of every other year.
pub async fn working_calendar(store: &dyn Store) -> Result<WorkingCalendar, CalendarError> {
    let mut calendar = bundled()?;
    let bundled_years: Vec<i32> = calendar.known_years().map(|y| y.year).collect();
    for record in latest_imports(&store.calendar_years().await?) {
        if !bundled_years.contains(&record.arrangement.year) {
            calendar.add_year(record.arrangement.clone());
        }
    }
    Ok(calendar)
}

/// Every known year with its counts and where it comes from.
pub async fn known_years(store: &dyn Store) -> Result<Vec<KnownYear>, CalendarError> {
    let records = store.calendar_years().await?;
    let calendar = working_calendar(store).await?;
    let bundled = bundled()?;
    let mut years = Vec::new();
    for arrangement in calendar.known_years() {
        let year = arrangement.year;
        let source = if bundled.known_years().any(|y| y.year == year) {
            YearSource::Bundled
        } else {
            let imports: Vec<&CalendarYearRecord> = records.iter().filter(|r| r.arrangement.year == year).collect();
            let last = imports.last().copied();
            YearSource::Imported {
                at: last.map(|r| r.created_at.clone()).unwrap_or_default(),
                by: last.and_then(|r| r.created_by.clone()),
                corrections: imports.len().saturating_sub(1),
            }
        };
        years.push(KnownYear {
            arrangement: arrangement.clone(),
            working_days: calendar.working_days_in_year(year).unwrap_or(0),
            days_off: arrangement
                .holidays
                .iter()
                .map(|p| u32::try_from((p.to - p.from).num_days() + 1).unwrap_or(0))
                .sum(),
            source,
        });
    }
    Ok(years)
}

/// Imports checked arrangements: every one is checked against the bundled years before any is stored.
async fn import_arrangements(
    store: &dyn Store,
    arrangements: Vec<YearArrangement>,
    actor: &Actor,
) -> Result<Vec<ImportedYear>, CalendarError> {
    if arrangements.is_empty() {
        return Err(CalendarError::Empty);
    }
    let bundled = bundled()?;
    for arrangement in &arrangements {
        if let Some(existing) = bundled.known_years().find(|y| y.year == arrangement.year) {
            if existing != arrangement {
                return Err(CalendarError::Bundled { year: arrangement.year });
            }
        }
    }
    let mut done = Vec::new();
    for arrangement in arrangements {
        let outcome = if bundled.known_years().any(|y| y.year == arrangement.year) {
            CatalogInstall::Unchanged
        } else {
            store.import_calendar_year(&arrangement, actor).await?
        };
        let working_days =
            WorkingCalendar::new([arrangement.clone()]).working_days_in_year(arrangement.year).unwrap_or(0);
        done.push(ImportedYear { year: arrangement.year, notice: arrangement.notice, outcome, working_days });
    }
    Ok(done)
}

/// Imports a file in the layout of `holidays-cn.toml` (one `[[years]]` table per year).
pub async fn import_file(store: &dyn Store, text: &str, actor: &Actor) -> Result<Vec<ImportedYear>, CalendarError> {
    let arrangements = parse_arrangements(text)?;
    import_arrangements(store, arrangements, actor).await
}

/// The fields of the administration form for one year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct YearForm {
    pub year: String,
    pub notice: String,
    /// One period per line: `春节 2027-02-06 2027-02-14`.
    pub holidays: String,
    /// Dates separated by spaces, commas or lines.
    pub make_up_days: String,
}

/// Imports one year typed into the administration form.
pub async fn import_form(store: &dyn Store, form: &YearForm, actor: &Actor) -> Result<ImportedYear, CalendarError> {
    let year: i32 = form
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| CalendarError::Year(form.year.trim().to_string()))?;
    let arrangement = arrangement_from_lines(year, &form.notice, &form.holidays, &form.make_up_days)?;
    let mut done = import_arrangements(store, vec![arrangement], actor).await?;
    done.pop().ok_or(CalendarError::Empty)
}
