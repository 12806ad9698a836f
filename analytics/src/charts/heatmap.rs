//! A district's subordinate offices × catalog items, one cell per disclosure state.

use plotters::style::RGBColor;

use super::{chart, draw_legend, empty_chart, palette, text_width, Anchor, Caption, Chart, LegendEntry, TextTable};

/// The state of one catalog item at one office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellState {
    /// Disclosed on time.
    Met,
    /// Disclosed, but after its time limit.
    Late,
    /// Not disclosed.
    Missing,
    /// The district catalog marks the item 不适用.
    NotApplicable,
    /// Published by a higher level (备注2 谁制作、谁公开), not by the office.
    Inherited,
}

impl CellState {
    pub const ALL: [CellState; 5] =
        [CellState::Met, CellState::Late, CellState::Missing, CellState::NotApplicable, CellState::Inherited];

    /// The state in Chinese, as the table and legend write it.
    pub fn name_zh(self) -> &'static str {
        match self {
            CellState::Met => "按时公开",
            CellState::Late => "逾期公开",
            CellState::Missing => "未公开",
            CellState::NotApplicable => "不适用",
            CellState::Inherited => "由上级公开",
        }
    }

    /// The one-character code written in the cell.
    pub fn code_zh(self) -> &'static str {
        match self {
            CellState::Met => "是",
            CellState::Late => "迟",
            CellState::Missing => "缺",
            CellState::NotApplicable => "—",
            CellState::Inherited => "上",
        }
    }

    fn fill(self) -> RGBColor {
        match self {
            CellState::Met => palette::BLUISH_GREEN,
            CellState::Late => palette::SKY_BLUE,
            CellState::Missing => palette::VERMILLION,
            CellState::NotApplicable => palette::GREY_LIGHT,
            CellState::Inherited => palette::WHITE,
        }
    }
}

const NO_CELL: &str = "无数据";
const MAX_LABEL_LINES: usize = 10;

/// A column label written top to bottom: one line per character, runs of up to three ASCII letters or digits kept
/// on one line (item numbers read horizontally), at most [`MAX_LABEL_LINES`] lines (the last then `…`).
fn vertical_lines(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
            if run.len() == 3 {
                lines.push(std::mem::take(&mut run));
            }
            continue;
        }
        if !run.is_empty() {
            lines.push(std::mem::take(&mut run));
        }
        if !c.is_whitespace() {
            lines.push(c.to_string());
        }
    }
    if !run.is_empty() {
        lines.push(run);
    }
    if lines.len() > MAX_LABEL_LINES {
        lines.truncate(MAX_LABEL_LINES - 1);
        lines.push("…".into());
    }
    lines
}

/// The heatmap of one district: `cells[o][i]` is the state of item `items[i]` at office `offices[o]` (a missing cell
/// is drawn blank and written 无数据). Each cell carries a one-character code besides its colour; missing items
/// have a heavy border.
pub fn heatmap(caption: &Caption, offices: &[String], items: &[String], cells: Vec<Vec<CellState>>) -> Chart {
    let title = caption.title("隶属海关标准目录事项公开情况");
    let mut headers = vec!["隶属海关".to_string()];
    headers.extend(items.iter().cloned());
    if offices.is_empty() || items.is_empty() {
        let h: Vec<&str> = headers.iter().map(String::as_str).collect();
        return empty_chart(title, &h);
    }
    let cell = |o: usize, i: usize| cells.get(o).and_then(|row| row.get(i)).copied();
    let table = TextTable {
        headers,
        rows: offices
            .iter()
            .enumerate()
            .map(|(o, name)| {
                let mut row = vec![name.clone()];
                row.extend((0..items.len()).map(|i| cell(o, i).map(CellState::name_zh).unwrap_or(NO_CELL).to_string()));
                row
            })
            .collect(),
    };

    let name_w = offices.iter().map(|n| text_width(n, 13.0)).max().unwrap_or(0) + 16;
    let left = 20 + name_w;
    let cw = ((1180 - left) / items.len() as i32).clamp(20, 32);
    const ROW_H: i32 = 22;
    let width = (left + items.len() as i32 * cw + 20).max(760);
    let labels: Vec<Vec<String>> = items.iter().map(|l| vertical_lines(l)).collect();
    let lines = labels.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let mut legend: Vec<LegendEntry> = CellState::ALL
        .iter()
        .map(|s| LegendEntry {
            fill: s.fill(),
            code: s.code_zh().into(),
            code_color: palette::BLACK,
            heavy_border: *s == CellState::Missing,
            label: s.name_zh().into(),
        })
        .collect();
    if (0..offices.len()).any(|o| (0..items.len()).any(|i| cell(o, i).is_none())) {
        legend.push(LegendEntry {
            fill: palette::WHITE,
            code: "？".into(),
            code_color: palette::GREY_DARK,
            heavy_border: false,
            label: NO_CELL.into(),
        });
    }
    let header_top = super::legend_layout(&legend, (20, 48), width - 20).1 + 16;
    let body_top = header_top + lines * 15 + 8;
    let height = body_top + offices.len() as i32 * ROW_H + 20;

    chart((width as u32, height as u32), title, table, |p| {
        draw_legend(p, &legend, (20, 48), width - 20)?;

        p.bold("隶属海关", (20, body_top - 12), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
        for (i, label) in labels.iter().enumerate() {
            let cx = left + i as i32 * cw + cw / 2;
            for (k, line) in label.iter().enumerate() {
                p.text(line, (cx, header_top + k as i32 * 15 + 7), 12.0, &palette::BLACK, Anchor::CenterCenter)?;
            }
        }
        p.line(vec![(20, body_top - 1), (left + items.len() as i32 * cw, body_top - 1)], &palette::GREY_DARK, 1)?;
        for (o, name) in offices.iter().enumerate() {
            let top = body_top + o as i32 * ROW_H;
            p.text(name, (20, top + ROW_H / 2), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
            for i in 0..items.len() {
                let x0 = left + i as i32 * cw;
                let (a, b) = ((x0 + 1, top + 1), (x0 + cw - 1, top + ROW_H - 1));
                match cell(o, i) {
                    Some(s) => {
                        p.fill(a, b, &s.fill())?;
                        if s == CellState::Missing {
                            p.frame((a.0 + 1, a.1 + 1), (b.0 - 1, b.1 - 1), &palette::BLACK, 2)?;
                        } else if s.fill() == palette::WHITE {
                            p.outline(a, b, &palette::GREY_GRID)?;
                        }
                        p.text(
                            s.code_zh(),
                            (x0 + cw / 2, top + ROW_H / 2),
                            12.0,
                            &palette::BLACK,
                            Anchor::CenterCenter,
                        )?;
                    }
                    None => {
                        p.outline(a, b, &palette::GREY_GRID)?;
                        p.text("？", (x0 + cw / 2, top + ROW_H / 2), 12.0, &palette::GREY_DARK, Anchor::CenterCenter)?;
                    }
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_labels_run_top_to_bottom_with_item_numbers_kept_whole() {
        assert_eq!(vertical_lines("12 机构信息"), vec!["12", "机", "构", "信", "息"]);
        assert_eq!(vertical_lines("1 政府信息公开工作年度报告及其附件").len(), MAX_LABEL_LINES);
        assert_eq!(vertical_lines("1 政府信息公开工作年度报告及其附件").last().map(String::as_str), Some("…"));
    }
}
