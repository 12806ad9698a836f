//! The return template and its parser, end to end: what an office downloads, fills in and uploads.

use std::collections::BTreeSet;

use analytics::catalog::{standard_catalog, Catalog, ChannelCode};
use analytics::offices::OfficeCode;
use analytics::returns::import::{parse_answer, parse_channel_mark, MetaSource};
use analytics::returns::template::template_rows;
use analytics::returns::{
    guide_requirements, parse_return, write_filled, write_template, Disclosed, ItemReport, ParseContext, ParseOutcome,
    Period, RequirementReport, ReturnSnapshot, Severity, TemplateSpec, TEMPLATE_VERSION,
};
use analytics::sheets::{Cell, SourceFormat};
use calamine::{Reader, SheetVisible};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn office() -> OfficeCode {
    OfficeCode::parse("0201").unwrap()
}

fn q3() -> Period {
    Period::new(2022, 3).unwrap()
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

/// A complete, valid return: every row disclosed through its recommended channels.
fn full_snapshot(catalog: &Catalog) -> ReturnSnapshot {
    let items = template_rows(catalog)
        .into_iter()
        .map(|row| {
            let item = catalog.item(row.item).unwrap();
            let channels: BTreeSet<ChannelCode> =
                item.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect();
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

fn ctx(catalog: &Catalog) -> ParseContext<'_> {
    ParseContext::new(d(2022, 10, 10), catalog)
}

fn messages(outcome: &ParseOutcome) -> Vec<String> {
    outcome.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_filled_template_reads_back_as_the_same_snapshot() {
    let catalog = standard_catalog().unwrap();
    let snapshot = full_snapshot(&catalog);
    let bytes = write_filled(&spec(&catalog), &snapshot).unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    assert_eq!(messages(&outcome), Vec::<String>::new());
    assert_eq!(outcome.meta.office, Some(office()));
    assert_eq!(outcome.meta.period, Some(q3()));
    assert_eq!(outcome.meta.template_version.as_deref(), Some(TEMPLATE_VERSION));
    assert_eq!(outcome.accepted(), Some(&snapshot));
}

#[test]
fn an_empty_template_reports_every_missing_answer_as_an_error() {
    let catalog = standard_catalog().unwrap();
    let bytes = write_template(&spec(&catalog)).unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    let rows = template_rows(&catalog).len();
    let errors: Vec<_> = outcome.errors().collect();
    assert_eq!(errors.len(), rows + guide_requirements().len(), "{:#?}", messages(&outcome));
    assert!(errors.iter().all(|p| p.severity == Severity::Error));
    assert_eq!(errors[0].to_string(), "公开事项!F4：是否公开不能为空：请填 是、否 或 不适用");
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/returns").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_fixture(name: &str) -> ParseOutcome {
    let catalog = standard_catalog().unwrap();
    let format = SourceFormat::from_file_name(name).unwrap();
    parse_return(&fixture(name), format, &ctx(&catalog))
}

fn expected(name: &str) -> ReturnSnapshot {
    serde_json::from_slice(&fixture(name)).unwrap()
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

#[test]
fn the_template_has_its_four_sheets_with_meta_hidden_and_the_notices_channel_names() {
    let catalog = standard_catalog().unwrap();
    let bytes = write_template(&spec(&catalog)).unwrap();
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
    let sheets: Vec<(String, bool)> =
        workbook.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible == SheetVisible::Visible)).collect();
    assert_eq!(
        sheets,
        vec![
            ("填报说明".to_string(), true),
            ("公开事项".to_string(), true),
            ("基本要求".to_string(), true),
            ("_meta".to_string(), false)
        ]
    );
    let items = workbook.worksheet_range("公开事项").unwrap();
    let header: Vec<String> = items.rows().nth(2).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "事项编号",
            "要素序号",
            "一级事项",
            "二级事项",
            "公开内容(要素)",
            "是否公开",
            "直属海关网站",
            "两微一端",
            "现场公示栏",
            "现场电子屏",
            "查询机、公用电脑",
            "服务手册",
            "入户/上门/网络精准推送",
            "其他",
            "其他渠道说明",
            "公开位置或网址",
            "信息形成或变更日期",
            "公开日期",
            "未公开的要素序号",
            "备注"
        ]
    );
    let title = items.rows().next().unwrap()[0].to_string();
    assert!(title.contains("2022年第三季度"), "{title}");
    // 25 items, item 24 split into its two elements, each saying which element it is.
    let data: Vec<_> = items.rows().skip(3).collect();
    assert_eq!(data.len(), 26);
    let item24: Vec<String> = data.iter().filter(|r| r[0] == 24.0).map(|r| format!("{}|{}", r[1], r[4])).collect();
    assert_eq!(item24, ["1|1. 依申请公开渠道", "2|2. 政府信息公开年报"]);
    let requirements = workbook.worksheet_range("基本要求").unwrap();
    assert_eq!(requirements.rows().skip(3).count(), guide_requirements().len());
    let meta = workbook.worksheet_range("_meta").unwrap();
    let pairs: Vec<String> = meta.rows().map(|r| format!("{}={}", r[0], r[1])).collect();
    assert_eq!(
        pairs,
        [
            "office_code=0201",
            "office_name=新港海关",
            "district=天津海关",
            "period=2022Q3",
            "catalog_version=std-2021-23",
            "template_version=1"
        ]
    );
}

#[test]
fn the_template_locks_catalog_cells_offers_drop_downs_formats_dates_and_freezes_the_header() {
    let catalog = standard_catalog().unwrap();
    let bytes = write_template(&spec(&catalog)).unwrap();
    let items = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
    assert!(items.contains("<sheetProtection"), "protected");
    assert!(!items.contains("password="), "without a password");
    assert!(items.contains("formatColumns=\"0\" formatRows=\"0\""), "columns and rows may still be resized");
    assert!(items.contains("\"是,否,不适用\""), "是否公开 drop-down");
    assert!(items.contains("sqref=\"F4:F29\""), "on every item row");
    assert!(items.contains("<pane xSplit=\"6\" ySplit=\"3\""), "header and item columns frozen");
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "input cells unlocked");
    assert!(styles.contains("formatCode=\"yyyy-mm-dd\""), "date cells formatted as dates");
    let requirements = zip_entry(&bytes, "xl/worksheets/sheet3.xml");
    assert!(requirements.contains("<sheetProtection") && requirements.contains("\"是,否,不适用\""));
}

#[test]
fn workbooks_re_saved_by_libreoffice_read_back_as_the_same_snapshot() {
    let catalog = standard_catalog().unwrap();
    let expected = expected("filled.expected.json");
    assert_eq!(expected, full_snapshot(&catalog), "the fixture is the tests' full return");
    for name in ["filled.xlsx", "filled-libreoffice.xlsx", "filled.xls", "filled.ods"] {
        let outcome = parse_fixture(name);
        assert_eq!(messages(&outcome), Vec::<String>::new(), "{name}");
        assert_eq!(outcome.meta.source, MetaSource::MetaSheet, "{name}");
        assert_eq!(outcome.accepted(), Some(&expected), "{name}");
    }
}

#[test]
fn a_hand_edited_return_with_every_tolerated_variation_reads_as_intended() {
    // No _meta sheet (labels in the header area, full-width), a two-row header under a merged group cell,
    // reordered and extra columns, every spelling of yes/no/not applicable, channel marks and dates, blank rows;
    // re-saved by LibreOffice as .ods and .xls too.
    let expected = expected("hand-edited.expected.json");
    for name in ["hand-edited.xlsx", "hand-edited.ods", "hand-edited.xls"] {
        let outcome = parse_fixture(name);
        assert_eq!(messages(&outcome), Vec::<String>::new(), "{name}");
        assert_eq!(outcome.meta.source, MetaSource::HeaderCells, "{name}");
        assert_eq!(outcome.meta.office_name.as_deref(), Some("新港海关"));
        assert_eq!(outcome.accepted(), Some(&expected), "{name}");
    }
}

#[test]
fn answers_accept_the_usual_marks_for_yes_no_and_not_applicable() {
    for yes in ["是", "是的", "已公开", "√", "✓", "✔", "■", "Y", "y", "yes", "Ｙ", " 是 "] {
        assert_eq!(parse_answer(yes), Some(Disclosed::Yes), "{yes}");
    }
    for no in ["否", "N", "n", "×", "✗", "未公开", "Ｎ"] {
        assert_eq!(parse_answer(no), Some(Disclosed::No), "{no}");
    }
    for na in ["不适用", "不涉及", "/", "N/A", "ＮＡ"] {
        assert_eq!(parse_answer(na), Some(Disclosed::NotApplicable), "{na}");
    }
    for unknown in ["", "可能", "是否", "1"] {
        assert_eq!(parse_answer(unknown), None, "{unknown}");
    }
}

#[test]
fn channel_marks_accept_the_usual_ticks_and_treat_blank_as_unused() {
    for used in ["■", "√", "✓", "✔", "☑", "Y", "y", "1", "是", "Ｙ"] {
        assert_eq!(parse_channel_mark(&Cell::Text(used.into())), Some(true), "{used}");
    }
    assert_eq!(parse_channel_mark(&Cell::Number(1.0)), Some(true));
    for unused in ["□", "×", "N", "0", "否"] {
        assert_eq!(parse_channel_mark(&Cell::Text(unused.into())), Some(false), "{unused}");
    }
    assert_eq!(parse_channel_mark(&Cell::Empty), Some(false));
    assert_eq!(parse_channel_mark(&Cell::Text("有".into())), None);
    assert_eq!(parse_channel_mark(&Cell::Number(2.0)), None);
}

#[test]
fn every_mistake_in_a_return_is_reported_at_its_cell_in_chinese() {
    let outcome = parse_fixture("errors.xlsx");
    let with_severity: Vec<String> =
        outcome.problems.iter().map(|p| format!("{}｜{p}", p.severity.name_zh())).collect();
    assert_eq!(
        with_severity,
        [
            "错误｜公开事项!F4：是否公开不能为空：请填 是、否 或 不适用",
            "错误｜公开事项!F5：无法识别“可能”：是否公开应填 是、否 或 不适用",
            "错误｜公开事项 第6行：事项 3 填了“是”，但没有标记任何公开渠道：每个已公开的事项至少选择一个渠道（目录备注3）",
            "错误｜公开事项!G7：无法识别渠道标记“有”：使用该渠道请填 ■ 或 √，不使用请留空",
            "错误｜公开事项!Q8：信息形成或变更日期：无法识别日期“2022-13-01”；请写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日",
            "错误｜公开事项!R9：公开日期 2023-01-01 晚于今天（2022-10-10），不能填将来的日期",
            "提示｜公开事项!R10：公开日期 2022-06-01 早于信息形成或变更日期 2022-07-01；请核对",
            "提示｜公开事项!O11：选择了“其他”渠道，请在其他渠道说明中注明具体形式",
            "提示｜公开事项 第12行：事项 9 是否公开为“否”，却标记了公开渠道；请核对",
            "提示｜公开事项!R13：已公开的事项请填写公开日期（按需更新的事项填最近一次更新日期），否则无法判断是否按时公开",
            "错误｜公开事项!S14：事项 11（行政检查）没有第 9 个要素",
            "错误｜公开事项 第29行：事项 12 重复填报：第15行已填过，请删去一行",
            "错误｜公开事项!A30：目录（std-2021-23）中没有序号为 99 的事项",
            "错误｜公开事项!A31：无法识别事项编号“abc”，应为目录中的序号，如 5",
            "错误｜公开事项!B32：事项 14（预决算信息）按整项填报，不分要素：请删去要素序号 2",
            "错误｜公开事项!B33：事项 24（政府信息公开）没有第 3 个要素",
            "错误｜公开事项!A34：事项编号不能为空",
            "错误｜公开事项：缺少事项 13（现场执法人员信息）的填报行：目录中的每个事项都要填报",
            "错误｜基本要求!E4：是否落实不能为空：请填 是、否 或 不适用",
            "提示｜基本要求!G12：数量 0 少于指引要求的 1 次，却填了已落实；请核对",
            "错误｜基本要求!A15：未知的要求编号“foo”：请使用下载的填报模板，不要修改要求编号",
            "错误｜基本要求 第16行：要求 interpretation 重复填报：第9行已填过，请删去一行",
            "错误｜基本要求 第17行：要求 training 重复填报：第14行已填过，请删去一行",
            "错误｜基本要求：缺少要求 precise_push（推行精准推送（鼓励））的填报行",
        ]
    );
    let location = outcome.problems[0].location.as_ref().unwrap();
    assert_eq!(
        (location.sheet.as_str(), location.row, location.cell().as_deref()),
        ("公开事项", Some(4), Some("公开事项!F4"))
    );
    assert!(outcome.problems.last().unwrap().location.as_ref().unwrap().row.is_none());
    // The rows without errors are still read, for the preview; nothing may be accepted.
    let snapshot = outcome.snapshot.as_ref().unwrap();
    assert!(snapshot.item(7).is_some() && snapshot.item(1).is_none());
    assert_eq!(outcome.accepted(), None);
}

#[test]
fn warnings_alone_do_not_block_acceptance() {
    let catalog = standard_catalog().unwrap();
    let mut snapshot = full_snapshot(&catalog);
    let first = &mut snapshot.items[0];
    first.published_on = Some(d(2022, 6, 1));
    let bytes = write_filled(&spec(&catalog), &snapshot).unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    assert_eq!(messages(&outcome), ["公开事项!R4：公开日期 2022-06-01 早于信息形成或变更日期 2022-07-01；请核对"]);
    assert_eq!(outcome.warnings().count(), 1);
    assert_eq!(outcome.accepted(), Some(&snapshot));
}

#[test]
fn a_return_for_another_office_period_or_catalog_version_is_refused() {
    let catalog = standard_catalog().unwrap();
    let other_office = OfficeCode::parse("0202").unwrap();
    let context = ParseContext {
        expected_office: Some(&other_office),
        expected_period: Some(Period::new(2022, 4).unwrap()),
        expected_catalog_version: Some("dist-0200-2022"),
        ..ctx(&catalog)
    };
    let outcome = parse_return(&fixture("filled.xlsx"), SourceFormat::Xlsx, &context);
    assert_eq!(
        messages(&outcome),
        [
            "填报单位为 0201，而本次只能报送 0202 的填报表：请确认上传的是本单位的文件",
            "报送期间为 2022年第三季度，而本次报送的是 2022年第四季度：请下载本期的填报模板",
            "填报表所用目录版本为 std-2021-23，与本单位适用的目录版本 dist-0200-2022 不一致：请重新下载填报模板",
        ]
    );
    assert_eq!(outcome.accepted(), None);
}

#[test]
fn a_template_of_another_version_is_refused_with_a_clear_message() {
    let outcome = parse_fixture("wrong-version.xlsx");
    assert_eq!(
        messages(&outcome),
        ["填报模板版本为 0，本系统只接受版本 1 的模板：请重新下载填报模板，把内容抄入新模板后上传"]
    );
    assert!(outcome.has_errors());
}

#[test]
fn a_missing_sheet_or_column_is_named() {
    let outcome = parse_fixture("missing-column.xlsx");
    assert_eq!(
        messages(&outcome),
        [
            "缺少工作表“基本要求”：请使用下载的填报模板，不要删除或改名工作表",
            "公开事项 第3行：缺少必需的列：是否公开（请使用下载的填报模板，不要删除或改写表头）",
        ]
    );
}

#[test]
fn without_meta_sheet_or_header_labels_office_and_period_are_unknown() {
    let outcome = parse_fixture("no-meta.xlsx");
    assert_eq!(
        messages(&outcome),
        [
            "无法确定填报单位：工作簿中没有隐藏的 _meta 工作表，表头中也找不到“填报单位：代码 名称”；请使用下载的填报模板",
            "无法确定报送期间：工作簿中没有隐藏的 _meta 工作表，表头中也找不到“报送期间：2022年第三季度”；请使用下载的填报模板",
            "未找到模板版本，按版本 1 读取；请尽量使用下载的填报模板",
        ]
    );
    assert_eq!(outcome.meta.source, MetaSource::None);
    assert!(outcome.snapshot.is_none());
    // The uploader's expected office and period fill the gap for the preview, the errors stay.
    let catalog = standard_catalog().unwrap();
    let code = office();
    let context = ParseContext { expected_office: Some(&code), expected_period: Some(q3()), ..ctx(&catalog) };
    let outcome = parse_return(&fixture("no-meta.xlsx"), SourceFormat::Xlsx, &context);
    assert_eq!(outcome.snapshot.as_ref().map(|s| s.items.len()), Some(26));
    assert_eq!(outcome.accepted(), None);
}

#[test]
fn hostile_and_broken_files_each_get_one_clear_error() {
    let cases = [
        ("empty-file.xlsx", "文件是空的，没有任何内容"),
        ("empty-workbook.xlsx", "工作簿是空的，没有任何内容：请上传填好的填报模板"),
        (
            "not-a-workbook.xlsx",
            "文件不是有效的 .xlsx 工作簿（既不是 Excel/ODS 压缩包，也不是旧版 .xls）；如果是 CSV 文本，请以 .csv 扩展名上传",
        ),
        ("encrypted.xlsx", "工作簿设有打开密码（已加密），无法读取：请在 Excel 中取消密码后另存为 .xlsx 再导入"),
        ("encrypted.xls", "工作簿设有打开密码（已加密），无法读取：请在 Excel 中取消密码后另存为 .xlsx 再导入"),
        (
            "zip-bomb-entry.xlsx",
            "工作簿中的“xl/worksheets/sheet1.xml”声明解压后有 4000000000 字节，超过上限 200000000 字节（200 MB），拒绝读取",
        ),
        ("zip-bomb-ratio.xlsx", "工作簿的压缩比异常（解压后 150001000 字节，压缩后 1100 字节，超过 100 倍），拒绝读取"),
        ("zip-many-entries.xlsx", "工作簿的压缩包中有 1001 个条目，超过上限 1000，拒绝读取"),
    ];
    for (name, message) in cases {
        let outcome = parse_fixture(name);
        assert_eq!(messages(&outcome), [message], "{name}");
        assert!(outcome.snapshot.is_none() && outcome.has_errors(), "{name}");
    }
    let truncated = messages(&parse_fixture("truncated.xlsx"));
    assert_eq!(truncated.len(), 1);
    assert!(truncated[0].starts_with("无法读取该 .xlsx 文件：文件可能已损坏"), "{}", truncated[0]);
    let catalog = standard_catalog().unwrap();
    let csv = parse_return("事项编号,是否公开\n1,是\n".as_bytes(), SourceFormat::Csv, &ctx(&catalog));
    assert_eq!(messages(&csv), ["填报表必须是工作簿（.xlsx、.xls 或 .ods），不接受 CSV：请上传下载的填报模板"]);
}

#[test]
fn a_sheet_with_too_many_rows_is_refused() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("公开事项").unwrap();
    sheet.write_string(0, 0, "填报单位：0201").unwrap();
    sheet.write_string(0, 1, "报送期间：2022Q3").unwrap();
    let mut headers = vec!["事项编号", "是否公开", "信息形成或变更日期", "公开日期"];
    headers.extend(ChannelCode::ALL.map(|c| c.name_zh()));
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(1, col as u16, *header).unwrap();
    }
    for row in 2..2_100u32 {
        sheet.write_number(row, 0, 1).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let catalog = standard_catalog().unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    assert!(
        messages(&outcome).contains(&"公开事项：数据行太多：最多 2000 行；请使用下载的填报模板".to_string()),
        "{:?}",
        messages(&outcome)
    );
}

#[test]
fn parsing_never_panics_on_damaged_returns() {
    let catalog = standard_catalog().unwrap();
    let valid = fixture("filled.xlsx");
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for format in [SourceFormat::Xlsx, SourceFormat::Xls, SourceFormat::Ods] {
        for cut in [1, 4, 100, valid.len() / 3, valid.len() - 22, valid.len() - 1] {
            let _ = parse_return(&valid[..cut], format, &ctx(&catalog));
        }
        for _ in 0..15 {
            let mut damaged = valid.clone();
            for _ in 0..6 {
                let at = (next() as usize) % damaged.len();
                damaged[at] = next() as u8;
            }
            let _ = parse_return(&damaged, format, &ctx(&catalog));
        }
    }
}

#[test]
fn write_filled_refuses_a_snapshot_of_another_office_or_period() {
    let catalog = standard_catalog().unwrap();
    let mut snapshot = full_snapshot(&catalog);
    snapshot.office = OfficeCode::parse("0202").unwrap();
    let err = write_filled(&spec(&catalog), &snapshot).unwrap_err();
    assert_eq!(err.to_string(), "填报数据属于 0202，与模板的填报单位 0201 不一致");
    let mut snapshot = full_snapshot(&catalog);
    snapshot.period = "2022Q4".into();
    let err = write_filled(&spec(&catalog), &snapshot).unwrap_err();
    assert_eq!(err.to_string(), "填报数据的报送期间为 2022Q4，与模板的报送期间 2022Q3 不一致");
}

#[test]
fn the_preview_lists_what_changed_since_the_last_accepted_return() {
    let previous = parse_fixture("filled.xlsx").accepted().cloned().unwrap();
    let next = parse_fixture("hand-edited.xlsx").accepted().cloned().unwrap();
    let changes = analytics::returns::diff(&previous, &next);
    let descriptions: Vec<&str> = changes.iter().map(|c| c.description.as_str()).collect();
    assert!(descriptions.contains(&"事项 1 备注：（空） → 第1行备注"), "{descriptions:#?}");
    assert!(descriptions.contains(&"事项 2 未公开的要素序号：（空） → 4、5"), "{descriptions:#?}");
    assert!(descriptions.contains(&"要求 application_channels 是否落实：是 → 否"), "{descriptions:#?}");
    assert!(analytics::returns::diff(&previous, &previous).is_empty());
}

/// A workbook of text cells laid out by hand: `_meta` pairs (none: no sheet), then the items and requirement sheets
/// from row 1 (an empty string is a blank cell; `None`: no sheet).
fn text_workbook(meta: &[(&str, &str)], items: Option<&[Vec<&str>]>, requirements: Option<&[Vec<&str>]>) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let mut add = |name: &str, rows: &[Vec<&str>]| {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    sheet.write_string(r as u32, c as u16, *text).unwrap();
                }
            }
        }
    };
    if !meta.is_empty() {
        let rows: Vec<Vec<&str>> = meta.iter().map(|(k, v)| vec![*k, *v]).collect();
        add("_meta", &rows);
    }
    if let Some(rows) = items {
        add("公开事项", rows);
    }
    if let Some(rows) = requirements {
        add("基本要求", rows);
    }
    workbook.save_to_buffer().unwrap()
}

const GOOD_META: [(&str, &str); 3] = [("office_code", "0201"), ("period", "2022Q3"), ("template_version", "1")];

fn item_header() -> Vec<&'static str> {
    let mut header = vec!["事项编号", "要素序号", "是否公开"];
    header.extend(ChannelCode::ALL.map(|c| c.name_zh()));
    header.extend(["信息形成或变更日期", "公开日期", "未公开的要素序号"]);
    header
}

#[test]
fn unreadable_metadata_is_named_with_where_it_was_read() {
    let bytes = text_workbook(&[("office_code", "02A1"), ("period", "2022H2"), ("template_version", "1")], None, None);
    let catalog = standard_catalog().unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    assert_eq!(
        messages(&outcome),
        [
            "缺少工作表“公开事项”：请使用下载的填报模板，不要删除或改名工作表",
            "缺少工作表“基本要求”：请使用下载的填报模板，不要删除或改名工作表",
            "隐藏工作表 _meta 中的填报单位“02A1”不是4位数字的机构代码",
            "隐藏工作表 _meta 中的无法识别报送期间“2022H2”，应写成 2022Q3 或 2022年第三季度",
        ]
    );
    // Chinese keys are accepted in _meta, and a dropped leading zero is tolerated.
    let bytes =
        text_workbook(&[("填报单位", "201 新港海关"), ("报送期间", "2022年第三季度"), ("模板版本", "1")], None, None);
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    assert_eq!((outcome.meta.office, outcome.meta.period), (Some(office()), Some(q3())));
    assert_eq!(outcome.meta.office_name.as_deref(), Some("新港海关"));
}

#[test]
fn a_sheet_without_a_header_row_or_with_a_column_twice_is_reported() {
    let catalog = standard_catalog().unwrap();
    let no_header: &[Vec<&str>] = &[vec!["随便写的", "内容"], vec!["1", "是"]];
    let bytes = text_workbook(&GOOD_META, Some(no_header), Some(no_header));
    let found = messages(&parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog)));
    assert_eq!(
        found,
        [
            "公开事项：找不到表头行：请使用下载的填报模板，不要删除或修改表头",
            "基本要求：找不到表头行：请使用下载的填报模板，不要删除或修改表头",
        ]
    );
    let mut header = item_header();
    header.push("是否公开");
    let twice: &[Vec<&str>] = &[header];
    let bytes = text_workbook(&GOOD_META, Some(twice), None);
    let found = messages(&parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog)));
    assert!(
        found.contains(&"公开事项!O1：列“是否公开”出现了两次（C 列和 O 列），请只保留一列".to_string()),
        "{found:#?}"
    );
}

#[test]
fn less_common_mistakes_of_items_and_requirements_are_reported_at_their_cells() {
    let catalog = standard_catalog().unwrap();
    let items: Vec<Vec<&str>> = vec![
        item_header(),
        // 24-1 given inline in 事项编号 is accepted; its element 2 is missing.
        vec!["24-1", "", "是", "■", "", "", "", "", "", "", "", "2022-07-01", "2022-07-02", ""],
        vec!["5", "一", "是", "■", "", "", "", "", "", "", "", "2022-07-01", "2022-07-02", ""],
        vec!["6", "", "是", "■", "", "", "", "", "", "", "", "2022-07-01", "2022-07-02", "第二项"],
        vec!["7", "", "是", "■", "", "", "", "", "", "", "", "2022", "2022-07-02", ""],
    ];
    let requirements: Vec<Vec<&str>> = vec![
        vec!["要求编号", "是否落实", "数量"],
        vec!["", "是", ""],
        vec!["exchange_activities", "是", ""],
        vec!["training", "大概", ""],
        vec!["interpretation", "是", "很多"],
    ];
    let bytes = text_workbook(&GOOD_META, Some(&items), Some(&requirements));
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    let found = messages(&outcome);
    let expected = [
        "公开事项!B3：无法识别要素序号“一”",
        "公开事项!N4：无法识别未公开的要素序号“第二项”：请填序号，多个用顿号分隔，如 2、3",
        "公开事项!L5：信息形成或变更日期：无法识别日期“2022”；请写成 2022-08-31、2022/8/31、2022.8.31 或 2022年8月31日",
        "公开事项：缺少事项 24（政府信息公开）要素 2 的填报行：目录中的每个事项都要填报",
        "基本要求!A2：要求编号不能为空",
        "基本要求!C3：请填写本年度的数量（指引要求至少 1 次）",
        "基本要求!B4：无法识别“大概”：是否落实应填 是、否 或 不适用",
        "基本要求!C5：数量“很多”不是不小于 0 的整数",
    ];
    for message in expected {
        assert!(found.contains(&message.to_string()), "{message}\n{found:#?}");
    }
    let snapshot = outcome.snapshot.unwrap();
    assert_eq!(snapshot.element(24, 1).map(|r| r.element), Some(Some(1)));
}

#[test]
fn a_data_row_whose_note_reads_like_a_header_stays_data_and_two_requirement_columns_suffice() {
    let catalog = standard_catalog().unwrap();
    let mut header = vec!["备注"];
    header.extend(item_header());
    let items: Vec<Vec<&str>> =
        vec![header, vec!["说明", "1", "", "是", "■", "", "", "", "", "", "", "", "2022-07-01", "2022-07-02", ""]];
    let requirements: Vec<Vec<&str>> = vec![vec!["要求编号", "是否落实"], vec!["training", "是"]];
    let bytes = text_workbook(&GOOD_META, Some(&items), Some(&requirements));
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    let snapshot = outcome.snapshot.unwrap();
    assert_eq!(snapshot.item(1).and_then(|r| r.note.as_deref()), Some("说明"));
    assert_eq!(snapshot.requirement("training").map(|r| r.fulfilled), Some(Disclosed::Yes));
}
