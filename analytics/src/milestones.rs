//! The rollout milestones of 署办发〔2021〕23号 (三、工作任务), as data.
//!
//! Each milestone names its deadline, who must meet it and what counts as met, quoting the notice. The
//! judgement of whether a district met it (on time, late, missed, open) belongs to the assessment engine; what
//! lives here is the schedule itself and the arithmetic the notice prescribes, such as "不少于三分之一".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who a milestone binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneScope {
    /// Each direct customs for its district.
    EachDirectCustoms,
    /// The whole customs system.
    SystemWide,
}

/// What a milestone requires, typed so it can be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MilestoneTarget {
    /// The district catalog compiled and published (M1).
    DistrictCatalogPublished,
    /// The implementation plan filed with the HQ general office (M2).
    PlanFiled,
    /// At least this many pilot subordinate offices completed benchmarking (M3: "至少选择1至2个").
    PilotsCompleted { at_least: u32 },
    /// At least `numerator/denominator` of the district's subordinate offices on the deadline completed, rounded
    /// up (M4: "不少于三分之一"; M5: all).
    ShareCompleted { numerator: u32, denominator: u32 },
    /// Excellent cases and service brands (M6); judged by HQ, not computed.
    Qualitative,
}

impl MilestoneTarget {
    /// The number of completed subordinate offices needed when the district has `offices` on the deadline, for
    /// targets that are counts; `None` for the others.
    pub fn required_count(&self, offices: usize) -> Option<usize> {
        match *self {
            MilestoneTarget::PilotsCompleted { at_least } => Some((at_least as usize).min(offices)),
            MilestoneTarget::ShareCompleted { numerator, denominator } if denominator > 0 => {
                Some((offices * numerator as usize).div_ceil(denominator as usize))
            }
            _ => None,
        }
    }
}

/// One milestone of the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// `M1` … `M6`.
    pub code: String,
    pub deadline: NaiveDate,
    pub scope: MilestoneScope,
    pub target: MilestoneTarget,
    /// Short title in Chinese.
    pub title_zh: String,
    /// Short title in English.
    pub title_en: String,
    /// The notice's own words.
    pub quote: String,
}

/// The day 署办发〔2021〕23号 was issued; offices opened after it are new to the rollout.
pub const NOTICE_ISSUED_ON: (i32, u32, u32) = (2021, 12, 30);

/// [`NOTICE_ISSUED_ON`] as a date.
pub fn notice_issued_on() -> NaiveDate {
    date(NOTICE_ISSUED_ON.0, NOTICE_ISSUED_ON.1, NOTICE_ISSUED_ON.2)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    // The dates below are constants known to be valid; fall back to the epoch rather than panic.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The six milestones of 署办发〔2021〕23号 in deadline order.
pub fn notice_milestones() -> Vec<Milestone> {
    vec![
        Milestone {
            code: "M1".into(),
            deadline: date(2022, 4, 30),
            scope: MilestoneScope::EachDirectCustoms,
            target: MilestoneTarget::DistrictCatalogPublished,
            title_zh: "编制并公开关区目录".into(),
            title_en: "District catalog compiled and published".into(),
            quote: "2022年4月底前，各直属海关要对照《目录》……编制完成关区基层政务公开标准事项目录并对外公开。".into(),
        },
        Milestone {
            code: "M2".into(),
            deadline: date(2022, 4, 30),
            scope: MilestoneScope::EachDirectCustoms,
            target: MilestoneTarget::PlanFiled,
            title_zh: "制定实施方案并报总署办公厅备案".into(),
            title_en: "Implementation plan filed with HQ".into(),
            quote: "2022年4月底前，各直属海关要制定本关区推进落实《指引》的具体实施方案……函报总署办公厅备案。".into(),
        },
        Milestone {
            code: "M3".into(),
            deadline: date(2022, 8, 31),
            scope: MilestoneScope::EachDirectCustoms,
            target: MilestoneTarget::PilotsCompleted { at_least: 1 },
            title_zh: "试点隶属海关完成对标".into(),
            title_en: "Pilot offices completed benchmarking".into(),
            quote: "2022年8月底前，各直属海关要至少选择1至2个试点隶属海关，完成《指引》对标任务。".into(),
        },
        Milestone {
            code: "M4".into(),
            deadline: date(2022, 12, 31),
            scope: MilestoneScope::EachDirectCustoms,
            target: MilestoneTarget::ShareCompleted { numerator: 1, denominator: 3 },
            title_zh: "不少于三分之一的隶属海关完成对标".into(),
            title_en: "At least one third of subordinate offices completed".into(),
            quote: "2022年12月底前，推动不少于三分之一的隶属海关完成《指引》对标任务。".into(),
        },
        Milestone {
            code: "M5".into(),
            deadline: date(2023, 12, 31),
            scope: MilestoneScope::EachDirectCustoms,
            target: MilestoneTarget::ShareCompleted { numerator: 1, denominator: 1 },
            title_zh: "所有隶属海关符合《指引》要求".into(),
            title_en: "All subordinate offices meet the guide".into(),
            quote: "2023年底前，推动所有隶属海关符合《指引》要求。".into(),
        },
        Milestone {
            code: "M6".into(),
            deadline: date(2024, 12, 31),
            scope: MilestoneScope::SystemWide,
            target: MilestoneTarget::Qualitative,
            title_zh: "推出一批优秀案例和服务品牌".into(),
            title_en: "Excellent cases and service brands".into(),
            quote: "用2到3年的时间，推出一批在系统内外均具有一定影响力的基层海关政务公开优秀案例和服务品牌。".into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_third_is_rounded_up_so_a_district_of_ten_offices_needs_four() {
        let m4 = MilestoneTarget::ShareCompleted { numerator: 1, denominator: 3 };
        assert_eq!(m4.required_count(10), Some(4));
        assert_eq!(m4.required_count(9), Some(3));
        assert_eq!(m4.required_count(1), Some(1));
        assert_eq!(m4.required_count(0), Some(0));
    }

    #[test]
    fn the_notice_sets_six_milestones_in_deadline_order() {
        let all = notice_milestones();
        assert_eq!(all.len(), 6);
        assert!(all.windows(2).all(|w| w[0].deadline <= w[1].deadline));
        assert_eq!(all[2].deadline, NaiveDate::from_ymd_opt(2022, 8, 31).unwrap());
        assert_eq!(all[3].target.required_count(30), Some(10));
        assert_eq!(all[4].target.required_count(30), Some(30));
        assert_eq!(all[2].target.required_count(0), Some(0));
    }
}
