//! Direct customs × milestones M1–M5, one cell per status.

use plotters::style::RGBColor;

use super::{
    chart, date_zh, draw_legend, empty_chart, palette, text_width, Anchor, Caption, Chart, LegendEntry, TextTable,
};
use crate::milestones::notice_milestones;
use crate::rollout::{DistrictReport, MilestoneStatus};

/// The milestones of a matrix row, in order.
pub const MATRIX_MILESTONES: [&str; 5] = ["M1", "M2", "M3", "M4", "M5"];

/// The short column names of M1–M5.
const SHORT_NAMES: [&str; 5] = ["关区目录公开", "实施方案备案", "试点完成对标", "三分之一完成", "全部完成"];

/// One direct customs in the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictRow {
    /// The direct customs' code (`0100`).
    pub code: String,
    pub name: String,
    /// M1 … M5.
    pub cells: [MilestoneStatus; 5],
}

impl DistrictRow {
    /// The row of a district report; `None` when the report lacks one of M1–M5.
    pub fn from_report(report: &DistrictReport) -> Option<Self> {
        let mut cells = [MilestoneStatus::NoOffices; 5];
        for (cell, code) in cells.iter_mut().zip(MATRIX_MILESTONES) {
            *cell = report.milestone(code)?.status;
        }
        Some(DistrictRow { code: report.district.to_string(), name: report.name.clone(), cells })
    }
}

/// How a status is drawn: fill, words in the cell ([`MilestoneStatus::short_zh`]), heavy border.
fn look(status: &MilestoneStatus) -> (RGBColor, String, bool) {
    let fill = match *status {
        MilestoneStatus::MetOnTime { .. } => palette::BLUISH_GREEN,
        MilestoneStatus::MetLate { .. } => palette::SKY_BLUE,
        MilestoneStatus::Missed { .. } => palette::VERMILLION,
        MilestoneStatus::DueToday => palette::ORANGE,
        MilestoneStatus::NotYetDue { on_track: true, .. } => palette::WHITE,
        MilestoneStatus::NotYetDue { on_track: false, .. } => palette::YELLOW,
        MilestoneStatus::NoOffices => palette::GREY_LIGHT,
    };
    (fill, status.short_zh(), matches!(status, MilestoneStatus::Missed { .. }))
}

fn legend() -> Vec<LegendEntry> {
    let entry = |fill: RGBColor, heavy: bool, label: &str| LegendEntry {
        fill,
        code: String::new(),
        code_color: palette::BLACK,
        heavy_border: heavy,
        label: label.to_string(),
    };
    vec![
        entry(palette::BLUISH_GREEN, false, "按期完成"),
        entry(palette::SKY_BLUE, false, "逾期完成（格内为逾期日数）"),
        entry(palette::VERMILLION, true, "逾期未完成（粗框，格内为逾期日数）"),
        entry(palette::ORANGE, false, "今日到期"),
        entry(palette::WHITE, false, "未到期"),
        entry(palette::YELLOW, false, "有逾期风险（未到期，预计逾期）"),
        entry(palette::GREY_LIGHT, false, "无隶属海关，不适用"),
    ]
}

/// The milestone matrix: one row per direct customs (in the order given), one column per milestone M1–M5, each cell
/// coloured by its status and carrying it in words (days late or overdue included), with a legend.
pub fn milestone_matrix(caption: &Caption, rows: &[DistrictRow]) -> Chart {
    let title = caption.title("各直属海关里程碑（M1–M5）完成情况");
    let notice = notice_milestones();
    let columns: Vec<(String, String)> = MATRIX_MILESTONES
        .iter()
        .zip(SHORT_NAMES)
        .map(|(code, short)| {
            let due = notice.iter().find(|m| m.code == *code).map(|m| date_zh(m.deadline)).unwrap_or_default();
            (format!("{code} {short}"), due)
        })
        .collect();
    let mut headers = vec!["关区代码".to_string(), "直属海关".to_string()];
    headers.extend(columns.iter().map(|(name, due)| format!("{name}（{due}前）")));
    if rows.is_empty() {
        let h: Vec<&str> = headers.iter().map(String::as_str).collect();
        return empty_chart(title, &h);
    }
    let table = TextTable {
        headers,
        rows: rows
            .iter()
            .map(|r| {
                let mut row = vec![r.code.clone(), r.name.clone()];
                row.extend(r.cells.iter().map(MilestoneStatus::label_zh));
                row
            })
            .collect(),
    };

    const CELL_W: i32 = 140;
    const ROW_H: i32 = 24;
    let name_w =
        rows.iter().map(|r| text_width(&r.name, 13.0)).max().unwrap_or(0).max(text_width("直属海关", 13.0)) + 16;
    let left = 20 + name_w;
    let width = (left + 5 * CELL_W + 20).max(760);
    let legend_bottom = super::legend_layout(&legend(), (20, 48), width - 20).1;
    let header_top = legend_bottom + 14;
    let header_h = 44;
    let body_top = header_top + header_h;
    let height = body_top + rows.len() as i32 * ROW_H + 20;
    let size = (width as u32, height as u32);

    chart(size, title, table, |p| {
        draw_legend(p, &legend(), (20, 48), width - 20)?;
        p.bold("直属海关", (20, header_top + header_h / 2), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
        for (i, (name, due)) in columns.iter().enumerate() {
            let cx = left + i as i32 * CELL_W + CELL_W / 2;
            p.bold(name, (cx, header_top + 14), 13.0, &palette::BLACK, Anchor::CenterCenter)?;
            p.text(&format!("{due}前"), (cx, header_top + 32), 12.0, &palette::GREY_DARK, Anchor::CenterCenter)?;
        }
        p.line(vec![(20, body_top - 1), (left + 5 * CELL_W, body_top - 1)], &palette::GREY_DARK, 1)?;
        for (r, row) in rows.iter().enumerate() {
            let top = body_top + r as i32 * ROW_H;
            p.text(&row.name, (20, top + ROW_H / 2), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
            for (i, status) in row.cells.iter().enumerate() {
                let x0 = left + i as i32 * CELL_W;
                let (fill, words, heavy) = look(status);
                p.fill((x0 + 1, top + 1), (x0 + CELL_W - 1, top + ROW_H - 1), &fill)?;
                if heavy {
                    p.frame((x0 + 2, top + 2), (x0 + CELL_W - 2, top + ROW_H - 2), &palette::BLACK, 2)?;
                } else if fill == palette::WHITE {
                    p.outline((x0 + 1, top + 1), (x0 + CELL_W - 1, top + ROW_H - 1), &palette::GREY_GRID)?;
                }
                p.text(&words, (x0 + CELL_W / 2, top + ROW_H / 2), 12.0, &palette::BLACK, Anchor::CenterCenter)?;
            }
        }
        Ok(())
    })
}
