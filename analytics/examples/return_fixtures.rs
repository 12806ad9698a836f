//! Writes the return fixtures of `tests/fixtures/returns/` (run by `make.sh`, which then converts some of them
//! with LibreOffice). Only `filled.xlsx` comes from our template writer; every other workbook is laid out cell by
//! cell here, the way an office edits a template by hand, so the parser is tested on files it did not write.
//!
//! Usage: `cargo run -p analytics --example return_fixtures -- DIR`

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use analytics::catalog::{standard_catalog, Catalog, ChannelCode};
use analytics::offices::OfficeCode;
use analytics::returns::template::{template_rows, TemplateRow};
use analytics::returns::{
    guide_requirements, write_filled, Disclosed, ItemReport, Period, RequirementReport, ReturnSnapshot, TemplateSpec,
};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

type Error = Box<dyn std::error::Error>;

/// A cell as laid out by hand.
#[derive(Clone)]
enum V {
    S(String),
    N(f64),
    D(NaiveDate),
    Blank,
}

fn s(text: impl Into<String>) -> V {
    V::S(text.into())
}

/// A sheet laid out by hand: rows of cells from A1, merged ranges `(first_row, first_col, last_row, last_col)`.
struct Grid {
    name: String,
    rows: Vec<Vec<V>>,
    merges: Vec<(u32, u16, u32, u16)>,
    hidden: bool,
}

impl Grid {
    fn new(name: &str) -> Self {
        Grid { name: name.to_string(), rows: Vec::new(), merges: Vec::new(), hidden: false }
    }
}

fn write_grids(path: &Path, grids: &[Grid]) -> Result<(), Error> {
    let mut workbook = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for grid in grids {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&grid.name)?;
        for (r, row) in grid.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                if grid.merges.iter().any(|m| r >= m.0 && r <= m.2 && c >= m.1 && c <= m.3 && (r, c) != (m.0, m.1)) {
                    continue;
                }
                match value {
                    V::S(text) => {
                        sheet.write_string(r, c, text)?;
                    }
                    V::N(n) => {
                        sheet.write_number(r, c, *n)?;
                    }
                    V::D(d) => {
                        let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        sheet.write_datetime_with_format(r, c, dt, &date)?;
                    }
                    V::Blank => {}
                }
            }
        }
        for m in &grid.merges {
            let text = match grid.rows.get(m.0 as usize).and_then(|row| row.get(m.1 as usize)) {
                Some(V::S(text)) => text.clone(),
                _ => String::new(),
            };
            sheet.merge_range(m.0, m.1, m.2, m.3, &text, &Format::new())?;
        }
        if grid.hidden {
            sheet.set_hidden(true);
        }
    }
    workbook.save(path)?;
    Ok(())
}

/// `2022` → `２０２２`.
fn full_width_digits(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }).collect()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

fn office() -> OfficeCode {
    OfficeCode::parse("0201").unwrap_or_else(|_| unreachable!("a valid code"))
}

fn q3() -> Period {
    Period::new(2022, 3).unwrap_or_else(|| unreachable!("a valid quarter"))
}

fn spec(catalog: &Catalog) -> TemplateSpec {
    TemplateSpec {
        office: office(),
        office_name: "新港海关".into(),
        district_name: "天津海关".into(),
        period: q3(),
        catalog: catalog.clone(),
        catalog_version: catalog.code.clone(),
    }
}

fn recommended(catalog: &Catalog, item: u32) -> BTreeSet<ChannelCode> {
    catalog
        .item(item)
        .map(|i| i.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect())
        .unwrap_or_default()
}

/// The valid return every fixture starts from (the same as the integration tests' `full_snapshot`).
fn full_snapshot(catalog: &Catalog) -> ReturnSnapshot {
    let items = template_rows(catalog)
        .into_iter()
        .map(|row| {
            let channels = recommended(catalog, row.item);
            let mut report = ItemReport::disclosed(row.item, channels.clone());
            report.element = row.element;
            if channels.contains(&ChannelCode::H) {
                report.other_channel = Some("海关总署网站".into());
            }
            report.location = Some(format!("http://tianjin.customs.gov.cn/item{}", row.item));
            report.formed_on = Some(d(2022, 7, 1));
            report.published_on = Some(d(2022, 7, 15));
            report
        })
        .collect();
    let requirements = guide_requirements()
        .into_iter()
        .map(|r| RequirementReport {
            code: r.code.clone(),
            fulfilled: Disclosed::Yes,
            evidence: Some(format!("{}：见本关文件", r.title_zh)),
            count: r.min_count.map(|_| 2),
        })
        .collect();
    ReturnSnapshot { office: office(), period: q3().code(), verified_on: None, items, requirements }
}

fn meta_grid(template_version: &str) -> Grid {
    let mut grid = Grid::new("_meta");
    grid.hidden = true;
    for (k, v) in [
        ("office_code", "0201"),
        ("office_name", "新港海关"),
        ("district", "天津海关"),
        ("period", "2022Q3"),
        ("catalog_version", "std-2021-23"),
        ("template_version", template_version),
    ] {
        grid.rows.push(vec![s(k), s(v)]);
    }
    grid
}

const CHANNEL_HEADERS: [&str; 8] = [
    "直属海关网站",
    "两微一端",
    "现场公示栏",
    "现场电子屏",
    "查询机、公用电脑",
    "服务手册",
    "入户/上门/网络精准推送",
    "其他",
];

/// The items sheet in the template's column order, one row per template row, from a function giving each row's
/// cells after 事项编号/要素序号.
fn plain_items(rows: &[TemplateRow], cells: impl Fn(&TemplateRow) -> Option<Vec<V>>) -> Grid {
    let mut grid = Grid::new("公开事项");
    grid.rows.push(vec![s("新港海关2022年第三季度 政务公开事项填报表")]);
    grid.rows.push(vec![s("填报单位：0201 新港海关"), V::Blank, s("报送期间：2022年第三季度")]);
    let mut header =
        vec![s("事项编号"), s("要素序号"), s("一级事项"), s("二级事项"), s("公开内容(要素)"), s("是否公开")];
    header.extend(CHANNEL_HEADERS.iter().map(|h| s(*h)));
    header.extend(
        ["其他渠道说明", "公开位置或网址", "信息形成或变更日期", "公开日期", "未公开的要素序号", "备注"].map(s),
    );
    grid.rows.push(header);
    for row in rows {
        if let Some(rest) = cells(row) {
            let mut line = vec![V::N(f64::from(row.item)), row.element.map_or(V::Blank, |e| V::N(f64::from(e)))];
            line.extend([s(&row.group), s(&row.name), s(&row.content)]);
            line.extend(rest);
            grid.rows.push(line);
        }
    }
    grid
}

/// The cells after 公开内容 of a valid row: 是否公开, A–H, 其他渠道说明, 位置, 形成, 公开, 未公开要素, 备注.
fn valid_cells(catalog: &Catalog, row: &TemplateRow) -> Vec<V> {
    let channels = recommended(catalog, row.item);
    let mut cells = vec![s("是")];
    cells.extend(ChannelCode::ALL.iter().map(|c| if channels.contains(c) { s("■") } else { V::Blank }));
    cells.push(if channels.contains(&ChannelCode::H) { s("海关总署网站") } else { V::Blank });
    cells.push(s(format!("http://tianjin.customs.gov.cn/item{}", row.item)));
    cells.extend([V::D(d(2022, 7, 1)), V::D(d(2022, 7, 15)), V::Blank, V::Blank]);
    cells
}

fn plain_requirements(cells: impl Fn(&str) -> Option<Vec<V>>) -> Grid {
    let mut grid = Grid::new("基本要求");
    grid.rows.push(vec![s("指引基本要求落实情况")]);
    grid.rows.push(vec![]);
    grid.rows.push(["要求编号", "指引条款", "要求", "性质", "是否落实", "佐证说明", "数量"].map(s).to_vec());
    for r in guide_requirements() {
        if let Some(rest) = cells(&r.code) {
            let mut line =
                vec![s(&r.code), s(&r.section), s(&r.title_zh), s(if r.mandatory { "应当" } else { "鼓励" })];
            line.extend(rest);
            grid.rows.push(line);
        }
    }
    grid
}

fn valid_requirement(code: &str) -> Vec<V> {
    let count = if code == "exchange_activities" { V::N(2.0) } else { V::Blank };
    let title = guide_requirements().into_iter().find(|r| r.code == code).map(|r| r.title_zh).unwrap_or_default();
    vec![s("是"), s(format!("{title}：见本关文件")), count]
}

/// Every tolerance rule at once: no `_meta` (labels in the header area), a two-row header with a merged group cell,
/// reordered and extra columns, full-width text, every yes/no/channel spelling, every date spelling, blank rows.
fn hand_edited(catalog: &Catalog) -> (Vec<Grid>, ReturnSnapshot) {
    let rows = template_rows(catalog);
    let mut grid = Grid::new("公开事项");
    grid.rows.push(vec![s("新港海关 政务公开事项填报表（手工整理）")]);
    grid.merges.push((0, 0, 0, 10));
    grid.rows.push(vec![
        s("填报单位"),
        s("０２０１ 新港海关"),
        V::Blank,
        s("报送期间：２０２２年第３季度"),
        V::Blank,
        s("模板版本：1"),
    ]);
    grid.rows.push(vec![]);
    // Header: 联系人 | 备注 | 事项编号 | 要素序号 | 二级事项 | 是否公开 | [公开渠道和载体: A..H] | 公开日期 | 信息形成或变更日期 |
    // 公开位置或网址 | 其他渠道说明 | 未公开要素
    let mut top =
        vec![s("联系人"), s("备 注"), s("＊事项编号"), s("要素序号"), s("二级事项"), s("是否公开（是/否/不适用）")];
    top.push(s("公开渠道和载体"));
    top.extend(std::iter::repeat_n(V::Blank, 7));
    top.extend([
        s("公开日期"),
        s("信息形成或变更日期（YYYY-MM-DD）"),
        s("公开位置/网址"),
        s("其他渠道说明"),
        s("未公开要素"),
    ]);
    grid.rows.push(top);
    for col in [0u16, 1, 2, 3, 4, 5, 14, 15, 16, 17, 18] {
        grid.merges.push((3, col, 4, col));
    }
    grid.merges.push((3, 6, 3, 13));
    let mut sub = std::iter::repeat_n(V::Blank, 6).collect::<Vec<_>>();
    sub.extend(
        [
            " 直属海关网站 ",
            "两微一端",
            "现场公示栏",
            "现场电子屏",
            "查询机、公用电脑",
            "服务手册",
            "入户/上门/网络精准推送",
            "其他（注明具体形式）",
        ]
        .map(s),
    );
    grid.rows.push(sub);
    let yes = ["是", "是的", "√", "✓", "✔", "■", "Y", "y", "Ｙ", " 是 ", "已公开"];
    let no = ["否", "N", "×", "未公开"];
    let na = ["不适用", "/", "N/A"];
    let marks: [V; 9] = [s("■"), s("√"), s("✓"), s("✔"), s("Y"), V::N(1.0), s("是"), s("☑"), s("Ｙ")];
    let date_forms = |date: NaiveDate, i: usize| -> V {
        let (y, m, dd) = (date.year(), date.month(), date.day());
        match i % 8 {
            0 => V::D(date),
            1 => V::N((date - d(1899, 12, 30)).num_days() as f64),
            2 => s(format!("{y}-{m:02}-{dd:02}")),
            3 => s(format!("{y}/{m}/{dd}")),
            4 => s(format!("{y}.{m}.{dd}")),
            5 => s(format!("{y}年{m}月{dd}日")),
            6 => s(full_width_digits(&format!("{y}年{m}月{dd}日"))),
            _ => s(format!("{y}{m:02}{dd:02}")),
        }
    };
    let mut items = Vec::new();
    let mut mark_i = 0usize;
    for (i, row) in rows.iter().enumerate() {
        if i == 5 {
            grid.rows.push(vec![]); // a blank row in the middle
        }
        let kind = i % 6; // 0..3 yes, 4 no, 5 not applicable
        let disclosed = match kind {
            4 => Disclosed::No,
            5 => Disclosed::NotApplicable,
            _ => Disclosed::Yes,
        };
        let answer = match disclosed {
            Disclosed::Yes => yes[i % yes.len()],
            Disclosed::No => no[i % no.len()],
            Disclosed::NotApplicable => na[i % na.len()],
        };
        let channels = if disclosed == Disclosed::Yes { recommended(catalog, row.item) } else { BTreeSet::new() };
        let formed = d(2022, 7, 1 + (i as u32 % 20));
        let published = formed + chrono::Days::new(3);
        let mut line = vec![
            s(if i % 2 == 0 { "张三" } else { "" }),
            s(if i % 3 == 0 { format!("第{}行备注", i + 1) } else { String::new() }),
            if i % 2 == 0 { V::N(f64::from(row.item)) } else { s(full_width_digits(&format!(" {} ", row.item))) },
            row.element.map_or(V::Blank, |e| V::N(f64::from(e))),
            s(&row.name),
            s(answer),
        ];
        for code in ChannelCode::ALL {
            if channels.contains(&code) {
                line.push(marks[mark_i % marks.len()].clone());
                mark_i += 1;
            } else {
                line.push(if i % 4 == 1 { s("□") } else { V::Blank });
            }
        }
        let dated = disclosed == Disclosed::Yes;
        line.push(if dated { date_forms(published, i) } else { V::Blank });
        line.push(if dated { date_forms(formed, i + 3) } else { V::Blank });
        line.push(if dated { s(format!(" http://tianjin.customs.gov.cn/item{} ", row.item)) } else { V::Blank });
        let other = channels.contains(&ChannelCode::H).then(|| "海关总署网站".to_string());
        line.push(other.clone().map_or(V::Blank, s));
        let missing = if row.item == 2 && dated { vec![4u32, 5] } else { Vec::new() };
        line.push(if missing.is_empty() { V::Blank } else { s("４，5") });
        grid.rows.push(line);
        items.push(ItemReport {
            item: row.item,
            element: row.element,
            disclosed,
            channels,
            other_channel: other,
            location: dated.then(|| format!("http://tianjin.customs.gov.cn/item{}", row.item)),
            formed_on: dated.then_some(formed),
            published_on: dated.then_some(published),
            elements_missing: missing,
            note: (i % 3 == 0).then(|| format!("第{}行备注", i + 1)),
        });
    }
    // 基本要求: columns reordered, codes in upper case, counts as text.
    let mut req = Grid::new("基本要求");
    req.rows.push(vec![s("是否落实"), s("数量"), s("要求编号"), s("佐证说明")]);
    let mut requirements = Vec::new();
    for (i, r) in guide_requirements().iter().enumerate() {
        let (answer, fulfilled) = match i % 4 {
            0 => ("√", Disclosed::Yes),
            1 => ("是", Disclosed::Yes),
            2 => ("Ｙ", Disclosed::Yes),
            _ => ("否", Disclosed::No),
        };
        let count = r.min_count.map(|_| 3);
        req.rows.push(vec![
            s(answer),
            count.map_or(V::Blank, |n| s(format!("{n}次"))),
            s(r.code.to_uppercase()),
            s(format!("证明{i}")),
        ]);
        requirements.push(RequirementReport {
            code: r.code.clone(),
            fulfilled,
            evidence: Some(format!("证明{i}")),
            count,
        });
    }
    let snapshot = ReturnSnapshot { office: office(), period: q3().code(), verified_on: None, items, requirements };
    (vec![grid, req], snapshot)
}

/// One row per kind of mistake (see the integration tests for the messages).
fn errors_workbook(catalog: &Catalog) -> Vec<Grid> {
    let rows = template_rows(catalog);
    let set = |cells: &mut Vec<V>, index: usize, value: V| cells[index] = value;
    // Cell indexes after 公开内容: 0 是否公开, 1..=8 A–H, 9 其他说明, 10 位置, 11 形成, 12 公开, 13 未公开要素, 14 备注.
    let mut items = plain_items(&rows, |row| {
        let mut cells = valid_cells(catalog, row);
        match (row.item, row.element) {
            (1, _) => set(&mut cells, 0, V::Blank),
            (2, _) => set(&mut cells, 0, s("可能")),
            (3, _) => (1..=8).for_each(|i| set(&mut cells, i, V::Blank)),
            (4, _) => set(&mut cells, 1, s("有")),
            (5, _) => set(&mut cells, 11, s("2022-13-01")),
            (6, _) => set(&mut cells, 12, s("2023-01-01")),
            (7, _) => set(&mut cells, 12, V::D(d(2022, 6, 1))),
            (8, _) => {
                set(&mut cells, 8, s("√"));
                set(&mut cells, 9, V::Blank);
            }
            (9, _) => set(&mut cells, 0, s("否")),
            (10, _) => set(&mut cells, 12, V::Blank),
            (11, _) => set(&mut cells, 13, s("9")),
            (13, _) => return None,
            _ => {}
        }
        Some(cells)
    });
    let extra = |item: V, element: V, cells: Vec<V>| {
        let mut line = vec![item, element, V::Blank, V::Blank, V::Blank];
        line.extend(cells);
        line
    };
    let twelve = rows.iter().find(|r| r.item == 12).map(|r| valid_cells(catalog, r)).unwrap_or_default();
    let fourteen = rows.iter().find(|r| r.item == 14).map(|r| valid_cells(catalog, r)).unwrap_or_default();
    items.rows.push(extra(V::N(12.0), V::Blank, twelve.clone()));
    items.rows.push(extra(V::N(99.0), V::Blank, twelve.clone()));
    items.rows.push(extra(s("abc"), V::Blank, twelve.clone()));
    items.rows.push(extra(V::N(14.0), V::N(2.0), fourteen));
    items.rows.push(extra(V::N(24.0), V::N(3.0), twelve.clone()));
    items.rows.push(extra(V::Blank, V::Blank, twelve));
    let requirements = plain_requirements(|code| match code {
        "leader_filed" => Some(vec![V::Blank, V::Blank, V::Blank]),
        "exchange_activities" => Some(vec![s("是"), s("座谈会"), V::N(0.0)]),
        "precise_push" => None,
        _ => Some(valid_requirement(code)),
    });
    let mut requirements = requirements;
    requirements.rows.push(vec![s("foo"), V::Blank, V::Blank, V::Blank, s("是")]);
    requirements.rows.push(vec![s("interpretation"), V::Blank, V::Blank, V::Blank, s("是"), V::Blank, s("很多")]);
    requirements.rows.push(vec![s("training"), V::Blank, V::Blank, V::Blank, s("是")]);
    vec![meta_grid("1"), items, requirements]
}

/// A compound file holding the two streams of an encrypted OOXML package (what Excel writes for a password).
fn encrypted_xlsx(path: &Path) -> Result<(), Error> {
    let file = std::fs::File::create(path)?;
    let mut compound = cfb::CompoundFile::create(file)?;
    // Agile encryption: version 4.4, then an XML descriptor (not a real key, the parser refuses before reading it).
    let mut info = compound.create_stream("/EncryptionInfo")?;
    info.write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0])?;
    info.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><encryption/>")?;
    drop(info);
    let mut package = compound.create_stream("/EncryptedPackage")?;
    package.write_all(&4096u64.to_le_bytes())?;
    package.write_all(&[0x5a; 4096])?;
    drop(package);
    compound.flush()?;
    Ok(())
}

/// A zip whose central directory declares the given unpacked sizes; the data is `packed` bytes of nothing.
fn zip_declaring(entries: &[(String, u32, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, declared, packed) in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central_dir: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central_dir {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&8u16.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&0x21u16.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes());
            h.extend_from_slice(&(*packed as u32).to_le_bytes());
            h.extend_from_slice(&declared.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            if central_dir {
                // comment length, disk, internal and external attributes
                h.extend_from_slice(&[0; 10]);
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(std::iter::repeat_n(0u8, *packed));
        central.extend(header(0x0201_4b50, true));
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn main() -> Result<(), Error> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: return_fixtures DIR")?);
    std::fs::create_dir_all(&dir)?;
    let catalog = standard_catalog().map_err(|e| format!("{e:?}"))?;
    let snapshot = full_snapshot(&catalog);

    // Our writer, for LibreOffice to convert.
    let filled = write_filled(&spec(&catalog), &snapshot)?;
    std::fs::write(dir.join("filled.xlsx"), &filled)?;
    std::fs::write(dir.join("filled.expected.json"), serde_json::to_string_pretty(&snapshot)?)?;
    std::fs::write(dir.join("truncated.xlsx"), &filled[..filled.len() / 2])?;

    let (grids, expected) = hand_edited(&catalog);
    write_grids(&dir.join("hand-edited.xlsx"), &grids)?;
    std::fs::write(dir.join("hand-edited.expected.json"), serde_json::to_string_pretty(&expected)?)?;

    write_grids(&dir.join("errors.xlsx"), &errors_workbook(&catalog))?;

    let rows = template_rows(&catalog);
    let valid_items = || plain_items(&rows, |row| Some(valid_cells(&catalog, row)));
    let valid_requirements = || plain_requirements(|code| Some(valid_requirement(code)));
    write_grids(&dir.join("wrong-version.xlsx"), &[meta_grid("0"), valid_items(), valid_requirements()])?;

    let mut no_disclosed = valid_items();
    for row in &mut no_disclosed.rows[2..] {
        row.remove(5);
    }
    write_grids(&dir.join("missing-column.xlsx"), &[meta_grid("1"), no_disclosed])?;

    let mut unlabelled = valid_items();
    unlabelled.rows[1] = vec![s("新港海关")];
    write_grids(&dir.join("no-meta.xlsx"), &[unlabelled, valid_requirements()])?;

    write_grids(&dir.join("empty-workbook.xlsx"), &[Grid::new("Sheet1")])?;
    std::fs::write(dir.join("empty-file.xlsx"), b"")?;
    std::fs::write(dir.join("not-a-workbook.xlsx"), "事项编号,是否公开\n1,是\n")?;
    encrypted_xlsx(&dir.join("encrypted.xlsx"))?;

    let bomb = |sheet_size: u32| {
        vec![("[Content_Types].xml".to_string(), 1000, 100), ("xl/worksheets/sheet1.xml".to_string(), sheet_size, 1000)]
    };
    std::fs::write(dir.join("zip-bomb-entry.xlsx"), zip_declaring(&bomb(4_000_000_000)))?;
    std::fs::write(dir.join("zip-bomb-ratio.xlsx"), zip_declaring(&bomb(150_000_000)))?;
    let many: Vec<(String, u32, usize)> = (0..1001).map(|i| (format!("xl/media/image{i}.png"), 0, 0)).collect();
    std::fs::write(dir.join("zip-many-entries.xlsx"), zip_declaring(&many))?;
    Ok(())
}
