//! The typed content of an office return (隶属海关填报表): what a subordinate office reports about each catalog item
//! and about the guide's requirements beyond the catalog.
//!
//! This is the model that the Excel import and the web form of issue 4 fill, and that the assessment
//! ([`crate::assessment`]) scores. It holds values only: parsing, verification and storage live elsewhere.
//!
//! - [`ItemReport`]: one row of the sheet `公开事项`: an item, or one element of it where the catalog gives the
//!   element its own time limit (item 24).
//! - [`Requirement`]: one requirement of the guide (《海关领域基层政务公开标准指引》) that the catalog does not cover,
//!   as data, with the guide's own words in `basis`; [`guide_requirements`] is the list of DOMAIN.md §4.
//! - [`RequirementReport`]: one row of the sheet `基本要求`.
//! - [`ReturnSnapshot`]: a whole return of one office for one period; once accepted by the direct customs it is an
//!   immutable snapshot with its verification date.
//!
//! Submodules:
//! - [`period`]: the reporting quarter ([`Period`], canonical `2022Q3`, shown `2022年第三季度`).
//! - `template` (engine): the .xlsx an office downloads ([`write_template`], [`write_filled`]).
//! - `import` (engine): reading an upload back ([`parse_return`]), every problem at its cell in Chinese.
//! - [`diff`](mod@diff): what changed between two returns, for the preview.
//! - [`form`]: the web form of a return ([`form::ReturnForm`]), checked by the import's own rules
//!   ([`form::parse_form`]).
//!
//! The guide's quotations are verbatim from the notice (`seed/000_245636b084cd874a.txt`), except that spaces left
//! by text extraction (`企业群众, 匹配`) are removed; the notice's half-width commas are kept.

#[cfg(feature = "engine")]
pub mod batch;
#[cfg(feature = "engine")]
pub mod demo;
pub mod diff;
pub mod form;
#[cfg(feature = "engine")]
pub mod import;
pub mod period;
#[cfg(feature = "engine")]
pub mod template;

pub use diff::{diff, Change, ChangeTarget};
#[cfg(feature = "engine")]
pub use import::{
    parse_return, MetaSource, ParseContext, ParseOutcome, ProblemLocation, ReturnMeta, ReturnProblem, Severity,
    MAX_RETURN_ROWS, RETURN_EXTENT,
};
pub use period::{Period, PeriodError};
#[cfg(feature = "engine")]
pub use template::{write_filled, write_template, TemplateError, TemplateSpec, TEMPLATE_VERSION};

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::ChannelCode;
use crate::offices::OfficeCode;

/// The answer to 是否公开 / 是否落实: 是, 否 or 不适用.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosed {
    /// 是
    Yes,
    /// 否
    No,
    /// 不适用
    NotApplicable,
}

impl Disclosed {
    /// The word the template uses: 是, 否, 不适用.
    pub fn name_zh(self) -> &'static str {
        match self {
            Disclosed::Yes => "是",
            Disclosed::No => "否",
            Disclosed::NotApplicable => "不适用",
        }
    }
}

/// One row of the sheet `公开事项`: what an office reports about one catalog item (or one element of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemReport {
    /// The catalog item's 序号 (1–25 in the standard catalog).
    pub item: u32,
    /// The element, where the catalog gives elements their own time limits (item 24); `None` for the whole item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<u32>,
    /// 是否公开.
    pub disclosed: Disclosed,
    /// The channels used (■/√ in columns A–H).
    #[serde(default)]
    pub channels: BTreeSet<ChannelCode>,
    /// 其他渠道说明: what channel H is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_channel: Option<String>,
    /// 公开位置或网址.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// 信息形成或变更日期 (approval date for 预决算; any day of the reported year for a yearly report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formed_on: Option<NaiveDate>,
    /// 公开日期 (for "as needed" items: the last update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_on: Option<NaiveDate>,
    /// Elements (by ordinal) the office reports as not published.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elements_missing: Vec<u32>,
    /// 备注.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ItemReport {
    /// A report of an item disclosed through the given channels, with no dates.
    pub fn disclosed(item: u32, channels: impl IntoIterator<Item = ChannelCode>) -> Self {
        ItemReport {
            item,
            element: None,
            disclosed: Disclosed::Yes,
            channels: channels.into_iter().collect(),
            other_channel: None,
            location: None,
            formed_on: None,
            published_on: None,
            elements_missing: Vec::new(),
            note: None,
        }
    }
}

/// A requirement of the guide beyond the catalog (DOMAIN.md §4), as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Stable code, used in returns and schemes, e.g. `exchange_activities`.
    pub code: String,
    /// The guide's paragraph number as printed, without parentheses: `三`, `十五`.
    pub section: String,
    pub title_zh: String,
    pub title_en: String,
    /// Whether the guide requires it (应当) rather than encourages it (鼓励).
    pub mandatory: bool,
    /// A count the guide asks for per year, where it asks for one (public exchange activities: at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u32>,
    /// The guide's words.
    pub basis: String,
}

/// One row of the sheet `基本要求`: whether an office meets a requirement, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementReport {
    /// The requirement's code ([`Requirement::code`]).
    pub code: String,
    /// 是否落实.
    pub fulfilled: Disclosed,
    /// 佐证说明.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The number reported where the guide asks for one (e.g. public exchange activities this year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

impl RequirementReport {
    /// A report that the requirement is met, without evidence or count.
    pub fn met(code: &str) -> Self {
        RequirementReport { code: code.to_string(), fulfilled: Disclosed::Yes, evidence: None, count: None }
    }
}

/// A whole return of one subordinate office for one reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnSnapshot {
    pub office: OfficeCode,
    /// The reporting period in the canonical form of [`Period::code`], e.g. `2022Q3`.
    pub period: String,
    /// The date the direct customs accepted (verified) the return; `None` while it is not accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_on: Option<NaiveDate>,
    pub items: Vec<ItemReport>,
    pub requirements: Vec<RequirementReport>,
}

impl ReturnSnapshot {
    /// The report of an item as a whole (`element` is `None`), else the first report of any of its elements.
    pub fn item(&self, item: u32) -> Option<&ItemReport> {
        self.items
            .iter()
            .find(|r| r.item == item && r.element.is_none())
            .or_else(|| self.items.iter().find(|r| r.item == item))
    }

    /// The report of one element of an item, falling back to the report of the item as a whole.
    pub fn element(&self, item: u32, element: u32) -> Option<&ItemReport> {
        self.items
            .iter()
            .find(|r| r.item == item && r.element == Some(element))
            .or_else(|| self.items.iter().find(|r| r.item == item && r.element.is_none()))
    }

    /// The report of a requirement.
    pub fn requirement(&self, code: &str) -> Option<&RequirementReport> {
        self.requirements.iter().find(|r| r.code == code)
    }
}

/// Requirement codes of the guide, as constants for code that names one.
pub mod codes {
    pub const LEADER_FILED: &str = "leader_filed";
    pub const OFFICE_AND_POST: &str = "office_and_post";
    pub const RELEASE_REVIEW: &str = "release_review";
    pub const APPLICATION_CHANNELS: &str = "application_channels";
    pub const APPLICATION_WORKFLOW: &str = "application_workflow";
    pub const INTERPRETATION: &str = "interpretation";
    pub const PRECISE_PUSH: &str = "precise_push";
    pub const RESPOND_CONCERNS: &str = "respond_concerns";
    pub const COMPLAINT_CHANNELS: &str = "complaint_channels";
    pub const EXCHANGE_ACTIVITIES: &str = "exchange_activities";
    pub const PHONES_FIRST_INQUIRY: &str = "phones_first_inquiry";
    pub const TRAINING: &str = "training";
}

/// The guide's requirements beyond the catalog (指引 §二–§八, DOMAIN.md §4), in the guide's order.
///
/// 十二 (精准推送) is encouraged (鼓励), not required: it is not mandatory and schemes treat it as a bonus. 十五 asks for
/// "至少组织一至两次" public exchange activities a year: the minimum is 1.
pub fn guide_requirements() -> Vec<Requirement> {
    let r =
        |code: &str, section: &str, title_zh: &str, title_en: &str, mandatory: bool, min: Option<u32>, basis: &str| {
            Requirement {
                code: code.to_string(),
                section: section.to_string(),
                title_zh: title_zh.to_string(),
                title_en: title_en.to_string(),
                mandatory,
                min_count: min,
                basis: basis.to_string(),
            }
        };
    vec![
        r(
            codes::LEADER_FILED,
            "三",
            "确定政务公开分管负责同志并报直属海关办公室备案",
            "Responsible leader designated and filed with the direct customs office",
            true,
            None,
            "隶属海关要依法确定一名负责同志,履行本关政务公开领导职责,并定期报直属海关办公室备案。",
        ),
        r(
            codes::OFFICE_AND_POST,
            "四",
            "办公室为负责机构，设置专岗，人员变动及时备案",
            "Office as responsible unit with a dedicated post; staff changes filed",
            true,
            None,
            "隶属海关办公室是本关政务公开工作负责机构,应当设置专岗负责本关政务公开日常工作。岗位人员变动时,应及时报直属海关办公室备案。",
        ),
        r(
            codes::RELEASE_REVIEW,
            "七",
            "建立信息发布工作流程和公开审查工作机制",
            "Release workflow and pre-publication review",
            true,
            None,
            "按照“谁制作、谁公开”“谁公开、谁审查”“先审查、后公开”的原则,隶属海关应当建立健全本关信息发布工作流程和公开审查工作机制,确保信息发布及时、权威、准确。",
        ),
        r(
            codes::APPLICATION_CHANNELS,
            "九",
            "畅通依申请公开接收渠道并在政府信息公开指南中说明",
            "Application channels (in person, post, email) published in the disclosure guide",
            true,
            None,
            "隶属海关应当建立畅通的政府信息公开申请接收渠道,为申请人依法获取海关政府信息提供便利,包括但不限于当面提交、邮政寄送、电子邮箱等。隶属海关应当将本关所开通的申请接收渠道及使用注意事项,在政府信息公开指南中专门说明并向社会公告",
        ),
        r(
            codes::APPLICATION_WORKFLOW,
            "十",
            "健全依申请公开登记、审核、办理、答复、归档工作流程",
            "Application workflow: register, review, handle, reply, archive",
            true,
            None,
            "隶属海关应当建立健全依申请公开登记、审核、办理、答复、归档等工作流程,防止因遗漏、延误、内部衔接不畅等问题损害申请人合法权益",
        ),
        r(
            codes::INTERPRETATION,
            "十一",
            "开展政策解读宣贯",
            "Policy interpretation and outreach",
            true,
            None,
            "隶属海关应当针对企业群众关心的重要政策和热点问题,通过政策说明会、即时通讯群、公众号、现场公示栏、咨询窗口等方式,及时传递总署和直属海关政策文件,主动宣传和讲解本关的具体贯彻执行措施。",
        ),
        r(
            codes::PRECISE_PUSH,
            "十二",
            "推行精准推送（鼓励）",
            "Targeted push of information (encouraged)",
            false,
            None,
            "鼓励隶属海关依据本地工作实际,推行精准化公开和沟通方式,根据不同类型、不同需求的企业群众,匹配推送适用的政策措施和办事服务信息。",
        ),
        r(
            codes::RESPOND_CONCERNS,
            "十三",
            "回应政务舆情和媒体关切",
            "Response to public and media concerns",
            true,
            None,
            "对涉及本关的重要政务舆情、媒体关切等热点问题,隶属海关应当按照海关舆情处理工作机制,认真研判及时报告、规范处置。",
        ),
        r(
            codes::COMPLAINT_CHANNELS,
            "十四",
            "在对外办公场所、直属海关网站、政务新媒体明示投诉和意见建议渠道",
            "Complaint and suggestion channels posted on site, on the website and on new media",
            true,
            None,
            "隶属海关应当依法建立健全本关的信访投诉和意见建议接收渠道,并在本关对外办公场所、直属海关网站、政务新媒体上对外明示",
        ),
        r(
            codes::EXCHANGE_ACTIVITIES,
            "十五",
            "每年至少组织一次公众交流活动",
            "At least one public exchange activity a year",
            true,
            Some(1),
            "各隶属海关每年应当至少组织一至两次公众交流活动,包括但不限于企业座谈会、问卷调查、公众开放日、关长接待日等形式",
        ),
        r(
            codes::PHONES_FIRST_INQUIRY,
            "十七",
            "公开业务联系、咨询电话，推行首问负责制",
            "Business and consultation phones published; first-inquiry responsibility",
            true,
            None,
            "所有隶属海关均应对外公开本关业务联系、咨询电话,方便企业群众办事咨询;加强对一线关员的业务培训,推行首问负责制",
        ),
        r(
            codes::TRAINING,
            "二十",
            "开展政务公开教育培训",
            "Disclosure training",
            true,
            None,
            "加大教育培训力度,把政务公开特别是政府信息公开纳入基层领导干部和公务员教育培训内容,增强依法依规公开意识。",
        ),
    ]
}

/// The requirement with the given code in [`guide_requirements`].
pub fn guide_requirement(code: &str) -> Option<Requirement> {
    guide_requirements().into_iter().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guide_requirement_quotes_the_guide_and_only_precise_push_is_optional() {
        let all = guide_requirements();
        assert_eq!(all.len(), 12);
        let codes: BTreeSet<&str> = all.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), 12, "codes are unique");
        for r in &all {
            assert!(!r.basis.trim().is_empty(), "{} has the guide's words", r.code);
        }
        let optional: Vec<&str> = all.iter().filter(|r| !r.mandatory).map(|r| r.code.as_str()).collect();
        assert_eq!(optional, vec![codes::PRECISE_PUSH]);
        assert_eq!(guide_requirement(codes::EXCHANGE_ACTIVITIES).and_then(|r| r.min_count), Some(1));
    }
}
