//! Reports of recent uploads, kept in memory for the page a plain HTML upload form is sent to after the upload
//! (post/redirect/get): one report per file, with every error and warning. The same store keeps a web form that
//! was refused ([`RejectedForm`]), so that the form page shows it again as typed, with its problems.
//!
//! A report is for its uploader only (the user id that made it), lives for an hour, and at most [`CAPACITY`] are
//! kept (the oldest go first). Nothing here is a record: the audit log and the returns themselves are. A report
//! lost to a restart only means the uploader sees "报告已过期" and uploads again.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many reports are kept.
pub const CAPACITY: usize = 500;
/// How long a report is kept.
pub const LIFETIME: Duration = Duration::from_secs(3600);

/// What happened to one uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    pub file_name: String,
    /// The draft it became (to confirm), if it had no error.
    pub draft_id: Option<i64>,
    /// Office code and period of the draft.
    pub office: Option<String>,
    pub period: Option<String>,
    /// The reason it was refused, if it was (one line).
    pub refused: Option<String>,
    /// Every error, with its cell.
    pub errors: Vec<String>,
    /// Every warning, with its cell.
    pub warnings: Vec<String>,
}

/// The report of one upload (one file or a batch).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadReport {
    pub files: Vec<FileReport>,
}

/// A web form with errors, as it was typed, with every problem (nothing of it was stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedForm {
    pub form: analytics::returns::form::ReturnForm,
    pub problems: Vec<analytics::returns::ReturnProblem>,
}

/// An administration form that was refused, as typed, with the reason (nothing of it was stored), or one that
/// was accepted, with what it did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AdminFormEcho {
    /// Why it was refused, in Chinese, naming the field or line; `None` when it was accepted.
    pub error: Option<String>,
    /// What it did, when accepted.
    pub notice: Option<String>,
    /// The fields as typed (only kept when refused).
    pub fields: std::collections::BTreeMap<String, String>,
}

/// The reports of uploads.
pub type UploadReports = Reports<UploadReport>;
/// Administration forms' outcomes, until their user sees them.
pub type AdminForms = Reports<AdminFormEcho>;
/// The web forms refused, until their user sees them again.
pub type RejectedForms = Reports<RejectedForm>;

/// Reports, by random key.
#[derive(Debug)]
pub struct Reports<T> {
    entries: Mutex<VecDeque<(String, i64, Instant, T)>>,
}

impl<T> Default for Reports<T> {
    fn default() -> Self {
        Reports { entries: Mutex::new(VecDeque::new()) }
    }
}

impl<T: Clone> Reports<T> {
    /// Keeps `report` for `user_id` and returns its key.
    pub fn put(&self, user_id: i64, report: T) -> String {
        // Without randomness (never seen) a counter-like key still works: reports are bound to their owner anyway.
        let key = crate::auth::tokens::random_secret().unwrap_or_else(|_| format!("r{}", std::process::id()));
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.retain(|(_, _, at, _)| at.elapsed() < LIFETIME);
        while entries.len() >= CAPACITY {
            entries.pop_front();
        }
        entries.push_back((key.clone(), user_id, Instant::now(), report));
        key
    }

    /// The report under `key`, if it is `user_id`'s and still kept.
    pub fn get(&self, user_id: i64, key: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .iter()
            .find(|(k, owner, at, _)| k == key && *owner == user_id && at.elapsed() < LIFETIME)
            .map(|(_, _, _, report)| report.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str) -> UploadReport {
        UploadReport {
            files: vec![FileReport {
                file_name: name.into(),
                draft_id: None,
                office: None,
                period: None,
                refused: Some("x".into()),
                errors: vec![],
                warnings: vec![],
            }],
        }
    }

    #[test]
    fn a_report_is_read_back_by_its_uploader_only() {
        let reports = UploadReports::default();
        let key = reports.put(7, report("a.xlsx"));
        assert_eq!(reports.get(7, &key), Some(report("a.xlsx")));
        assert_eq!(reports.get(8, &key), None, "another user");
        assert_eq!(reports.get(7, "guess"), None);
    }

    #[test]
    fn the_oldest_reports_make_room_for_new_ones() {
        let reports = UploadReports::default();
        let first = reports.put(1, report("first"));
        for i in 0..CAPACITY {
            reports.put(1, report(&format!("{i}")));
        }
        assert_eq!(reports.get(1, &first), None);
    }
}
