//! Hostile workbooks and zips, built by hand, and the mutations of the fuzz run: shared by the test
//! `hostile_workbooks.rs` and the example `hostile_peak` (which measures the peak memory of reading each).

#![allow(dead_code, reason = "the test and the example each use a part")]

use std::io::{Cursor, Read, Write};

/// A zip of the given entries; the first stored (an .ods wants its `mimetype` so), the others deflated.
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut out);
        for (i, (name, content)) in files.iter().enumerate() {
            let method = if i == 0 { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
            writer
                .start_file(name.as_str(), zip::write::SimpleFileOptions::default().compression_method(method))
                .unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap();
    }
    out.into_inner()
}

/// The entries of a zip, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (entry.name().to_string(), content)
        })
        .collect()
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/returns").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The filled return fixture with the sheet `公开事项` (sheet2.xml) rewritten by `edit`.
pub fn filled_with_items_sheet(edit: impl Fn(&str) -> String) -> Vec<u8> {
    let files = unzip(&fixture("filled.xlsx"))
        .into_iter()
        .map(|(name, content)| {
            if name == "xl/worksheets/sheet2.xml" {
                let text = String::from_utf8(content).unwrap();
                (name, edit(&text).into_bytes())
            } else {
                (name, content)
            }
        })
        .collect::<Vec<_>>();
    zip_of(&files)
}

/// The filled return with one more cell, far away: A1 … XFD1048576.
pub fn far_apart_xlsx() -> Vec<u8> {
    filled_with_items_sheet(|xml| {
        xml.replace("</sheetData>", r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>"#)
    })
}

/// The filled return whose `公开事项` declares the whole grid.
pub fn whole_grid_xlsx() -> Vec<u8> {
    filled_with_items_sheet(|xml| {
        let start = xml.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}A1:XFD1048576{}", &xml[..start], &xml[end..])
    })
}

/// An .ods whose one sheet repeats a value over the whole grid (1048576 rows × 16384 columns).
pub fn repeated_ods() -> Vec<u8> {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="公开事项"><table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip_of(&[
        ("mimetype".into(), b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
        ("content.xml".into(), content.as_bytes().to_vec()),
        ("META-INF/manifest.xml".into(), manifest.as_bytes().to_vec()),
    ])
}

/// The `Workbook` stream of an .xls, and a compound file holding a given one.
pub fn xls_stream(bytes: &[u8]) -> Vec<u8> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
    let mut stream = Vec::new();
    file.open_stream("/Workbook").unwrap().read_to_end(&mut stream).unwrap();
    stream
}

pub fn xls_with_stream(stream: &[u8]) -> Vec<u8> {
    let mut file = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook").unwrap().write_all(stream).unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

/// The filled .xls fixture with its first NUMBER/RK/LABELSST cell of every sheet moved to IV65536 (the far
/// corner of an .xls), so that calamine's dense range would span the whole sheet of each.
pub fn far_apart_xls() -> Vec<u8> {
    let mut stream = xls_stream(&fixture("filled.xls"));
    let mut at = 0;
    let mut first_of_sheet = false;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        match typ {
            0x0809 => first_of_sheet = true,
            0x0203 | 0x027E | 0x00FD if first_of_sheet && len >= 4 => {
                stream[at + 4..at + 8].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x00]);
                first_of_sheet = false;
            }
            _ => {}
        }
        at += 4 + len;
    }
    xls_with_stream(&stream)
}

/// A zip of 1,000 entries of 1 MiB of zeros each (about 1.1 MB), deflated once and copied raw.
pub fn zip_bomb() -> Vec<u8> {
    let mut one = Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut one);
        writer.start_file("0.xlsx", zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(&vec![0u8; 1024 * 1024]).unwrap();
        writer.finish().unwrap();
    }
    let one = one.into_inner();
    let mut source = zip::ZipArchive::new(Cursor::new(one.as_slice())).unwrap();
    let mut out = Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut out);
        for i in 0..1000 {
            writer.raw_copy_file_rename(source.by_index_raw(0).unwrap(), format!("{i}.xlsx")).unwrap();
        }
        writer.finish().unwrap();
    }
    out.into_inner()
}

/// A small deterministic generator (xorshift), so that a failing iteration can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A cell reference, mostly near the table, sometimes far out or malformed.
    pub fn reference(&mut self) -> String {
        let col = match self.below(4) {
            0 => "A".to_string(),
            1 => "XFD".to_string(),
            2 => ["T", "AA", "CV", "ZZZ", "XFE"][self.below(5)].to_string(),
            _ => String::new(),
        };
        let row = match self.below(5) {
            0 => "1".to_string(),
            1 => "1048576".to_string(),
            2 => (self.below(5000) + 1).to_string(),
            3 => "4294967296".to_string(),
            _ => "0".to_string(),
        };
        format!("{col}{row}")
    }
}

/// One mutation of a workbook: byte flips, a cut, or (inside the zip) a sheet's dimension, cell references and
/// repeat counts rewritten. The result may be anything; the parsers must answer it without panicking.
pub fn mutate(original: &[u8], rng: &mut Rng) -> Vec<u8> {
    let is_zip = original.starts_with(b"PK");
    match rng.below(if is_zip { 4 } else { 3 }) {
        0 => {
            let mut bytes = original.to_vec();
            for _ in 0..rng.below(16) + 1 {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
            bytes
        }
        1 => original[..rng.below(original.len())].to_vec(),
        2 if !is_zip => {
            // .xls: flip bytes inside the BIFF stream, mostly the row/column fields of records.
            let mut stream = xls_stream(original);
            for _ in 0..rng.below(8) + 1 {
                let at = rng.below(stream.len());
                let value = if rng.below(2) == 0 { 0xFF } else { rng.next() as u8 };
                stream[at] = value;
            }
            xls_with_stream(&stream)
        }
        _ => {
            let files = unzip(original)
                .into_iter()
                .map(|(name, content)| {
                    let is_sheet = name.starts_with("xl/worksheets/") || name == "content.xml";
                    if !is_sheet || rng.below(2) == 0 {
                        return (name, content);
                    }
                    let mut xml = String::from_utf8_lossy(&content).into_owned();
                    for _ in 0..rng.below(6) + 1 {
                        xml = mutate_xml(&xml, rng);
                    }
                    (name, xml.into_bytes())
                })
                .collect::<Vec<_>>();
            zip_of(&files)
        }
    }
}

/// Rewrites one attribute value of a sheet's XML: a dimension, a cell or row reference, a repeat count.
fn mutate_xml(xml: &str, rng: &mut Rng) -> String {
    let keys = [
        "<dimension ref=\"",
        " r=\"",
        "table:number-rows-repeated=\"",
        "table:number-columns-repeated=\"",
        "office:value=\"",
    ];
    let key = keys[rng.below(keys.len())];
    let found: Vec<usize> = xml.match_indices(key).map(|(i, _)| i + key.len()).collect();
    if found.is_empty() {
        return xml.to_string();
    }
    let start = found[rng.below(found.len())];
    let Some(len) = xml[start..].find('"') else { return xml.to_string() };
    let value = match key {
        "<dimension ref=\"" => format!("{}:{}", rng.reference(), rng.reference()),
        " r=\"" => rng.reference(),
        "office:value=\"" => ["1", "x", "1e308", "-0"][rng.below(4)].to_string(),
        _ => ["1048576", "16384", "2", "0", "99999999999", "-1", "a"][rng.below(7)].to_string(),
    };
    format!("{}{}{}", &xml[..start], value, &xml[start + len..])
}

/// The peak resident memory of this process so far (VmHWM), in kB.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
