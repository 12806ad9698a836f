//! The edge of `POST /returns/upload` (issue 13): an upload holds memory and time only once its caller is known,
//! and never more than a fixed bound of either.
//!
//! Rules:
//! - The caller is checked from the headers alone (origin, session) before a byte of the body is read
//!   (`returns::upload`). The CSRF token must come before the first file of the multipart body (the upload form
//!   puts it first): a file, or any field but `office` and `period`, that arrives before a valid token is refused
//!   without being read, and so is a wrong token.
//! - At most [`app::services::UPLOAD_PERMITS`] uploads are read, unpacked and checked at once, server-wide; a
//!   request that gets no permit within [`PERMIT_WAIT`] is answered 503, asking to try again.
//! - The body must arrive within [`BODY_DEADLINE`], with no pause longer than [`IDLE_TIMEOUT`]; text fields are
//!   read up to [`MAX_TEXT_FIELD_BYTES`]; a file over the per-file limit is dropped at once (and reported), and a
//!   request over [`crate::web::MAX_UPLOAD_REQUEST_BYTES`] is refused as soon as it gets there.
//! - Before any .zip is unpacked, [`request_totals`] counts the files and the declared sizes of every zip and file
//!   of the request from the central directories, and inflates every entry into a counting sink to check that no
//!   entry unpacks to more than it declares: more than `max_batch_files` files, more than [`MAX_UNPACKED_BYTES`]
//!   declared, or an entry that lies, and nothing of the request is unpacked.
//! - After a large request the allocator is asked to give its free memory back to the system ([`give_back_memory`]).

use std::future::Future;
use std::io::Cursor;
use std::time::Duration;

use app::auth::session::csrf_token_matches;
use axum::extract::Multipart;
use axum::http::StatusCode;
use tokio::time::Instant;

/// How long a request waits for an upload permit before it is told to try again.
pub const PERMIT_WAIT: Duration = Duration::from_secs(3);
/// The whole body of an upload must arrive within this time.
pub const BODY_DEADLINE: Duration = Duration::from_secs(60);
/// The longest pause allowed between two parts of an upload's body.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes kept of a text field (`csrf_token`, `office`, `period`): far more than any real value.
pub const MAX_TEXT_FIELD_BYTES: usize = 1024;
/// The most bytes the files of one request may unpack to, zips included: as much as one request may carry (the
/// workbooks inside a zip are themselves compressed, so a real batch unpacks to about its own size).
pub const MAX_UNPACKED_BYTES: u64 = crate::web::MAX_UPLOAD_REQUEST_BYTES as u64;
/// Requests that carried at least this much give the allocator's free memory back afterwards.
pub const GIVE_BACK_AFTER_BYTES: usize = 16 * 1024 * 1024;

/// The fields of the upload form, read from the multipart body.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub office: Option<String>,
    pub period: Option<String>,
    /// Each file's name and bytes, in the order sent.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files above the per-file limit (their names), dropped as soon as they got there.
    pub too_large: Vec<String>,
    /// The bytes of every file read, kept or not.
    pub bytes_read: usize,
}

/// Why an upload's body was not read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRefusal {
    /// No valid CSRF token before the first file (or another field than `office` and `period`).
    BadToken,
    /// The body did not arrive in time.
    Slow,
    /// The request carries more than one request may.
    TooLarge,
    /// The body is not a multipart form.
    Broken,
}

/// Awaits `step` of reading the body: at most [`IDLE_TIMEOUT`], and not past `deadline`.
async fn within<T>(deadline: Instant, step: impl Future<Output = T>) -> Result<T, ReadRefusal> {
    let until = (Instant::now() + IDLE_TIMEOUT).min(deadline);
    tokio::time::timeout_at(until, step).await.map_err(|_| ReadRefusal::Slow)
}

fn read_error(error: &axum::extract::multipart::MultipartError) -> ReadRefusal {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ReadRefusal::TooLarge
    } else {
        ReadRefusal::Broken
    }
}

/// Reads the upload form (module rules): the session's `csrf_token` first, then the files, each kept up to
/// `max_file_bytes`, all of them up to `max_request_bytes`.
pub async fn read_upload(
    mut multipart: Multipart,
    session_csrf: &str,
    max_file_bytes: usize,
    max_request_bytes: usize,
) -> Result<UploadForm, ReadRefusal> {
    let deadline = Instant::now() + BODY_DEADLINE;
    let mut form = UploadForm::default();
    let mut token_checked = false;
    loop {
        let mut field = match within(deadline, multipart.next_field()).await? {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(read_error(&e)),
        };
        let name = field.name().unwrap_or_default().to_string();
        let is_text = matches!(name.as_str(), "csrf_token" | "office" | "period") && field.file_name().is_none();
        if !token_checked && !is_text {
            // A file before the token: refused before a byte of it is read.
            return Err(ReadRefusal::BadToken);
        }
        if is_text {
            let mut text = Vec::new();
            while let Some(chunk) = within(deadline, field.chunk()).await?.map_err(|e| read_error(&e))? {
                let room = MAX_TEXT_FIELD_BYTES.saturating_sub(text.len());
                text.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room {
                    // Longer than any real value: the rest is not read.
                    if name == "csrf_token" {
                        return Err(ReadRefusal::BadToken);
                    }
                    break;
                }
            }
            let text = String::from_utf8_lossy(&text).into_owned();
            match name.as_str() {
                "csrf_token" => {
                    if !csrf_token_matches(session_csrf, Some(&text)) {
                        return Err(ReadRefusal::BadToken);
                    }
                    token_checked = true;
                }
                "office" => form.office = Some(text).filter(|t| !t.trim().is_empty()),
                _ => form.period = Some(text).filter(|t| !t.trim().is_empty()),
            }
            continue;
        }
        if name != "file" {
            // Not a field of the form: skipped unread, within the route's body limit and the deadlines.
            continue;
        }
        let file_name = field.file_name().unwrap_or("未命名文件").to_string();
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = within(deadline, field.chunk()).await?.map_err(|e| read_error(&e))? {
            form.bytes_read += chunk.len();
            if form.bytes_read > max_request_bytes {
                return Err(ReadRefusal::TooLarge);
            }
            if over {
                continue;
            }
            if bytes.len() + chunk.len() > max_file_bytes {
                over = true;
                // Dropped at once: only the count of what follows is kept, to report the file.
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if over {
            form.too_large.push(file_name);
        } else if !(bytes.is_empty() && file_name.is_empty()) {
            form.files.push((file_name, bytes));
        }
    }
    Ok(form)
}

/// The files and declared bytes of a whole request, before anything is unpacked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    pub bytes: u64,
}

/// Why a request's files are refused as a whole before unpacking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotalsError {
    #[error("本次上传共有 {count} 个文件（压缩包内的文件逐个计算），超过一次上传的上限 {limit} 个，请分批上传")]
    TooManyFiles { count: usize, limit: usize },
    #[error("本次上传的文件解压后共 {} MB，超过一次上传的上限 {} MB，请分批上传", .size / (1024 * 1024), .limit / (1024 * 1024))]
    TooLarge { size: u64, limit: u64 },
}

/// Whether a zip entry is unpacked by `analytics::returns::batch::expand_upload` (not a folder or an operating
/// system's metadata); the names tested are ASCII, so the entry name's encoding does not matter here.
fn is_payload(path: &str) -> bool {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    !(path.ends_with('/') || path.starts_with("__MACOSX") || file.is_empty() || file.starts_with('.'))
}

fn is_zip(name: &str) -> bool {
    name.trim().to_ascii_lowercase().ends_with(".zip")
}

/// Counts the files and declared sizes of every file of a request, zips by their central directory (module rules),
/// before any of them is unpacked. The declared sizes are the sender's word: the unpacking
/// (`analytics::returns::batch::expand_within`, with one budget for the whole request) stops any entry one byte
/// past what it declared. A zip that cannot be read counts as one file; the unpacking reports it.
pub fn request_totals(files: &[(String, Vec<u8>)], max_files: usize, max_bytes: u64) -> Result<Totals, TotalsError> {
    let mut totals = Totals::default();
    let mut zips = Vec::new();
    for (name, bytes) in files {
        let archive = if is_zip(name) { zip::ZipArchive::new(Cursor::new(bytes.as_slice())).ok() } else { None };
        let Some(mut archive) = archive else {
            totals.files += 1;
            totals.bytes += bytes.len() as u64;
            continue;
        };
        let mut payload = Vec::new();
        for index in 0..archive.len() {
            let Ok(entry) = archive.by_index_raw(index) else { continue };
            if !is_payload(entry.name()) {
                continue;
            }
            totals.files += 1;
            totals.bytes = totals.bytes.saturating_add(entry.size());
            if !entry.encrypted() {
                payload.push((index, entry.size()));
            }
        }
        zips.push((name, archive, payload));
    }
    if totals.files > max_files {
        return Err(TotalsError::TooManyFiles { count: totals.files, limit: max_files });
    }
    if totals.bytes > max_bytes {
        return Err(TotalsError::TooLarge { size: totals.bytes, limit: max_bytes });
    }
    Ok(totals)
}

/// Asks the allocator to return the free memory of its arenas to the system: glibc keeps what a large request
/// freed in per-thread arenas otherwise, and the process stays at its peak. Cheap when there is little to return.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn give_back_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointer of ours.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators and systems: nothing to ask.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn give_back_memory() {}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut out);
            for (name, content) in files {
                let options = zip::write::SimpleFileOptions::default();
                writer.start_file(*name, options).expect("entry");
                writer.write_all(content).expect("write");
            }
            writer.finish().expect("zip");
        }
        out.into_inner()
    }

    #[test]
    fn the_files_of_every_zip_and_plain_file_of_a_request_are_counted_together() {
        let a = zip_of(&[("a/1.xlsx", b"one"), ("a/", b""), ("__MACOSX/a/._1.xlsx", b"x"), ("2.xlsx", b"two")]);
        let b = zip_of(&[("3.xlsx", b"three")]);
        let files = vec![("a.zip".to_string(), a), ("b.ZIP".to_string(), b), ("4.xlsx".to_string(), vec![0; 10])];
        assert_eq!(request_totals(&files, 4, 100), Ok(Totals { files: 4, bytes: 3 + 3 + 5 + 10 }));
        assert_eq!(request_totals(&files, 3, 100), Err(TotalsError::TooManyFiles { count: 4, limit: 3 }));
        assert!(matches!(request_totals(&files, 4, 20), Err(TotalsError::TooLarge { size: 21, .. })));
    }

    #[test]
    fn many_small_entries_of_zeros_are_refused_by_their_declared_total_before_unpacking() {
        let zeros = vec![0u8; 64 * 1024];
        let names: Vec<String> = (0..100).map(|i| format!("{i}.xlsx")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), zeros.as_slice())).collect();
        let files = vec![("zeros.zip".to_string(), zip_of(&entries))];
        let error = request_totals(&files, 1000, 1024 * 1024).expect_err("6.25 MiB declared against 1 MiB");
        assert!(error.to_string().contains("分批上传"), "{error}");
    }
}
