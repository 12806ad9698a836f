//! The bundled standard catalog of 署办发〔2021〕23号 and the loader that checks a catalog file.
//!
//! The catalog lives as data in `analytics/data/standard-catalog.toml` ([`STANDARD_CATALOG_TOML`], compiled in);
//! its header comment documents the layout. That layout is an authoring shape made for people who proofread it
//! against the printed notice (channels as the notice's row of ■/□ marks, bases as circled numerals, per-element
//! subjects and time limits next to their element); [`parse_catalog`] converts it into a [`Catalog`] and then runs
//! [`validate_catalog`], which checks the structural rules that every catalog version must keep:
//!
//! - bases are numbered ①, ②, … without gaps; groups 1…n; items 1…n over the whole catalog, each number once;
//! - every item has at least one element, element ordinals run 1…n, and lost text is marked as a gap;
//! - every cited basis exists; time-limit rules have days > 0 and annual dates that exist every year;
//! - subjects cover every element and only name existing elements;
//! - every item lists all eight channels A–H once, in order, under the notice's names, recommending at least one.
//!
//! Every error names the item number and the field in Chinese ([`CatalogDataError`]), for example
//! `第24项 要素3：…`, so that an administrator who edited the file can find the mistake.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::{
    AsNeededAction, Audience, Basis, Catalog, ChannelCode, ChannelOption, Element, GapPosition, Group, Item,
    MaybeGapText, Mode, Remark, SubjectAssignment, SubjectLevel, TextGap, TimeLimitRule,
};

/// The standard catalog file, compiled into the program.
pub const STANDARD_CATALOG_TOML: &str = include_str!("../../data/standard-catalog.toml");

/// Loads and checks the bundled standard catalog (`std-2021-23`).
///
/// An error here means the bundled file was edited into an invalid state; the tests of this crate catch it.
pub fn standard_catalog() -> Result<Catalog, CatalogDataError> {
    parse_catalog(STANDARD_CATALOG_TOML)
}

/// Parses a catalog file in the layout of `standard-catalog.toml` and validates it.
pub fn parse_catalog(toml_text: &str) -> Result<Catalog, CatalogDataError> {
    let file: FileCatalog = toml::from_str(toml_text).map_err(|e| CatalogDataError::Toml(e.to_string()))?;
    let catalog = file.into_catalog()?;
    validate_catalog(&catalog)?;
    Ok(catalog)
}

/// A mistake in catalog data, in Chinese, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogDataError {
    /// The file is not TOML, or a key is missing, misspelt or of the wrong type.
    #[error("目录文件格式错误（TOML）：{0}")]
    Toml(String),
    /// A header field (code, title, …) is wrong.
    #[error("目录 {field}：{problem}")]
    Header { field: &'static str, problem: String },
    /// A basis of 备注1 is wrong.
    #[error("备注1 依据{}：{problem}", circled(*.number))]
    Basis { number: u32, problem: String },
    /// A remark is wrong.
    #[error("{label}：{problem}")]
    Remark { label: String, problem: String },
    /// Groups are not numbered 1…n in order.
    #[error("第{position}个一级事项：序号应为{position}，实际为{found}（一级事项须从1起连续编号）")]
    GroupNumber { position: u32, found: u32 },
    /// A group is wrong otherwise.
    #[error("一级事项{number}：{problem}")]
    Group { number: u32, problem: String },
    /// Two items carry the same number.
    #[error("第{number}项 序号：序号重复，目录中有不止一个第{number}项")]
    DuplicateItemNumber { number: u32 },
    /// Items are not numbered 1…n in catalog order.
    #[error("第{found}项 序号：序号不连续，此处应为第{expected}项（二级事项须从1起连续编号）")]
    ItemNumberOutOfOrder { expected: u32, found: u32 },
    /// An item field is wrong.
    #[error("第{item}项 {field}：{problem}")]
    Item { item: u32, field: &'static str, problem: String },
    /// Element ordinals of an item are not 1…n in order.
    #[error("第{item}项 要素{found}：要素序号不连续，此处应为要素{expected}（要素须从1起连续编号）")]
    ElementOrdinal { item: u32, expected: u32, found: u32 },
    /// An element is wrong otherwise.
    #[error("第{item}项 要素{ordinal}：{problem}")]
    Element { item: u32, ordinal: u32, problem: String },
    /// An item cites a basis that 备注1 does not list.
    #[error("第{item}项 公开依据：备注1中没有依据{}", circled(*.number))]
    UnknownBasis { item: u32, number: u32 },
    /// An item does not list one of the eight channels.
    #[error("第{item}项 公开渠道和载体：缺少渠道{}（{}），A–H 八个渠道须各列一次", .code.letter(), .code.name_zh())]
    MissingChannel { item: u32, code: ChannelCode },
    /// An item recommends no channel.
    #[error("第{item}项 公开渠道和载体：没有推荐渠道（■），至少应推荐一个")]
    NoRecommendedChannel { item: u32 },
}

/// The circled numeral for 1…20 (`①`…`⑳`), else the number in parentheses.
fn circled(number: u32) -> String {
    match number {
        1..=20 => char::from_u32(0x2460 + number - 1).map_or_else(|| format!("({number})"), String::from),
        _ => format!("({number})"),
    }
}

/// The number of a circled numeral `①`…`⑳`.
fn from_circled(symbol: char) -> Option<u32> {
    let code = symbol as u32;
    (0x2460..=0x2473).contains(&code).then(|| code - 0x2460 + 1)
}

// ---------------------------------------------------------------------------------------------------------------
// The authoring shape of the TOML file
// ---------------------------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCatalog {
    code: String,
    title: String,
    document_number: String,
    issued_on: toml::value::Datetime,
    issuer: String,
    #[serde(default)]
    bases: Vec<FileBasis>,
    #[serde(default)]
    groups: Vec<FileGroup>,
    #[serde(default)]
    remarks: Vec<FileRemark>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBasis {
    symbol: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRemark {
    label: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGroup {
    number: u32,
    name: String,
    #[serde(default)]
    items: Vec<FileItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileItem {
    number: u32,
    name: String,
    elements: Vec<FileElement>,
    basis: String,
    time_limit_text: String,
    time_limit: FileRule,
    subject_text: String,
    #[serde(default)]
    subjects: Vec<SubjectLevel>,
    channels: String,
    #[serde(default)]
    other_channel: Option<String>,
    audience: Vec<Audience>,
    modes: Vec<Mode>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    notes_gap: Option<FileGap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileElement {
    ordinal: u32,
    text: String,
    #[serde(default)]
    gap: Option<FileGap>,
    #[serde(default)]
    subjects: Option<Vec<SubjectLevel>>,
    #[serde(default)]
    time_limit_text: Option<String>,
    #[serde(default)]
    time_limit: Option<FileRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGap {
    position: GapPosition,
    explanation: String,
}

/// [`TimeLimitRule`] with the same TOML shape, but refusing keys that do not belong to the kind.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum FileRule {
    WorkingDaysAfterChange { days: u32 },
    CalendarDaysAfterApproval { days: u32 },
    AnnualBy { month: u32, day: u32 },
    AsNeeded { action: AsNeededAction },
    ExternalRule { reference: String },
}

impl From<FileRule> for TimeLimitRule {
    fn from(rule: FileRule) -> Self {
        match rule {
            FileRule::WorkingDaysAfterChange { days } => TimeLimitRule::WorkingDaysAfterChange { days },
            FileRule::CalendarDaysAfterApproval { days } => TimeLimitRule::CalendarDaysAfterApproval { days },
            FileRule::AnnualBy { month, day } => TimeLimitRule::AnnualBy { month, day },
            FileRule::AsNeeded { action } => TimeLimitRule::AsNeeded { action },
            FileRule::ExternalRule { reference } => TimeLimitRule::ExternalRule { reference },
        }
    }
}

impl From<FileGap> for TextGap {
    fn from(gap: FileGap) -> Self {
        TextGap { position: gap.position, explanation: gap.explanation }
    }
}

impl FileCatalog {
    fn into_catalog(self) -> Result<Catalog, CatalogDataError> {
        let issued_on = toml_date(&self.issued_on)?;
        let bases = self
            .bases
            .into_iter()
            .zip(1u32..)
            .map(|(basis, number)| Basis { number, symbol: basis.symbol, title: basis.title })
            .collect();
        let groups = self
            .groups
            .into_iter()
            .map(|group| {
                let items = group.items.into_iter().map(FileItem::into_item).collect::<Result<_, _>>()?;
                Ok(Group { number: group.number, name: group.name, items })
            })
            .collect::<Result<_, CatalogDataError>>()?;
        let remarks = self.remarks.into_iter().map(|r| Remark { label: r.label, text: r.text }).collect();
        Ok(Catalog {
            code: self.code,
            title: self.title,
            document_number: self.document_number,
            issued_on,
            issuer: self.issuer,
            bases,
            groups,
            remarks,
        })
    }
}

fn toml_date(value: &toml::value::Datetime) -> Result<chrono::NaiveDate, CatalogDataError> {
    let problem = || CatalogDataError::Header {
        field: "issued_on（印发日期）",
        problem: format!("“{value}”应为一个日期，例如 2021-12-30（不带时刻）"),
    };
    match (value.date, value.time, value.offset) {
        (Some(date), None, None) => {
            chrono::NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day))
                .ok_or_else(problem)
        }
        _ => Err(problem()),
    }
}

impl FileItem {
    fn into_item(self) -> Result<Item, CatalogDataError> {
        let number = self.number;
        let item_error = |field: &'static str, problem: String| CatalogDataError::Item { item: number, field, problem };

        let basis = self
            .basis
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '、')
            .map(|c| {
                from_circled(c)
                    .ok_or_else(|| item_error("公开依据", format!("无法识别“{c}”，依据应写成带圈数字，例如 \"①③④\"")))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mut channels =
            parse_channel_marks(&self.channels).map_err(|problem| item_error("公开渠道和载体", problem))?;
        if let Some(detail) = self.other_channel {
            match channels.iter_mut().find(|c| c.code == ChannelCode::H) {
                Some(other) => other.detail = Some(detail),
                None => return Err(CatalogDataError::MissingChannel { item: number, code: ChannelCode::H }),
            }
        }

        let mut subjects = Vec::new();
        if !self.subjects.is_empty() {
            subjects.push(SubjectAssignment { element: None, levels: self.subjects });
        }
        let mut elements = Vec::with_capacity(self.elements.len());
        for element in self.elements {
            if let Some(levels) = element.subjects {
                subjects.push(SubjectAssignment { element: Some(element.ordinal), levels });
            }
            elements.push(Element {
                ordinal: element.ordinal,
                text: MaybeGapText { text: element.text, gap: element.gap.map(TextGap::from) },
                time_limit: element.time_limit.map(TimeLimitRule::from),
                time_limit_text: element.time_limit_text,
            });
        }

        let notes = match (self.notes, self.notes_gap) {
            (None, None) => None,
            (text, gap) => Some(MaybeGapText { text: text.unwrap_or_default(), gap: gap.map(TextGap::from) }),
        };

        Ok(Item {
            number,
            name: self.name,
            elements,
            basis,
            time_limit_text: self.time_limit_text,
            time_limit: self.time_limit.into(),
            subject_text: self.subject_text,
            subjects,
            channels,
            audience: self.audience,
            modes: self.modes,
            notes,
        })
    }
}

const EXAMPLE_MARKS: &str = "\"■A □B ■C □D □E □F □G □H\"";

/// Reads the notice's row of marks, e.g. `"■A □B ■C □D □E □F □G □H"`, keeping the written order.
fn parse_channel_marks(marks: &str) -> Result<Vec<ChannelOption>, String> {
    let mut options = Vec::new();
    for token in marks.split_whitespace() {
        let mut chars = token.chars();
        let recommended = match chars.next() {
            Some('■') => true,
            Some('□') => false,
            _ => return Err(format!("无法识别“{token}”，每个渠道应写成 ■ 或 □ 加字母，例如 {EXAMPLE_MARKS}")),
        };
        let code = match (chars.next(), chars.next()) {
            (Some(letter), None) => ChannelCode::from_letter(letter),
            _ => None,
        }
        .ok_or_else(|| format!("无法识别“{token}”，渠道字母应为 A–H 之一"))?;
        options.push(ChannelOption { code, name: code.name_zh().to_owned(), recommended, detail: None });
    }
    Ok(options)
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of a catalog, whatever its source
// ---------------------------------------------------------------------------------------------------------------

/// Checks the structural rules every catalog version keeps (see the module docs).
pub fn validate_catalog(catalog: &Catalog) -> Result<(), CatalogDataError> {
    for (field, value) in [
        ("code（版本代码）", &catalog.code),
        ("title（标题）", &catalog.title),
        ("document_number（文号）", &catalog.document_number),
        ("issuer（印发机关）", &catalog.issuer),
    ] {
        if value.trim().is_empty() {
            return Err(CatalogDataError::Header { field, problem: "不能为空".to_owned() });
        }
    }

    if catalog.bases.is_empty() {
        return Err(CatalogDataError::Header {
            field: "bases（备注1 公开依据）",
            problem: "至少应有一条依据".to_owned(),
        });
    }
    for (basis, position) in catalog.bases.iter().zip(1u32..) {
        let problem = if basis.number != position {
            Some(format!("编号应为{position}，实际为{}（依据须从①起连续编号）", basis.number))
        } else if basis.symbol != circled(position) {
            Some(format!("符号应为“{}”，实际为“{}”（依据须从①起连续编号）", circled(position), basis.symbol))
        } else if basis.title.trim().is_empty() {
            Some("标题不能为空".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(CatalogDataError::Basis { number: position, problem });
        }
    }

    if catalog.groups.is_empty() {
        return Err(CatalogDataError::Header {
            field: "groups（一级事项）",
            problem: "至少应有一个一级事项".to_owned(),
        });
    }
    let mut group_names = BTreeSet::new();
    for (group, position) in catalog.groups.iter().zip(1u32..) {
        if group.number != position {
            return Err(CatalogDataError::GroupNumber { position, found: group.number });
        }
        let problem = if group.name.trim().is_empty() {
            Some("名称不能为空".to_owned())
        } else if !group_names.insert(group.name.as_str()) {
            Some(format!("名称“{}”与前面的一级事项重复", group.name))
        } else if group.items.is_empty() {
            Some(format!("“{}”下没有二级事项", group.name))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(CatalogDataError::Group { number: group.number, problem });
        }
    }

    let mut seen = BTreeSet::new();
    for item in catalog.items() {
        if !seen.insert(item.number) {
            return Err(CatalogDataError::DuplicateItemNumber { number: item.number });
        }
    }
    for (item, position) in catalog.items().zip(1u32..) {
        if item.number != position {
            return Err(CatalogDataError::ItemNumberOutOfOrder { expected: position, found: item.number });
        }
        validate_item(catalog, item)?;
    }

    for remark in &catalog.remarks {
        let problem = if remark.label.trim().is_empty() {
            "标签不能为空"
        } else if remark.text.trim().is_empty() {
            "内容不能为空"
        } else {
            continue;
        };
        return Err(CatalogDataError::Remark { label: remark.label.clone(), problem: problem.to_owned() });
    }
    Ok(())
}

fn validate_item(catalog: &Catalog, item: &Item) -> Result<(), CatalogDataError> {
    let number = item.number;
    let item_error = |field: &'static str, problem: String| CatalogDataError::Item { item: number, field, problem };

    if item.name.trim().is_empty() {
        return Err(item_error("二级事项", "名称不能为空".to_owned()));
    }

    // 公开内容(要素)
    if item.elements.is_empty() {
        return Err(item_error("公开内容(要素)", "至少应有一个要素".to_owned()));
    }
    for (element, position) in item.elements.iter().zip(1u32..) {
        if element.ordinal != position {
            return Err(CatalogDataError::ElementOrdinal { item: number, expected: position, found: element.ordinal });
        }
        let element_error = |problem: String| CatalogDataError::Element { item: number, ordinal: position, problem };
        check_gap_text(&element.text).map_err(|p| element_error(format!("文字{p}")))?;
        match (&element.time_limit, &element.time_limit_text) {
            (Some(rule), Some(text)) => {
                if text.trim().is_empty() {
                    return Err(element_error("公开时限文字不能为空".to_owned()));
                }
                check_rule(rule).map_err(|p| element_error(format!("公开时限有误，{p}")))?;
            }
            (Some(_), None) => {
                return Err(element_error("有自己的公开时限规则，但缺少印发的时限文字（time_limit_text）".to_owned()))
            }
            (None, Some(_)) => {
                return Err(element_error("有自己的时限文字，但缺少对应的时限规则（time_limit）".to_owned()))
            }
            (None, None) => {}
        }
    }

    // 公开依据
    if item.basis.is_empty() {
        return Err(item_error("公开依据", "至少应引用一条依据".to_owned()));
    }
    let mut cited = BTreeSet::new();
    for &basis in &item.basis {
        if catalog.basis(basis).is_none() {
            return Err(CatalogDataError::UnknownBasis { item: number, number: basis });
        }
        if !cited.insert(basis) {
            return Err(item_error("公开依据", format!("依据{}引用了两次", circled(basis))));
        }
    }

    // 公开时限
    if item.time_limit_text.trim().is_empty() {
        return Err(item_error("公开时限", "印发的时限文字不能为空".to_owned()));
    }
    check_rule(&item.time_limit).map_err(|p| item_error("公开时限", p))?;

    // 公开主体
    if item.subject_text.trim().is_empty() {
        return Err(item_error("公开主体", "印发的主体文字不能为空".to_owned()));
    }
    if item.subjects.is_empty() {
        return Err(item_error("公开主体", "没有指定公开主体".to_owned()));
    }
    let mut whole_item = false;
    let mut per_element = BTreeSet::new();
    for assignment in &item.subjects {
        let scope = match assignment.element {
            None => {
                if std::mem::replace(&mut whole_item, true) {
                    return Err(item_error("公开主体", "整项的公开主体指定了不止一次".to_owned()));
                }
                "整项".to_owned()
            }
            Some(ordinal) => {
                if !item.elements.iter().any(|e| e.ordinal == ordinal) {
                    return Err(item_error("公开主体", format!("指向不存在的要素{ordinal}")));
                }
                if !per_element.insert(ordinal) {
                    return Err(item_error("公开主体", format!("要素{ordinal}的公开主体指定了不止一次")));
                }
                format!("要素{ordinal}")
            }
        };
        if assignment.levels.is_empty() {
            return Err(item_error("公开主体", format!("{scope}的公开主体为空")));
        }
        if let Some(level) = first_duplicate(&assignment.levels) {
            return Err(item_error("公开主体", format!("{scope}重复列出了{}", level.name_zh())));
        }
    }
    if !whole_item {
        if let Some(element) = item.elements.iter().find(|e| !per_element.contains(&e.ordinal)) {
            return Err(CatalogDataError::Element {
                item: number,
                ordinal: element.ordinal,
                problem: "没有公开主体（整项和本要素都未指定）".to_owned(),
            });
        }
    }

    // 公开渠道和载体
    for code in ChannelCode::ALL {
        match item.channels.iter().filter(|c| c.code == code).count() {
            0 => return Err(CatalogDataError::MissingChannel { item: number, code }),
            1 => {}
            _ => return Err(item_error("公开渠道和载体", format!("渠道{}列了不止一次", code.letter()))),
        }
    }
    if item.channels.len() != ChannelCode::ALL.len()
        || item.channels.iter().zip(ChannelCode::ALL).any(|(c, k)| c.code != k)
    {
        return Err(item_error("公开渠道和载体", "渠道须按 A、B、C、D、E、F、G、H 的顺序排列".to_owned()));
    }
    for channel in &item.channels {
        let letter = channel.code.letter();
        if channel.name != channel.code.name_zh() {
            return Err(item_error(
                "公开渠道和载体",
                format!("渠道{letter}的名称应为“{}”，实际为“{}”", channel.code.name_zh(), channel.name),
            ));
        }
        match &channel.detail {
            Some(_) if channel.code != ChannelCode::H => {
                return Err(item_error(
                    "公开渠道和载体",
                    format!("只有渠道H（其他）可以注明具体形式，渠道{letter}不可以"),
                ))
            }
            Some(detail) if detail.trim().is_empty() => {
                return Err(item_error("公开渠道和载体", "渠道H（其他）注明的具体形式为空".to_owned()))
            }
            _ => {}
        }
    }
    if !item.channels.iter().any(|c| c.recommended) {
        return Err(CatalogDataError::NoRecommendedChannel { item: number });
    }

    // 公开对象, 公开方式
    if item.audience.is_empty() {
        return Err(item_error("公开对象", "至少应有一个公开对象".to_owned()));
    }
    if first_duplicate(&item.audience).is_some() {
        return Err(item_error("公开对象", "公开对象重复".to_owned()));
    }
    if item.modes.is_empty() {
        return Err(item_error("公开方式", "至少应有一种公开方式".to_owned()));
    }
    if first_duplicate(&item.modes).is_some() {
        return Err(item_error("公开方式", "公开方式重复".to_owned()));
    }

    // 有关说明
    if let Some(notes) = &item.notes {
        check_gap_text(notes).map_err(|p| item_error("有关说明", p))?;
    }
    Ok(())
}

/// Text and gap must agree: complete text is not empty, a whole gap has no text, a partial gap keeps some.
fn check_gap_text(text: &MaybeGapText) -> Result<(), String> {
    let empty = text.text.trim().is_empty();
    match &text.gap {
        None if empty => Err("为空；如果原文在提取时丢失，请标注 gap（position = \"whole\"）并说明".to_owned()),
        None => Ok(()),
        Some(gap) if gap.explanation.trim().is_empty() => {
            Err("标注了缺失（gap），但缺少说明（explanation）".to_owned())
        }
        Some(gap) => match (gap.position, empty) {
            (GapPosition::Whole, false) => Err("标注为整段缺失（whole），现存文字应为空".to_owned()),
            (GapPosition::Start | GapPosition::End | GapPosition::Both, true) => {
                Err("标注为部分缺失，但没有现存文字；整段缺失请用 position = \"whole\"".to_owned())
            }
            _ => Ok(()),
        },
    }
}

/// Days are positive, annual dates exist in every year, external references are not empty.
fn check_rule(rule: &TimeLimitRule) -> Result<(), String> {
    match rule {
        TimeLimitRule::WorkingDaysAfterChange { days: 0 } | TimeLimitRule::CalendarDaysAfterApproval { days: 0 } => {
            Err("天数必须大于0".to_owned())
        }
        // 2023 is not a leap year: a date valid in it is valid every year.
        TimeLimitRule::AnnualBy { month, day } if chrono::NaiveDate::from_ymd_opt(2023, *month, *day).is_none() => {
            Err(format!("“每年{month}月{day}日前”不是每年都有的日期"))
        }
        TimeLimitRule::ExternalRule { reference } if reference.trim().is_empty() => {
            Err("引用的外部规定（reference）不能为空".to_owned())
        }
        _ => Ok(()),
    }
}

fn first_duplicate<T: PartialEq + Copy>(values: &[T]) -> Option<T> {
    values.iter().enumerate().find(|(i, v)| values[..*i].contains(v)).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small valid catalog in the file's layout; each test breaks one thing in it.
    const MINIMAL: &str = r#"
code = "test-1"
title = "测试目录"
document_number = "测试〔2024〕1号"
issued_on = 2024-01-02
issuer = "测试机关"

[[bases]]
symbol = "①"
title = "《甲条例》"

[[bases]]
symbol = "②"
title = "《乙办法》"

[[groups]]
number = 1
name = "机构信息"

[[groups.items]]
number = 1
name = "机构职能"
elements = [
  { ordinal = 1, text = "机构概况" },
  { ordinal = 2, text = "主要职能" },
]
basis = "①②"
time_limit_text = "自信息形成或者变更之日起20个工作日内"
time_limit = { kind = "working_days_after_change", days = 20 }
subject_text = "隶属海关"
subjects = ["subordinate"]
channels = "■A □B ■C □D □E □F □G □H"
audience = ["public"]
modes = ["proactive"]

[[groups.items]]
number = 2
name = "政府信息公开"
elements = [
  { ordinal = 1, text = "依申请公开渠道", subjects = ["direct_customs"], time_limit_text = "3个工作日内", time_limit = { kind = "working_days_after_change", days = 3 } },
  { ordinal = 2, text = "政府信息公开年报", subjects = ["subordinate"], time_limit_text = "每年1月31日前", time_limit = { kind = "annual_by", month = 1, day = 31 } },
]
basis = "①"
time_limit_text = "1.3个工作日内 2.每年1月31日前"
time_limit = { kind = "working_days_after_change", days = 3 }
subject_text = "1. 直属海关 2. 隶属海关"
channels = "■A □B □C □D □E □F □G ■H"
other_channel = "海关总署网站"
audience = ["public"]
modes = ["proactive", "on_request"]
notes = "说明"

[[remarks]]
label = "备注2"
text = "表中“公开主体”,主要依据政府信息“谁制作、谁公开”的原则进行确定。"
"#;

    /// `MINIMAL` with `from` replaced by `to` exactly once (the test fails if `from` is not there).
    fn broken(from: &str, to: &str) -> String {
        assert_eq!(MINIMAL.matches(from).count(), 1, "the test's replacement target must occur exactly once: {from}");
        MINIMAL.replacen(from, to, 1)
    }

    fn error_of(text: &str) -> CatalogDataError {
        match parse_catalog(text) {
            Ok(_) => panic!("the broken catalog was accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_minimal_catalog_used_by_these_tests_is_valid() {
        let catalog = parse_catalog(MINIMAL).expect("MINIMAL must be valid");
        let second = catalog.item(2).expect("item 2");
        assert_eq!(second.channel(ChannelCode::H).and_then(|c| c.detail.as_deref()), Some("海关总署网站"));
        assert_eq!(
            second.subjects,
            vec![
                SubjectAssignment { element: Some(1), levels: vec![SubjectLevel::DirectCustoms] },
                SubjectAssignment { element: Some(2), levels: vec![SubjectLevel::Subordinate] },
            ]
        );
        assert_eq!(second.rule_for_element(2), &TimeLimitRule::AnnualBy { month: 1, day: 31 });
        assert_eq!(catalog.basis(2).map(|b| b.symbol.as_str()), Some("②"));
    }

    #[test]
    fn the_bundled_standard_catalog_loads() {
        let catalog = standard_catalog().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(catalog.code, "std-2021-23");
        assert_eq!(catalog.items().count(), 25);
    }

    #[test]
    fn a_missing_channel_is_named_with_its_letter_and_name() {
        let error = error_of(&broken("■A □B ■C □D □E □F □G □H", "■A □B ■C □E □F □G □H"));
        assert_eq!(error, CatalogDataError::MissingChannel { item: 1, code: ChannelCode::D });
        assert_eq!(error.to_string(), "第1项 公开渠道和载体：缺少渠道D（现场电子屏），A–H 八个渠道须各列一次");
    }

    #[test]
    fn channels_out_of_order_are_refused() {
        let error = error_of(&broken("■A □B ■C □D □E □F □G □H", "■A ■C □B □D □E □F □G □H"));
        assert_eq!(error.to_string(), "第1项 公开渠道和载体：渠道须按 A、B、C、D、E、F、G、H 的顺序排列");
    }

    #[test]
    fn an_item_without_a_black_square_is_refused() {
        let error = error_of(&broken("■A □B ■C □D □E □F □G □H", "□A □B □C □D □E □F □G □H"));
        assert_eq!(error.to_string(), "第1项 公开渠道和载体：没有推荐渠道（■），至少应推荐一个");
    }

    #[test]
    fn a_duplicate_item_number_is_refused() {
        let error = error_of(&broken("number = 2\nname = \"政府信息公开\"", "number = 1\nname = \"政府信息公开\""));
        assert_eq!(error, CatalogDataError::DuplicateItemNumber { number: 1 });
        assert_eq!(error.to_string(), "第1项 序号：序号重复，目录中有不止一个第1项");
    }

    #[test]
    fn an_item_number_gap_is_refused() {
        let error = error_of(&broken("number = 2\nname = \"政府信息公开\"", "number = 3\nname = \"政府信息公开\""));
        assert_eq!(error.to_string(), "第3项 序号：序号不连续，此处应为第2项（二级事项须从1起连续编号）");
    }

    #[test]
    fn an_unknown_basis_is_refused() {
        let error = error_of(&broken("basis = \"①②\"", "basis = \"①⑫\""));
        assert_eq!(error, CatalogDataError::UnknownBasis { item: 1, number: 12 });
        assert_eq!(error.to_string(), "第1项 公开依据：备注1中没有依据⑫");
    }

    #[test]
    fn a_basis_that_is_not_a_circled_numeral_is_refused() {
        let error = error_of(&broken("basis = \"①②\"", "basis = \"1\""));
        assert_eq!(error.to_string(), "第1项 公开依据：无法识别“1”，依据应写成带圈数字，例如 \"①③④\"");
    }

    #[test]
    fn an_element_ordinal_gap_is_refused() {
        let error = error_of(&broken("{ ordinal = 2, text = \"主要职能\" }", "{ ordinal = 3, text = \"主要职能\" }"));
        assert_eq!(error, CatalogDataError::ElementOrdinal { item: 1, expected: 2, found: 3 });
        assert_eq!(error.to_string(), "第1项 要素3：要素序号不连续，此处应为要素2（要素须从1起连续编号）");
    }

    #[test]
    fn an_empty_element_without_a_gap_is_refused() {
        let error = error_of(&broken("text = \"主要职能\"", "text = \"\""));
        assert_eq!(
            error.to_string(),
            "第1项 要素2：文字为空；如果原文在提取时丢失，请标注 gap（position = \"whole\"）并说明"
        );
    }

    #[test]
    fn zero_days_are_refused() {
        let error = error_of(&broken("days = 20", "days = 0"));
        assert_eq!(error.to_string(), "第1项 公开时限：天数必须大于0");
    }

    #[test]
    fn an_annual_date_that_does_not_exist_is_refused() {
        let error = error_of(&broken("month = 1, day = 31", "month = 2, day = 30"));
        assert_eq!(error.to_string(), "第2项 要素2：公开时限有误，“每年2月30日前”不是每年都有的日期");
    }

    #[test]
    fn a_subject_for_a_missing_element_is_refused() {
        let mut catalog = parse_catalog(MINIMAL).expect("MINIMAL must be valid");
        let item = catalog.groups[0].items.iter_mut().find(|i| i.number == 2).expect("item 2");
        item.subjects.push(SubjectAssignment { element: Some(3), levels: vec![SubjectLevel::Subordinate] });
        let error = validate_catalog(&catalog).expect_err("refused");
        assert_eq!(error.to_string(), "第2项 公开主体：指向不存在的要素3");
    }

    #[test]
    fn an_element_without_any_subject_is_refused() {
        let error = error_of(&broken(
            "{ ordinal = 2, text = \"政府信息公开年报\", subjects = [\"subordinate\"],",
            "{ ordinal = 2, text = \"政府信息公开年报\",",
        ));
        assert_eq!(error.to_string(), "第2项 要素2：没有公开主体（整项和本要素都未指定）");
    }

    #[test]
    fn a_misspelt_key_is_reported_with_its_position() {
        let error = error_of(&broken(
            "audience = [\"public\"]\nmodes = [\"proactive\"]\n",
            "audiense = [\"public\"]\nmodes = [\"proactive\"]\n",
        ));
        let message = error.to_string();
        assert!(message.starts_with("目录文件格式错误（TOML）："), "{message}");
        assert!(message.contains("audiense"), "{message}");
    }

    #[test]
    fn a_whole_gap_must_have_no_text() {
        let error = error_of(&broken(
            "{ ordinal = 1, text = \"机构概况\" }",
            "{ ordinal = 1, text = \"机构概况\", gap = { position = \"whole\", explanation = \"丢失\" } }",
        ));
        assert_eq!(error.to_string(), "第1项 要素1：文字标注为整段缺失（whole），现存文字应为空");
    }
}
