//! A batch upload unpacked into its files: a `.zip` of workbooks (what a direct customs collects from its offices)
//! becomes one [`BatchEntry`] per workbook; any other file is one entry as it is.
//!
//! # Using it
//! One request is one [`BatchBudget`]: how many files and how many unpacked bytes the whole request may yield, and
//! the largest one file. Pass every uploaded file of the request through [`expand_within`] with the same budget;
//! each call takes what it passes on from the budget, so the files of all zips of the request together stay within
//! it:
//!
//! ```
//! # use analytics::returns::batch::{expand_within, BatchBudget, DEFAULT_MAX_BATCH_BYTES};
//! let mut budget = BatchBudget::new(1000, DEFAULT_MAX_BATCH_BYTES, 20 * 1024 * 1024);
//! for (name, bytes) in [("新港海关.xlsx".to_string(), b"PK".to_vec())] {
//!     match expand_within(&name, bytes, &mut budget) {
//!         Ok(files) => { /* parse each file */ }
//!         Err(refused) => { /* report `refused` (its Display is Chinese) for `name` */ }
//!     }
//! }
//! ```
//! [`expand_upload`] is the same for one file on its own budget (the command line's use).
//!
//! # Rules
//! Checked on the zip's central directory before anything is unpacked:
//! - the payload entries (below) are counted and their declared unpacked sizes summed first: more files than the
//!   budget has left, or more bytes, refuses the zip before any entry is read;
//! - each entry declares at most the budget's `max_entry_bytes`, and every entry above [`RATIO_FLOOR_BYTES`]
//!   (64 KiB; below it a ratio means nothing) at most [`MAX_COMPRESSION_RATIO`] times its packed size; the small
//!   entries count towards the totals, and the whole zip must keep the same ratio once its total passes
//!   [`TOTAL_RATIO_FLOOR_BYTES`];
//! - while reading, an entry is cut off one byte past its declared size: an entry that lies about its size is
//!   refused, so the budget charged from the declared sizes holds;
//! - folders, macOS metadata (`__MACOSX/`, `._*`) and hidden files are skipped; nested zips are not unpacked (an
//!   entry named `.zip` is passed on and refused as an unknown file type by the return import);
//! - entry names are read as UTF-8 when the zip says so or they are valid UTF-8, otherwise as GB18030 (what
//!   Windows' built-in zip writes on Chinese systems), and only the file name (not its folders) is kept.

use std::io::{Cursor, Read};

use crate::sheets::{MAX_COMPRESSION_RATIO, RATIO_FLOOR_BYTES, TOTAL_RATIO_FLOOR_BYTES};

/// A request's default unpacked total (200 MiB): a thousand returns of a few dozen kilobytes each fit many times.
pub const DEFAULT_MAX_BATCH_BYTES: u64 = 200 * 1024 * 1024;

/// One file of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    /// The file's name (inside a zip: `批量.zip/新港海关.xlsx`).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What one request may yield over all its files: [`expand_within`] takes from it as it passes files on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchBudget {
    max_files: usize,
    max_total_bytes: u64,
    max_entry_bytes: u64,
    files_used: usize,
    bytes_used: u64,
}

impl BatchBudget {
    /// At most `max_files` files of at most `max_entry_bytes` each, `max_total_bytes` together.
    pub fn new(max_files: usize, max_total_bytes: u64, max_entry_bytes: u64) -> Self {
        BatchBudget { max_files, max_total_bytes, max_entry_bytes, files_used: 0, bytes_used: 0 }
    }

    /// Files the request may still yield.
    pub fn files_left(&self) -> usize {
        self.max_files.saturating_sub(self.files_used)
    }

    /// Unpacked bytes the request may still yield.
    pub fn bytes_left(&self) -> u64 {
        self.max_total_bytes.saturating_sub(self.bytes_used)
    }

    /// Largest one file.
    pub fn max_entry_bytes(&self) -> u64 {
        self.max_entry_bytes
    }

    /// Takes `files` files of `bytes` bytes together, or says why not (nothing is taken then).
    fn take(&mut self, name: &str, files: usize, bytes: u64) -> Result<(), BatchError> {
        if files > self.files_left() {
            return Err(BatchError::TooManyFiles {
                name: name.to_string(),
                count: files,
                left: self.files_left(),
                limit: self.max_files,
            });
        }
        if bytes > self.bytes_left() {
            return Err(BatchError::TooManyBytes {
                name: name.to_string(),
                size: bytes,
                left: self.bytes_left(),
                limit: self.max_total_bytes,
            });
        }
        self.files_used += files;
        self.bytes_used += bytes;
        Ok(())
    }
}

/// Why a batch file could not be unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("压缩包“{0}”无法读取：{1}")]
    Corrupt(String, String),
    #[error("“{name}”中有 {count} 个文件，本次上传还能接收 {left} 个（一次上传最多 {limit} 个），拒绝解压")]
    TooManyFiles { name: String, count: usize, left: usize, limit: usize },
    #[error("“{name}”解压后共 {size} 字节，本次上传还能接收 {left} 字节（一次上传最多 {limit} 字节），拒绝解压")]
    TooManyBytes { name: String, size: u64, left: u64, limit: u64 },
    #[error("压缩包中的文件“{entry}”解压后为 {size} 字节，超过单个文件的上限 {limit} 字节")]
    EntryTooLarge { entry: String, size: u64, limit: u64 },
    #[error("压缩包中的文件“{entry}”压缩比异常（{size} 字节压缩为 {packed} 字节），疑似压缩炸弹，拒绝解压")]
    CompressionRatio { entry: String, size: u64, packed: u64 },
    #[error("压缩包中的文件“{entry}”实际大小与声明的 {declared} 字节不符，拒绝解压")]
    SizeMismatch { entry: String, declared: u64 },
    #[error("压缩包“{0}”已加密，请上传未加密的压缩包")]
    Encrypted(String),
}

fn entry_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030.decode(raw).0.into_owned(),
    }
}

/// Whether a zip entry is something an official put there (not a folder or an operating system's metadata).
fn is_payload(path: &str) -> bool {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    !(path.ends_with('/') || path.starts_with("__MACOSX") || file.is_empty() || file.starts_with('.'))
}

/// [`expand_within`] on a budget of its own: at most `max_files` files of at most `max_entry_bytes` each, and
/// [`DEFAULT_MAX_BATCH_BYTES`] (or one largest file, if that is more) together.
pub fn expand_upload(
    name: &str,
    bytes: Vec<u8>,
    max_entry_bytes: u64,
    max_files: usize,
) -> Result<Vec<BatchEntry>, BatchError> {
    let mut budget = BatchBudget::new(max_files, DEFAULT_MAX_BATCH_BYTES.max(max_entry_bytes), max_entry_bytes);
    expand_within(name, bytes, &mut budget)
}

/// Unpacks `bytes` named `name` into its files (see the module rules), taking them from `budget`.
pub fn expand_within(name: &str, bytes: Vec<u8>, budget: &mut BatchBudget) -> Result<Vec<BatchEntry>, BatchError> {
    if !name.trim().to_ascii_lowercase().ends_with(".zip") {
        let size = bytes.len() as u64;
        if size > budget.max_entry_bytes {
            return Err(BatchError::EntryTooLarge { entry: name.to_string(), size, limit: budget.max_entry_bytes });
        }
        budget.take(name, 1, size)?;
        return Ok(vec![BatchEntry { name: name.to_string(), bytes }]);
    }
    let corrupt = |e: &dyn std::fmt::Display| BatchError::Corrupt(name.to_string(), e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).map_err(|e| corrupt(&e))?;
    let mut wanted = Vec::new();
    let (mut total, mut total_packed) = (0u64, 0u64);
    let limit = budget.max_entry_bytes;
    let count = archive.len();
    for index in 0..count {
        let entry = archive.by_index_raw(index).map_err(|e| corrupt(&e))?;
        let path = entry_name(entry.name_raw());
        if !is_payload(&path) {
            continue;
        }
        if entry.encrypted() {
            return Err(BatchError::Encrypted(name.to_string()));
        }
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > limit {
            return Err(BatchError::EntryTooLarge { entry: path, size, limit });
        }
        if size > RATIO_FLOOR_BYTES && size > packed.saturating_mul(MAX_COMPRESSION_RATIO) {
            return Err(BatchError::CompressionRatio { entry: path, size, packed });
        }
        total = total.saturating_add(size);
        total_packed = total_packed.saturating_add(packed);
        wanted.push((index, path, size));
        // Stop counting once the budget cannot hold the zip: a central directory may list millions of entries.
        if wanted.len() > budget.files_left() {
            return Err(BatchError::TooManyFiles {
                name: name.to_string(),
                count,
                left: budget.files_left(),
                limit: budget.max_files,
            });
        }
    }
    if total > TOTAL_RATIO_FLOOR_BYTES && total > total_packed.saturating_mul(MAX_COMPRESSION_RATIO) {
        return Err(BatchError::CompressionRatio { entry: name.to_string(), size: total, packed: total_packed });
    }
    budget.take(name, wanted.len(), total)?;
    let mut entries = Vec::with_capacity(wanted.len());
    for (index, path, declared) in wanted {
        let entry = archive.by_index(index).map_err(|e| corrupt(&e))?;
        let mut content = Vec::new();
        // Read one byte past the declared size: a declared size that lies is caught here, so what the budget was
        // charged is what is held.
        entry.take(declared + 1).read_to_end(&mut content).map_err(|e| corrupt(&e))?;
        if content.len() as u64 > declared {
            return Err(BatchError::SizeMismatch { entry: path, declared });
        }
        let file = path.rsplit(['/', '\\']).next().unwrap_or(&path).to_string();
        entries.push(BatchEntry { name: format!("{name}/{file}"), bytes: content });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut out);
            for (name, content) in files {
                writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
                writer.write_all(content).unwrap();
            }
            writer.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_plain_workbook_is_one_entry_as_it_is() {
        let entries = expand_upload("新港海关.xlsx", b"PK..".to_vec(), 100, 10).unwrap();
        assert_eq!(entries, vec![BatchEntry { name: "新港海关.xlsx".into(), bytes: b"PK..".to_vec() }]);
    }

    #[test]
    fn a_zip_becomes_its_workbooks_without_folders_or_system_files() {
        let bytes = zip_of(&[
            ("天津/新港海关.xlsx", b"a"),
            ("天津/", b""),
            ("__MACOSX/天津/._新港海关.xlsx", b"junk"),
            (".DS_Store", b"junk"),
            ("东疆海关.ods", b"b"),
        ]);
        let entries = expand_upload("批量.ZIP", bytes, 100, 10).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["批量.ZIP/新港海关.xlsx", "批量.ZIP/东疆海关.ods"]);
        assert_eq!(entries[1].bytes, b"b");
    }

    #[test]
    fn too_many_files_too_large_entries_and_bombs_are_refused_before_unpacking() {
        let many: Vec<(String, Vec<u8>)> = (0..4).map(|i| (format!("{i}.xlsx"), vec![b'x'])).collect();
        let refs: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        assert!(matches!(expand_upload("a.zip", zip_of(&refs), 100, 3), Err(BatchError::TooManyFiles { .. })));
        assert!(matches!(
            expand_upload("a.zip", zip_of(&[("big.xlsx", &[b'x'; 200])]), 100, 3),
            Err(BatchError::EntryTooLarge { .. })
        ));
        let bomb = vec![0u8; 4 * 1024 * 1024];
        let error = expand_upload("a.zip", zip_of(&[("bomb.xlsx", &bomb)]), 10 * 1024 * 1024, 3).unwrap_err();
        assert!(matches!(error, BatchError::CompressionRatio { .. }), "{error}");
        assert!(error.to_string().contains("压缩炸弹"));
        assert!(matches!(expand_upload("a.zip", b"not a zip".to_vec(), 100, 3), Err(BatchError::Corrupt(..))));
    }

    #[test]
    fn a_gbk_entry_name_from_windows_reads_as_chinese() {
        let (gbk, _, _) = encoding_rs::GBK.encode("新港海关.xlsx");
        assert_eq!(entry_name(&gbk), "新港海关.xlsx");
        assert_eq!(entry_name("东疆海关.xlsx".as_bytes()), "东疆海关.xlsx");
    }

    /// A zip of `count` entries of `size` zero bytes each, deflated once and copied raw, so it is quick to build.
    fn zip_of_zeros(count: usize, size: usize) -> Vec<u8> {
        let one = zip_of(&[("0.xlsx", &vec![0u8; size])]);
        let mut source = zip::ZipArchive::new(Cursor::new(one.as_slice())).unwrap();
        let mut out = Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut out);
            for i in 0..count {
                writer.raw_copy_file_rename(source.by_index_raw(0).unwrap(), format!("{i}.xlsx")).unwrap();
            }
            writer.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_thousand_mebibytes_of_zeros_in_a_small_zip_are_refused_before_anything_is_unpacked() {
        let bomb = zip_of_zeros(1000, 1024 * 1024);
        assert!(bomb.len() < 1_200_000, "{} bytes", bomb.len());
        let mut budget = BatchBudget::new(1000, DEFAULT_MAX_BATCH_BYTES, 20 * 1024 * 1024);
        let error = expand_within("炸弹.zip", bomb.clone(), &mut budget).unwrap_err();
        assert!(matches!(error, BatchError::CompressionRatio { .. }), "{error}");
        // Nothing was taken from the budget: nothing was read.
        assert_eq!((budget.files_left(), budget.bytes_left()), (1000, DEFAULT_MAX_BATCH_BYTES));
        // The one-file form refuses it the same way.
        assert!(matches!(expand_upload("炸弹.zip", bomb, 20 << 20, 1000), Err(BatchError::CompressionRatio { .. })));
    }

    #[test]
    fn small_entries_escape_the_ratio_one_by_one_but_not_together() {
        // 40 entries of 60 KiB of zeros: each below the floor, 2.4 MB together from a few kilobytes.
        let bytes = zip_of_zeros(40, 60 * 1024);
        let error = expand_upload("小炸弹.zip", bytes, 20 << 20, 1000).unwrap_err();
        assert!(matches!(&error, BatchError::CompressionRatio { entry, .. } if entry == "小炸弹.zip"), "{error}");
        // A few small entries are a normal batch.
        let normal = zip_of_zeros(3, 10 * 1024);
        assert_eq!(expand_upload("三个.zip", normal, 20 << 20, 1000).unwrap().len(), 3);
    }

    #[test]
    fn one_budget_bounds_the_files_and_bytes_of_every_zip_of_a_request() {
        let three = || zip_of(&[("a.xlsx", b"aaaa"), ("b.xlsx", b"bbbb"), ("c.xlsx", b"cccc")]);
        let mut budget = BatchBudget::new(5, 1000, 100);
        assert_eq!(expand_within("一.zip", three(), &mut budget).unwrap().len(), 3);
        assert_eq!((budget.files_left(), budget.bytes_left()), (2, 988));
        let error = expand_within("二.zip", three(), &mut budget).unwrap_err();
        assert_eq!(error, BatchError::TooManyFiles { name: "二.zip".into(), count: 3, left: 2, limit: 5 });
        assert_eq!(budget.files_left(), 2);
        // A plain file takes one file and its size.
        expand_within("单个.xlsx", vec![b'x'; 50], &mut budget).unwrap();
        assert_eq!((budget.files_left(), budget.bytes_left()), (1, 938));

        let mut small = BatchBudget::new(100, 10, 100);
        let error = expand_within("一.zip", three(), &mut small).unwrap_err();
        assert!(matches!(error, BatchError::TooManyBytes { size: 12, left: 10, limit: 10, .. }), "{error}");
        assert!(error.to_string().contains("拒绝解压"));
    }

    #[test]
    fn an_entry_larger_than_it_declares_is_refused() {
        let mut bytes = Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut bytes);
            let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            writer.start_file("a.xlsx", stored).unwrap();
            writer.write_all(&[b'x'; 100]).unwrap();
            writer.finish().unwrap();
        }
        let mut bytes = bytes.into_inner();
        // The central directory's unpacked size (offset 24 of its record) now says 10.
        let central = bytes.windows(4).rposition(|w| w == [0x50, 0x4b, 0x01, 0x02]).unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&10u32.to_le_bytes());
        let error = expand_upload("谎报.zip", bytes, 1000, 10).unwrap_err();
        assert_eq!(error, BatchError::SizeMismatch { entry: "a.xlsx".into(), declared: 10 });
    }
}
