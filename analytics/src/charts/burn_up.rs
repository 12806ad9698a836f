//! Completed subordinate offices over time against the milestone targets.

use chrono::{Datelike, Months, NaiveDate};

use crate::rollout::MilestoneResult;

use super::{
    chart, date_zh, empty_chart, month_end, month_start, month_zh, nice_step, palette, percent, text_width, Anchor,
    Caption, Chart, Painter, TextTable,
};

/// A milestone target drawn on the burn-up: from `due` on, `required` offices must have completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BurnUpTarget {
    /// `M3`, `M4`, `M5` …
    pub code: String,
    /// A short name: `试点`, `三分之一`, `全部`.
    pub short_zh: String,
    pub due: NaiveDate,
    pub required: usize,
}

impl BurnUpTarget {
    /// A target of the notice, named by its code (M3 试点, M4 三分之一, M5 全部; other codes get no short name).
    pub fn new(code: &str, due: NaiveDate, required: usize) -> Self {
        let short = match code {
            "M3" => "试点",
            "M4" => "三分之一",
            "M5" => "全部",
            _ => "",
        };
        BurnUpTarget { code: code.to_string(), short_zh: short.to_string(), due, required }
    }

    /// The target of a count milestone of a rollout report (M3–M5: its deadline and the count required on it);
    /// `None` for M1 and M2, which have no count.
    pub fn from_result(result: &MilestoneResult) -> Option<Self> {
        result.required.map(|n| BurnUpTarget::new(&result.code, result.due, n))
    }

    /// `M4 三分之一`.
    pub fn name(&self) -> String {
        if self.short_zh.is_empty() {
            self.code.clone()
        } else {
            format!("{} {}", self.code, self.short_zh)
        }
    }

    /// `M4 三分之一 2022年12月31日`.
    pub fn label(&self) -> String {
        format!("{} {}", self.name(), date_zh(self.due))
    }
}

const HEADERS: [&str; 4] = ["日期", "项目", "隶属海关（个）", "占隶属海关总数"];

/// The burn-up of completed subordinate offices: `points` are `(date, completed offices on that date)` (cumulative
/// counts, any order; points after `as_of` are ignored), drawn as a step line to `as_of`, against the `targets` as a
/// dashed step line with a label per milestone. `total_offices` is the whole (the shares in the table).
pub fn burn_up(
    caption: &Caption,
    points: &[(NaiveDate, usize)],
    total_offices: usize,
    targets: &[BurnUpTarget],
) -> Chart {
    let as_of = caption.as_of;
    let title = caption.title("隶属海关完成对标进度");
    let mut points: Vec<(NaiveDate, usize)> = points.iter().copied().filter(|p| p.0 <= as_of).collect();
    points.sort();
    let mut targets: Vec<BurnUpTarget> = targets.to_vec();
    targets.sort_by(|a, b| (a.due, a.required, &a.code).cmp(&(b.due, b.required, &b.code)));
    if (points.is_empty() && targets.is_empty()) || (total_offices == 0 && points.iter().all(|p| p.1 == 0)) {
        return empty_chart(title, &HEADERS);
    }

    let mut table = TextTable::new(&HEADERS);
    let mut rows: Vec<(NaiveDate, u8, Vec<String>)> = Vec::new();
    for &(d, n) in &points {
        rows.push((d, 0, vec![date_zh(d), "累计完成对标".into(), n.to_string(), percent(n, total_offices)]));
    }
    for t in &targets {
        let what = format!("{} 目标", t.name());
        rows.push((t.due, 1, vec![date_zh(t.due), what, t.required.to_string(), percent(t.required, total_offices)]));
    }
    rows.sort_by_key(|a| (a.0, a.1));
    table.rows = rows.into_iter().map(|r| r.2).collect();

    let size = (960u32, 540u32);
    chart(size, title, table, |p| draw(p, size, &points, total_offices, &targets, as_of))
}

/// The burn-up's numbers by month, for reading beside the chart: the cumulative count at the end of every month
/// from the first completion to `as_of` (the last row is `as_of` itself), and the targets. [`burn_up`]'s own table
/// has a row for every day the count changed (hundreds of rows nationally); this one has one per month.
pub fn burn_up_by_month(
    points: &[(NaiveDate, usize)],
    total_offices: usize,
    targets: &[BurnUpTarget],
    as_of: NaiveDate,
) -> TextTable {
    let mut points: Vec<(NaiveDate, usize)> = points.iter().copied().filter(|p| p.0 <= as_of).collect();
    points.sort();
    let mut rows: Vec<(NaiveDate, u8, Vec<String>)> = Vec::new();
    let count_on = |day: NaiveDate| points.iter().take_while(|p| p.0 <= day).map(|p| p.1).max().unwrap_or(0);
    if let Some(&(first, _)) = points.first() {
        let mut day = month_end(first);
        loop {
            let shown = day.min(as_of);
            let n = count_on(shown);
            rows.push((
                shown,
                0,
                vec![date_zh(shown), "累计完成对标".into(), n.to_string(), percent(n, total_offices)],
            ));
            if day >= as_of {
                break;
            }
            match day.succ_opt() {
                Some(next) => day = month_end(next),
                None => break,
            }
        }
    }
    for t in targets {
        let what = format!("{} 目标", t.name());
        rows.push((t.due, 1, vec![date_zh(t.due), what, t.required.to_string(), percent(t.required, total_offices)]));
    }
    rows.sort_by_key(|a| (a.0, a.1));
    let mut table = TextTable::new(&HEADERS);
    table.rows = rows.into_iter().map(|r| r.2).collect();
    table
}

fn draw(
    p: &Painter,
    size: (u32, u32),
    points: &[(NaiveDate, usize)],
    total: usize,
    targets: &[BurnUpTarget],
    as_of: NaiveDate,
) -> Result<(), super::ChartError> {
    let (left, right, top, bottom) = (80i32, size.0 as i32 - 40, 100i32, size.1 as i32 - 60);

    // Time axis: whole months, from the first date shown to two months past the later of `as_of` and the last
    // deadline (so that the last target shows as a level, not only as a rise at the edge).
    let first = points.iter().map(|p| p.0).chain(targets.iter().map(|t| t.due)).chain([as_of]).min().unwrap_or(as_of);
    let last = targets.iter().map(|t| t.due).chain([as_of]).max().unwrap_or(as_of);
    let start = month_start(first);
    let end = month_end(last.checked_add_months(Months::new(2)).unwrap_or(last));
    let span = (end - start).num_days().max(1) as f64;
    let x = |d: NaiveDate| left + ((d - start).num_days() as f64 / span * (right - left) as f64).round() as i32;

    // Count axis: 0 to a nice round number at or above the whole.
    let max = points.iter().map(|p| p.1).chain(targets.iter().map(|t| t.required)).chain([total]).max().unwrap_or(0);
    let step = nice_step(max as f64, 5) as usize;
    // One step of headroom above the highest value, for the labels on top.
    let ymax = (max / step).saturating_add(1).saturating_mul(step);
    let y = |n: usize| bottom - (n as f64 / ymax as f64 * (bottom - top) as f64).round() as i32;

    // Legend and the whole.
    let lx = left;
    let ly = 52;
    p.line(vec![(lx, ly), (lx + 28, ly)], &palette::BLUE, 3)?;
    p.text("累计完成对标的隶属海关", (lx + 34, ly), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
    let lx2 = lx + 34 + text_width("累计完成对标的隶属海关", 13.0) + 24;
    p.dashed(vec![(lx2, ly), (lx2 + 28, ly)], &palette::VERMILLION, 2)?;
    p.text("通知要求（里程碑目标）", (lx2 + 34, ly), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
    p.text(&format!("隶属海关共{total}个"), (right, ly), 13.0, &palette::GREY_DARK, Anchor::RightCenter)?;

    // Grid and count labels.
    p.text("隶属海关（个）", (left - 8, top - 16), 13.0, &palette::GREY_DARK, Anchor::LeftCenter)?;
    let mut n = 0;
    while n <= ymax {
        let yy = y(n);
        p.line(vec![(left, yy), (right, yy)], if n == 0 { &palette::GREY_DARK } else { &palette::GREY_LIGHT }, 1)?;
        p.text(&n.to_string(), (left - 8, yy), 12.0, &palette::GREY_DARK, Anchor::RightCenter)?;
        match n.checked_add(step) {
            Some(next) => n = next,
            None => break,
        }
    }
    p.line(vec![(left, top), (left, bottom)], &palette::GREY_DARK, 1)?;

    // Month ticks at month ends, every 1, 3, 6 or 12 months so that the labels do not touch.
    let label_w = text_width("2022年12月", 12.0) + 16;
    let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32 + 1;
    let every = [1, 3, 6, 12, 24]
        .into_iter()
        .find(|&e| (right - left) as f64 / (months as f64 / e as f64).max(1.0) >= label_w as f64)
        .unwrap_or(24);
    let mut m = start;
    while m <= end {
        let me = month_end(m);
        if (me.month() as i32) % every.min(12) == 0 && (every <= 12 || me.year() % 2 == 0) {
            let xx = x(me);
            p.line(vec![(xx, bottom), (xx, bottom + 5)], &palette::GREY_DARK, 1)?;
            p.line(vec![(xx, top), (xx, bottom)], &palette::GREY_LIGHT, 1)?;
            p.text(&month_zh(me), (xx, bottom + 8), 12.0, &palette::GREY_DARK, Anchor::CenterTop)?;
        }
        m = me.succ_opt().unwrap_or(end);
        if me >= end {
            break;
        }
    }

    // Targets: a dashed step line rising at each deadline to the highest requirement due so far.
    let mut level = 0usize;
    let mut path = Vec::new();
    let mut marks = Vec::new();
    for t in targets {
        let xx = x(t.due);
        path.push((xx, y(level)));
        level = level.max(t.required);
        path.push((xx, y(level)));
        marks.push((t, xx, y(t.required)));
    }
    if !path.is_empty() {
        path.push((right, y(level)));
        p.dashed(path, &palette::VERMILLION, 2)?;
    }
    // Completed offices: a solid step line to `as_of`.
    let mut path = vec![(left, y(0))];
    let mut prev = 0usize;
    for &(d, n) in points {
        path.push((x(d), y(prev)));
        path.push((x(d), y(n)));
        prev = n;
    }
    let xe = x(as_of);
    path.push((xe, y(prev)));
    p.line(path.clone(), &palette::BLUE, 3)?;
    p.dot((xe, y(prev)), 5, &palette::BLUE)?;
    // Labels: just after the deadline, or just before it at the right edge; moved up past labels already placed.
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for &(t, xx, yy) in &marks {
        p.dot((xx, yy), 4, &palette::VERMILLION)?;
        let label = t.label();
        let w = text_width(&label, 13.0);
        let mut x0 = if xx + 6 + w <= right { xx + 6 } else { xx - 6 - w };
        x0 = x0.max(left + 2);
        // Above the target's level, or below it where the completed line runs through the words.
        let mut y0 = yy - 4;
        if crosses(&path, (x0, y0 - 16, x0 + w, y0))
            && !crosses(&path, (x0, yy + 4, x0 + w, yy + 20))
            && yy + 20 < bottom
        {
            y0 = yy + 20;
        }
        while placed.iter().any(|&(a, b, c, d)| x0 < c && x0 + w > a && y0 - 16 < d && y0 > b) && y0 > top {
            y0 -= 18;
        }
        placed.push((x0, y0 - 16, x0 + w, y0));
        p.halo((x0 - 2, y0 - 16), (x0 + w + 2, y0 + 1))?;
        p.text(&label, (x0, y0), 13.0, &palette::VERMILLION, Anchor::LeftBottom)?;
    }

    let label = format!("截至{}：{}个（{}）", date_zh(as_of), prev, percent(prev, total));
    let w = text_width(&label, 13.0);
    let lx = if xe + 10 + w <= right { xe + 10 } else { (xe - 10 - w).max(left + 2) };
    let mut ly = (y(prev) + 18).min(bottom - 10);
    while placed.iter().any(|&(a, b, c, d)| lx < c && lx + w > a && ly - 10 < d && ly + 10 > b) && ly < bottom - 28 {
        ly += 18;
    }
    p.halo((lx - 3, ly - 10), (lx + w + 3, ly + 10))?;
    p.bold(&label, (lx, ly), 13.0, &palette::BLUE, Anchor::LeftCenter)?;
    Ok(())
}

/// Whether a polyline of horizontal and vertical segments passes through a box `(x0, y0, x1, y1)`.
fn crosses(path: &[(i32, i32)], (x0, y0, x1, y1): (i32, i32, i32, i32)) -> bool {
    path.windows(2).any(|s| {
        let (ax, bx) = (s[0].0.min(s[1].0), s[0].0.max(s[1].0));
        let (ay, by) = (s[0].1.min(s[1].1), s[0].1.max(s[1].1));
        ax <= x1 && bx >= x0 && ay <= y1 && by >= y0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_monthly_table_has_the_count_at_each_month_end_up_to_the_date_and_the_targets() {
        let points = [(d(2022, 8, 10), 2), (d(2022, 8, 17), 4), (d(2022, 10, 5), 7), (d(2022, 11, 30), 9)];
        let targets = [BurnUpTarget::new("M3", d(2022, 8, 31), 3)];
        let table = burn_up_by_month(&points, 10, &targets, d(2022, 11, 15));
        let rows: Vec<(&str, &str, &str)> =
            table.rows.iter().map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str())).collect();
        assert_eq!(
            rows,
            [
                ("2022年8月31日", "累计完成对标", "4"),
                ("2022年8月31日", "M3 试点 目标", "3"),
                ("2022年9月30日", "累计完成对标", "4"),
                ("2022年10月31日", "累计完成对标", "7"),
                ("2022年11月15日", "累计完成对标", "7"),
            ]
        );
        assert_eq!(table.rows[0][3], "40.0%");
        assert!(burn_up_by_month(&[], 10, &[], d(2022, 11, 15)).rows.is_empty());
    }
}
