//! A batch upload unpacked into its files: a `.zip` of workbooks (what a direct customs collects from its offices)
//! becomes one [`BatchEntry`] per workbook; any other file is one entry as it is.
//!
//! Rules, checked on the zip's central directory before anything is unpacked:
//! - at most `max_files` entries, each declaring at most `max_entry_bytes`, and each declaring at most
//!   [`MAX_COMPRESSION_RATIO`] times its packed size (above [`RATIO_FLOOR_BYTES`]); the unpacked bytes are counted
//!   again while reading, so an entry that lies about its size is cut off at the limit and refused;
//! - folders, macOS metadata (`__MACOSX/`, `._*`) and hidden files are skipped; nested zips are not unpacked (an
//!   entry named `.zip` is passed on and refused as an unknown file type by the return import);
//! - entry names are read as UTF-8 when the zip says so or they are valid UTF-8, otherwise as GB18030 (what
//!   Windows' built-in zip writes on Chinese systems), and only the file name (not its folders) is kept.

use std::io::{Cursor, Read};

use crate::sheets::{MAX_COMPRESSION_RATIO, RATIO_FLOOR_BYTES};

/// One file of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    /// The file's name (inside a zip: `批量.zip/新港海关.xlsx`).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Why a batch file could not be unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("压缩包“{0}”无法读取：{1}")]
    Corrupt(String, String),
    #[error("压缩包“{name}”中有 {count} 个文件，超过一次上传的上限 {limit} 个")]
    TooManyFiles { name: String, count: usize, limit: usize },
    #[error("压缩包中的文件“{entry}”解压后为 {size} 字节，超过单个文件的上限 {limit} 字节")]
    EntryTooLarge { entry: String, size: u64, limit: u64 },
    #[error("压缩包中的文件“{entry}”压缩比异常（{size} 字节压缩为 {packed} 字节），疑似压缩炸弹，拒绝解压")]
    CompressionRatio { entry: String, size: u64, packed: u64 },
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

/// Unpacks `bytes` named `name` into its files (see the module rules).
pub fn expand_upload(
    name: &str,
    bytes: Vec<u8>,
    max_entry_bytes: u64,
    max_files: usize,
) -> Result<Vec<BatchEntry>, BatchError> {
    if !name.trim().to_ascii_lowercase().ends_with(".zip") {
        return Ok(vec![BatchEntry { name: name.to_string(), bytes }]);
    }
    let corrupt = |e: &dyn std::fmt::Display| BatchError::Corrupt(name.to_string(), e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).map_err(|e| corrupt(&e))?;
    let mut wanted = Vec::new();
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
        if size > max_entry_bytes {
            return Err(BatchError::EntryTooLarge { entry: path, size, limit: max_entry_bytes });
        }
        if size > RATIO_FLOOR_BYTES && size > packed.saturating_mul(MAX_COMPRESSION_RATIO) {
            return Err(BatchError::CompressionRatio { entry: path, size, packed });
        }
        wanted.push((index, path));
        if wanted.len() > max_files {
            return Err(BatchError::TooManyFiles { name: name.to_string(), count, limit: max_files });
        }
    }
    let mut entries = Vec::with_capacity(wanted.len());
    for (index, path) in wanted {
        let entry = archive.by_index(index).map_err(|e| corrupt(&e))?;
        let mut content = Vec::new();
        // Read one byte past the limit: a declared size that lies is caught here.
        entry.take(max_entry_bytes + 1).read_to_end(&mut content).map_err(|e| corrupt(&e))?;
        if content.len() as u64 > max_entry_bytes {
            return Err(BatchError::EntryTooLarge { entry: path, size: content.len() as u64, limit: max_entry_bytes });
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
}
