//! The bundled standard catalog against the notice it transcribes (署办发〔2021〕23号, 附件).
//!
//! Two independent checks:
//! - the text of the notice itself (`fixtures/notice-2021-23.txt`, the extracted notice verbatim) is cut into its
//!   25 table rows, and each cell is compared with the catalog: the ■/□ marks, the time-limit text, the basis
//!   symbols, the subjects, the element texts, the √ marks of audience and mode, the notes, 备注1–3;
//! - a table written out by hand in this file (group, name, element count, typed time limit, subjects, modes)
//!   checks the typed values that the notice only states in words.

use analytics::catalog::{
    standard_catalog, AsNeededAction, Audience, Catalog, ChannelCode, GapPosition, Item, Mode, SubjectLevel,
    TimeLimitRule,
};

const NOTICE: &str = include_str!("fixtures/notice-2021-23.txt");

fn catalog() -> Catalog {
    standard_catalog().unwrap_or_else(|e| panic!("the bundled catalog does not load: {e}"))
}

fn item(catalog: &Catalog, number: u32) -> &Item {
    catalog.item(number).unwrap_or_else(|| panic!("the catalog has no item {number}"))
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the notice
// ---------------------------------------------------------------------------------------------------------------

/// One row of the catalog table as extracted: the cells are the lines of the extraction, `|` separators removed.
struct NoticeRow {
    number: u32,
    content: String,
    basis: String,
    time_limit: String,
    subject: String,
    channels: String,
    /// The √ columns: 全社会, 特定群体, 主动, 依申请.
    checks: [bool; 4],
    /// 有关说明; `None` where the notice prints `/`.
    notes: Option<String>,
}

fn cell(line: &str) -> &str {
    line.trim().trim_end_matches('|').trim()
}

/// The 25 rows of the table between its header (ending with the 依申请 column) and 备注1.
fn notice_rows() -> Vec<NoticeRow> {
    let lines: Vec<&str> = NOTICE.lines().collect();
    let start = lines.iter().position(|l| cell(l) == "依申请").expect("the table header ends with 依申请") + 1;
    let end = lines.iter().position(|l| cell(l) == "备注1").expect("the table is followed by 备注1");
    let table = &lines[start..end];

    let mut starts = Vec::new();
    for (index, line) in table.iter().enumerate() {
        if cell(line) == (starts.len() + 1).to_string() {
            starts.push(index);
        }
    }
    assert_eq!(starts.len(), 25, "the notice's table should have 25 numbered rows");

    starts
        .iter()
        .enumerate()
        .map(|(i, &from)| {
            let to = starts.get(i + 1).copied().unwrap_or(table.len());
            let cells: Vec<&str> = table[from..to].iter().map(|l| cell(l)).collect();
            let number = u32::try_from(i + 1).expect("small");
            let marks: Vec<usize> =
                (0..cells.len()).filter(|&c| cells[c].contains('■') || cells[c].contains('□')).collect();
            assert_eq!(marks.len(), 1, "row {number} should have exactly one channel cell");
            let ch = marks[0];
            assert!(ch >= 5 && ch + 5 <= cells.len(), "row {number} is cut differently than expected");
            let checks = [1, 2, 3, 4].map(|k| match cells[ch + k] {
                "√" => true,
                "" => false,
                other => panic!("row {number}: unexpected check mark cell {other:?}"),
            });
            let notes = match cells.get(ch + 5).copied() {
                Some("/") => None,
                Some(text) if !text.is_empty() => Some(text.to_owned()),
                other => panic!("row {number}: notes cell is {other:?}, expected text or /"),
            };
            NoticeRow {
                number,
                content: cells[ch - 4].to_owned(),
                basis: cells[ch - 3].to_owned(),
                time_limit: cells[ch - 2].to_owned(),
                subject: cells[ch - 1].to_owned(),
                channels: cells[ch].to_owned(),
                checks,
                notes,
            }
        })
        .collect()
}

/// The ■/□ marks of a channel cell in order, each with the text printed after it (spaces removed).
fn channel_marks(cell: &str) -> Vec<(bool, String)> {
    let mut marks: Vec<(bool, String)> = Vec::new();
    for c in cell.chars() {
        match c {
            '■' => marks.push((true, String::new())),
            '□' => marks.push((false, String::new())),
            c if c.is_whitespace() => {}
            c => {
                if let Some(last) = marks.last_mut() {
                    last.1.push(c);
                }
            }
        }
    }
    marks
}

/// A content cell cut into its numbered elements (`1. 机构概况 2. 主要职能`), as (ordinal, text without spaces).
/// A content without numbers is one element, ordinal 1. Numbering may start above 1 where text was lost.
fn numbered_elements(cell: &str) -> Vec<(u32, String)> {
    let digits: String = cell.chars().take_while(char::is_ascii_digit).collect();
    let Some(first) = cell[digits.len()..].starts_with('.').then(|| digits.parse::<u32>().ok()).flatten() else {
        return vec![(1, without_spaces(cell))];
    };
    // Byte offsets where "N." starts, for N = first, first + 1, …, each at the start or after a space.
    let mut offsets = vec![0];
    let mut ordinal = first + 1;
    loop {
        let marker = format!("{ordinal}.");
        let from = offsets[offsets.len() - 1] + 1;
        let found = cell[from..]
            .match_indices(&marker)
            .map(|(at, _)| from + at)
            .find(|&at| cell[..at].ends_with(char::is_whitespace));
        match found {
            Some(at) => offsets.push(at),
            None => break,
        }
        ordinal += 1;
    }
    offsets
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let end = offsets.get(i + 1).copied().unwrap_or(cell.len());
            let ordinal = first + u32::try_from(i).expect("small");
            let marker_len = format!("{ordinal}.").len();
            (ordinal, without_spaces(&cell[at + marker_len..end]))
        })
        .collect()
}

/// The subject levels named in a subject cell, in the order printed.
fn levels_named(text: &str) -> Vec<SubjectLevel> {
    let mut found: Vec<(usize, SubjectLevel)> = Vec::new();
    for level in [SubjectLevel::Headquarters, SubjectLevel::DirectCustoms, SubjectLevel::Subordinate] {
        found.extend(text.match_indices(level.name_zh()).map(|(at, _)| (at, level)));
    }
    found.sort_by_key(|&(at, _)| at);
    found.into_iter().map(|(_, level)| level).collect()
}

/// The cell after a label cell such as `备注2 |` (for 备注1: the line listing the bases).
fn remark_text(label: &str) -> String {
    let lines: Vec<&str> = NOTICE.lines().collect();
    let at = lines.iter().position(|l| cell(l) == label).unwrap_or_else(|| panic!("the notice has no {label}"));
    cell(lines[at + 1]).to_owned()
}

// ---------------------------------------------------------------------------------------------------------------
// (a) Cell by cell against the notice
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn the_catalog_has_the_twenty_five_rows_of_the_notice_in_seven_groups() {
    let catalog = catalog();
    let rows = notice_rows();
    assert_eq!(catalog.items().count(), rows.len());
    assert_eq!(catalog.groups.len(), 7);
    let numbers: Vec<u32> = catalog.items().map(|i| i.number).collect();
    assert_eq!(numbers, rows.iter().map(|r| r.number).collect::<Vec<_>>());
}

#[test]
fn the_catalog_header_names_the_notice() {
    let catalog = catalog();
    assert_eq!(catalog.code, "std-2021-23");
    assert_eq!(catalog.title, "署办发〔2021〕23号 (2021-12-30)");
    assert_eq!(catalog.document_number, "署办发〔2021〕23号");
    assert_eq!(catalog.issued_on, chrono::NaiveDate::from_ymd_opt(2021, 12, 30).expect("date"));
    assert_eq!(catalog.issuer, "海关总署办公厅");
    assert!(NOTICE.starts_with(&catalog.document_number));
    assert!(NOTICE.contains(&format!("{}\n2021年12月30日", catalog.issuer)));
}

#[test]
fn every_item_recommends_the_channels_the_notice_marks_with_a_black_square() {
    let catalog = catalog();
    for row in notice_rows() {
        let printed: Vec<bool> = channel_marks(&row.channels).iter().map(|(black, _)| *black).collect();
        assert_eq!(printed.len(), 8, "item {}: the notice prints 8 marks", row.number);
        let recommended: Vec<bool> = item(&catalog, row.number).channels.iter().map(|c| c.recommended).collect();
        assert_eq!(recommended, printed, "item {}: recommended channels differ from the ■ marks", row.number);
    }
}

#[test]
fn every_item_lists_the_eight_channels_under_the_names_the_notice_prints() {
    let catalog = catalog();
    for row in notice_rows() {
        let item = item(&catalog, row.number);
        let codes: Vec<ChannelCode> = item.channels.iter().map(|c| c.code).collect();
        assert_eq!(codes, ChannelCode::ALL, "item {}", row.number);
        for (channel, (_, printed)) in item.channels.iter().zip(channel_marks(&row.channels)) {
            if channel.code == ChannelCode::H {
                // 其他, 其他(注明具体形式) or 其他:<the form named>.
                let detail = printed.strip_prefix("其他:").map(str::to_owned);
                assert!(printed.starts_with(&channel.name), "item {}: {printed}", row.number);
                assert_eq!(channel.detail, detail, "item {}: the form named after 其他", row.number);
            } else {
                assert_eq!(channel.name, printed, "item {}: name of channel {:?}", row.number, channel.code);
                assert_eq!(channel.detail, None, "item {}", row.number);
            }
        }
    }
}

#[test]
fn every_time_limit_text_is_the_notice_cell_without_extraction_spaces() {
    let catalog = catalog();
    for row in notice_rows() {
        let item = item(&catalog, row.number);
        assert_eq!(without_spaces(&item.time_limit_text), without_spaces(&row.time_limit), "item {}", row.number);
        // The only spaces left separate numbered parts (item 24: "…工作日内 2.每年…").
        let chars: Vec<char> = item.time_limit_text.chars().collect();
        for (at, c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                let numbered = chars[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                assert!(
                    numbered > 0 && chars.get(at + 1 + numbered) == Some(&'.'),
                    "item {}: stray space in {:?}",
                    row.number,
                    item.time_limit_text
                );
            }
        }
        for element in &item.elements {
            if let Some(text) = &element.time_limit_text {
                assert!(!text.contains(char::is_whitespace), "item {}: {text:?}", row.number);
                assert!(without_spaces(&row.time_limit).contains(text.as_str()), "item {}: {text:?}", row.number);
            }
        }
    }
}

#[test]
fn every_item_cites_the_bases_the_notice_cites() {
    let catalog = catalog();
    for row in notice_rows() {
        let symbols: String = item(&catalog, row.number)
            .basis
            .iter()
            .map(|&n| catalog.basis(n).map_or("?", |b| b.symbol.as_str()))
            .collect();
        assert_eq!(symbols, row.basis, "item {}", row.number);
    }
}

#[test]
fn every_basis_title_is_copied_verbatim_from_remark_1() {
    let catalog = catalog();
    let line = remark_text("备注1");
    let mut printed: Vec<(String, String)> = Vec::new();
    for c in line.chars() {
        if ('①'..='⑳').contains(&c) {
            printed.push((c.to_string(), String::new()));
        } else if let Some(last) = printed.last_mut() {
            last.1.push(c);
        }
    }
    let printed: Vec<(String, String)> = printed.into_iter().map(|(s, t)| (s, t.trim().to_owned())).collect();
    assert_eq!(printed.len(), 11);
    let bases: Vec<(String, String)> = catalog.bases.iter().map(|b| (b.symbol.clone(), b.title.clone())).collect();
    assert_eq!(bases, printed);
    assert_eq!(catalog.bases.iter().map(|b| b.number).collect::<Vec<_>>(), (1..=11).collect::<Vec<_>>());
}

#[test]
fn every_element_text_is_the_notice_text_or_a_marked_gap() {
    let catalog = catalog();
    for row in notice_rows() {
        let item = item(&catalog, row.number);
        let printed = numbered_elements(&row.content);
        let last = printed.last().map_or(0, |(ordinal, _)| *ordinal);
        assert_eq!(item.elements.len(), usize::try_from(last).expect("small"), "item {}", row.number);
        for element in &item.elements {
            match printed.iter().find(|(ordinal, _)| *ordinal == element.ordinal) {
                Some((_, text)) => {
                    assert_eq!(&element.text.text, text, "item {} element {}", row.number, element.ordinal);
                    if let Some(gap) = &element.text.gap {
                        assert_ne!(gap.position, GapPosition::Whole, "item {}", row.number);
                    }
                }
                None => {
                    let gap = element.text.gap.as_ref();
                    assert_eq!(gap.map(|g| g.position), Some(GapPosition::Whole), "item {}", row.number);
                    assert_eq!(element.text.text, "", "item {} element {}", row.number, element.ordinal);
                }
            }
        }
    }
}

#[test]
fn every_subject_text_and_typed_subject_follow_the_notice() {
    let catalog = catalog();
    for row in notice_rows() {
        let item = item(&catalog, row.number);
        assert_eq!(
            without_spaces(&item.subject_text).replace('、', ""),
            without_spaces(&row.subject),
            "item {}",
            row.number
        );
        let mut assignments = item.subjects.clone();
        assignments.sort_by_key(|a| a.element);
        let typed: Vec<SubjectLevel> = assignments.iter().flat_map(|a| a.levels.iter().copied()).collect();
        assert_eq!(typed, levels_named(&row.subject), "item {}", row.number);
        let numbered = row.subject.starts_with("1.");
        assert_eq!(assignments.iter().all(|a| a.element.is_some()), numbered, "item {}", row.number);
    }
}

#[test]
fn audience_and_modes_follow_the_check_marks_of_the_notice() {
    let catalog = catalog();
    for row in notice_rows() {
        let item = item(&catalog, row.number);
        let [public, specific, proactive, on_request] = row.checks;
        let audience: Vec<Audience> = [(public, Audience::Public), (specific, Audience::SpecificGroups)]
            .into_iter()
            .filter_map(|(checked, a)| checked.then_some(a))
            .collect();
        let modes: Vec<Mode> = [(proactive, Mode::Proactive), (on_request, Mode::OnRequest)]
            .into_iter()
            .filter_map(|(checked, m)| checked.then_some(m))
            .collect();
        assert_eq!(item.audience, audience, "item {}", row.number);
        assert_eq!(item.modes, modes, "item {}", row.number);
    }
}

#[test]
fn notes_are_the_notice_text_without_extraction_spaces() {
    let catalog = catalog();
    for row in notice_rows() {
        let notes = item(&catalog, row.number).notes.as_ref().map(|n| n.text.clone());
        assert_eq!(notes, row.notes.as_deref().map(without_spaces), "item {}", row.number);
    }
}

#[test]
fn remarks_2_and_3_are_copied_verbatim() {
    let catalog = catalog();
    let remarks: Vec<(&str, &str)> = catalog.remarks.iter().map(|r| (r.label.as_str(), r.text.as_str())).collect();
    let printed = [remark_text("备注2"), remark_text("备注3")];
    assert_eq!(remarks, vec![("备注2", printed[0].as_str()), ("备注3", printed[1].as_str())]);
}

// ---------------------------------------------------------------------------------------------------------------
// (b) An independent table of the typed values
// ---------------------------------------------------------------------------------------------------------------

const HQ: SubjectLevel = SubjectLevel::Headquarters;
const DC: SubjectLevel = SubjectLevel::DirectCustoms;
const SUB: SubjectLevel = SubjectLevel::Subordinate;

fn wd(days: u32) -> TimeLimitRule {
    TimeLimitRule::WorkingDaysAfterChange { days }
}
fn update() -> TimeLimitRule {
    TimeLimitRule::AsNeeded { action: AsNeededAction::Update }
}
fn publish() -> TimeLimitRule {
    TimeLimitRule::AsNeeded { action: AsNeededAction::Publish }
}
fn external(reference: &str) -> TimeLimitRule {
    TimeLimitRule::ExternalRule { reference: reference.to_owned() }
}
fn jan_31() -> TimeLimitRule {
    TimeLimitRule::AnnualBy { month: 1, day: 31 }
}

/// Subjects as written in the expected table: whole item, or per element (items 9 and 11).
enum Subjects {
    Whole(&'static [SubjectLevel]),
    PerElement(&'static [SubjectLevel], &'static [SubjectLevel]),
}
use Subjects::{PerElement, Whole};

const PROACTIVE: &[Mode] = &[Mode::Proactive];

struct Expected {
    number: u32,
    group: &'static str,
    name: &'static str,
    elements: usize,
    rule: TimeLimitRule,
    subjects: Subjects,
    modes: &'static [Mode],
}

fn expected_table() -> Vec<Expected> {
    let row = |number, group, name, elements, rule, subjects, modes| Expected {
        number,
        group,
        name,
        elements,
        rule,
        subjects,
        modes,
    };
    vec![
        row(1, "机构信息", "机构职能", 4, wd(20), Whole(&[SUB]), PROACTIVE),
        row(2, "机构信息", "办事信息", 5, update(), Whole(&[SUB]), PROACTIVE),
        row(3, "政策法规", "海关履职依据", 1, wd(20), Whole(&[HQ, DC]), PROACTIVE),
        row(4, "政务服务", "政务服务事项清单", 2, wd(20), Whole(&[DC, SUB]), PROACTIVE),
        row(5, "政务服务", "办事指南", 1, wd(20), Whole(&[DC, SUB]), PROACTIVE),
        row(6, "政务服务", "办事详解", 4, wd(20), Whole(&[SUB]), PROACTIVE),
        row(7, "政务服务", "服务窗口信息", 5, update(), Whole(&[SUB]), PROACTIVE),
        row(8, "行政执法信息", "行政许可", 1, wd(7), Whole(&[SUB]), PROACTIVE),
        row(9, "行政执法信息", "行政处罚", 2, wd(7), PerElement(&[DC], &[SUB]), &[Mode::Proactive, Mode::OnRequest]),
        row(10, "行政执法信息", "行政强制", 1, wd(20), Whole(&[DC]), PROACTIVE),
        row(
            11,
            "行政执法信息",
            "行政检查",
            2,
            external("海关总署“双随机、一公开”要求"),
            PerElement(&[DC], &[SUB]),
            PROACTIVE,
        ),
        row(12, "行政执法信息", "行政执法统计年报", 1, jan_31(), Whole(&[SUB]), PROACTIVE),
        row(13, "行政执法信息", "现场执法人员信息", 4, update(), Whole(&[SUB]), PROACTIVE),
        row(
            14,
            "财务信息",
            "预决算信息",
            2,
            TimeLimitRule::CalendarDaysAfterApproval { days: 20 },
            Whole(&[SUB]),
            PROACTIVE,
        ),
        row(15, "财务信息", "政府采购", 1, external("政府采购法律法规规定时限"), Whole(&[SUB]), PROACTIVE),
        row(16, "财务信息", "拍卖信息", 1, external("拍卖法律法规规定时限"), Whole(&[DC, SUB]), PROACTIVE),
        row(17, "财务信息", "收费信息", 1, external("国务院、海关总署有关规定时限"), Whole(&[DC, SUB]), PROACTIVE),
        row(18, "财务信息", "涉企保证金", 1, external("国务院、海关总署有关规定时限"), Whole(&[HQ, DC]), PROACTIVE),
        row(19, "互动交流", "投诉举报监督", 5, update(), Whole(&[DC, SUB]), PROACTIVE),
        row(20, "互动交流", "业务咨询", 2, update(), Whole(&[SUB]), PROACTIVE),
        row(21, "互动交流", "紧急联系", 2, update(), Whole(&[SUB]), PROACTIVE),
        row(22, "互动交流", "通知通告", 1, publish(), Whole(&[SUB]), PROACTIVE),
        row(23, "综合管理", "解读宣贯", 1, publish(), Whole(&[SUB]), PROACTIVE),
        row(24, "综合管理", "政府信息公开", 2, wd(3), Whole(&[SUB]), PROACTIVE),
        row(25, "综合管理", "意见征集", 1, publish(), Whole(&[SUB]), PROACTIVE),
    ]
}

#[test]
fn every_item_matches_the_independent_expected_table() {
    let catalog = catalog();
    let expected = expected_table();
    assert_eq!(catalog.items().count(), expected.len());
    for (group_position, group) in catalog.groups.iter().enumerate() {
        assert_eq!(usize::try_from(group.number).expect("small"), group_position + 1);
    }
    let actual: Vec<(&str, &Item)> =
        catalog.groups.iter().flat_map(|g| g.items.iter().map(move |i| (g.name.as_str(), i))).collect();
    for (want, (group, item)) in expected.iter().zip(actual) {
        let n = want.number;
        assert_eq!(item.number, n);
        assert_eq!(group, want.group, "item {n}: group");
        assert_eq!(item.name, want.name, "item {n}: name");
        assert_eq!(item.elements.len(), want.elements, "item {n}: element count");
        assert_eq!(item.time_limit, want.rule, "item {n}: time limit");
        let subjects: Vec<(Option<u32>, Vec<SubjectLevel>)> =
            item.subjects.iter().map(|a| (a.element, a.levels.clone())).collect();
        let want_subjects = match want.subjects {
            Whole(levels) => vec![(None, levels.to_vec())],
            PerElement(first, second) => {
                vec![(Some(1), first.to_vec()), (Some(2), second.to_vec())]
            }
        };
        assert_eq!(subjects, want_subjects, "item {n}: subjects");
        assert_eq!(item.modes, want.modes, "item {n}: modes");
        assert_eq!(item.audience, vec![Audience::Public], "item {n}: audience");
        assert_eq!(item.has_element_rules(), n == 24, "item {n}: per-element time limits");
    }
}

#[test]
fn item_24_gives_each_element_its_own_time_limit() {
    let catalog = catalog();
    let item = item(&catalog, 24);
    assert_eq!(item.rule_for_element(1), &wd(3));
    assert_eq!(item.rule_for_element(2), &jan_31());
    let texts: Vec<Option<&str>> = item.elements.iter().map(|e| e.time_limit_text.as_deref()).collect();
    assert_eq!(texts, vec![Some("自信息形成或者变更之日起3个工作日内"), Some("每年1月31日前")]);
}

#[test]
fn item_3_names_the_headquarters_website_as_its_other_channel() {
    let catalog = catalog();
    let other = item(&catalog, 3).channel(ChannelCode::H).expect("channel H");
    assert!(other.recommended);
    assert_eq!(other.detail.as_deref(), Some("海关总署网站"));
    let with_detail: Vec<u32> =
        catalog.items().filter(|i| i.channels.iter().any(|c| c.detail.is_some())).map(|i| i.number).collect();
    assert_eq!(with_detail, vec![3]);
}

#[test]
fn the_text_lost_in_extraction_is_kept_as_visible_gaps() {
    let catalog = catalog();
    let mut gaps = Vec::new();
    for item in catalog.items() {
        for element in &item.elements {
            if let Some(gap) = &element.text.gap {
                gaps.push((item.number, Some(element.ordinal), gap.position, element.text.text.clone()));
                assert!(gap.explanation.contains("原件"), "item {}: tell where to look it up", item.number);
            }
        }
        if let Some(gap) = item.notes.as_ref().and_then(|n| n.gap.as_ref()) {
            let text = item.notes.as_ref().map(|n| n.text.clone()).unwrap_or_default();
            gaps.push((item.number, None, gap.position, text));
            assert!(gap.explanation.contains("原件"), "item {}: tell where to look it up", item.number);
        }
    }
    let [note_3, element_19_1, element_19_5] = gaps.as_slice() else {
        panic!("expected exactly three gaps, found {gaps:?}");
    };
    assert_eq!((note_3.0, note_3.1, note_3.2), (3, None, GapPosition::Both));
    assert!(note_3.3.starts_with("所,通过网址导引") && note_3.3.ends_with("政策文件公"), "{}", note_3.3);
    assert_eq!(element_19_1, &(19, Some(1), GapPosition::Whole, String::new()));
    assert_eq!(element_19_5, &(19, Some(5), GapPosition::End, "其他应当公开的投诉举".to_owned()));
    let explanation = item(&catalog, 19).elements[4].text.gap.as_ref().map(|g| g.explanation.clone());
    assert!(explanation.is_some_and(|e| e.contains("投诉举报监督渠道") && e.contains("未经原件核实")));
}

#[test]
fn the_catalog_survives_a_json_round_trip() {
    let catalog = catalog();
    let json = serde_json::to_string(&catalog).expect("serialise");
    let back: Catalog = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, catalog);
}
