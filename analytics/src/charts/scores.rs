//! A histogram of office scores with the grade bands.

use super::{chart, empty_chart, nice_step, palette, Anchor, Caption, Chart, TextTable};

/// Width of a histogram bin in points.
pub const BIN_WIDTH: f64 = 5.0;
const BINS: usize = 20;

const HEADERS: [&str; 3] = ["分数段（含下限，不含上限；100分计入最高段）", "隶属海关（个）", "等级"];

fn bin_of(score: f64) -> usize {
    ((score.clamp(0.0, 100.0) / BIN_WIDTH).floor() as usize).min(BINS - 1)
}

/// A number of points without needless decimals: `60`, `85.5`.
fn points(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The distribution of office scores (0–100, clamped; values that are not numbers are left out) in bins of
/// [`BIN_WIDTH`] points, with the grade bands `(grade, min score)` marked by dashed boundaries and named above.
pub fn score_distribution(caption: &Caption, scores: &[f64], bands: &[(&str, f64)]) -> Chart {
    let title = caption.title("隶属海关得分分布");
    let scores: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    if scores.is_empty() {
        return empty_chart(title, &HEADERS);
    }
    let mut bands: Vec<(&str, f64)> = bands.iter().copied().filter(|b| b.1.is_finite()).collect();
    bands.sort_by(|a, b| a.1.total_cmp(&b.1));
    let band_of = |lo: f64| bands.iter().rev().find(|b| b.1 <= lo).map(|b| b.0).unwrap_or("");

    let mut counts = [0usize; BINS];
    for &s in &scores {
        counts[bin_of(s)] += 1;
    }
    let mut table = TextTable::new(&HEADERS);
    for (i, &n) in counts.iter().enumerate() {
        let lo = i as f64 * BIN_WIDTH;
        table.rows.push(vec![
            format!("{}–{}分", points(lo), points(lo + BIN_WIDTH)),
            n.to_string(),
            band_of(lo).to_string(),
        ]);
    }
    table.rows.push(vec!["合计".into(), scores.len().to_string(), String::new()]);

    let size = (960u32, 520u32);
    chart(size, title, table, |p| {
        // The band labels sit in their own strip above the plot (`labels`), so the count over the tallest bar, which
        // can reach `top`, never runs into a band's name or range.
        let (left, right, top, bottom) = (80i32, 920i32, 140i32, 450i32);
        let labels = 120i32;
        let x = |v: f64| left + (v.clamp(0.0, 100.0) / 100.0 * (right - left) as f64).round() as i32;
        let max = counts.iter().copied().max().unwrap_or(0);
        let step = nice_step(max as f64, 5) as usize;
        let ymax = max.div_ceil(step).max(1).saturating_mul(step);
        let y = |n: usize| bottom - (n as f64 / ymax as f64 * (bottom - top) as f64).round() as i32;

        // Legend.
        p.fill((left, 44), (left + 16, 60), &palette::BLUE)?;
        p.text(
            &format!("隶属海关数（共{}个）", scores.len()),
            (left + 22, 52),
            13.0,
            &palette::BLACK,
            Anchor::LeftCenter,
        )?;
        p.dashed(vec![(left + 220, 52), (left + 248, 52)], &palette::BLACK, 2)?;
        p.text("等级分界", (left + 254, 52), 13.0, &palette::BLACK, Anchor::LeftCenter)?;

        // Grid and axes.
        p.text("隶属海关（个）", (left - 8, labels - 14), 13.0, &palette::GREY_DARK, Anchor::LeftCenter)?;
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
        for t in (0..=100).step_by(10) {
            let xx = x(t as f64);
            p.line(vec![(xx, bottom), (xx, bottom + 5)], &palette::GREY_DARK, 1)?;
            p.text(&t.to_string(), (xx, bottom + 8), 12.0, &palette::GREY_DARK, Anchor::CenterTop)?;
        }
        p.text("得分（分）", ((left + right) / 2, bottom + 40), 13.0, &palette::GREY_DARK, Anchor::CenterCenter)?;

        // Bars with their counts.
        for (i, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let lo = i as f64 * BIN_WIDTH;
            let (x0, x1) = (x(lo) + 1, x(lo + BIN_WIDTH) - 1);
            p.fill((x0, y(n)), (x1, bottom), &palette::BLUE)?;
            p.text(&n.to_string(), ((x0 + x1) / 2, y(n) - 4), 12.0, &palette::BLACK, Anchor::CenterBottom)?;
        }

        // Bands: dashed boundaries, the name and range above each band.
        for (i, &(name, min)) in bands.iter().enumerate() {
            let hi = bands.get(i + 1).map(|b| b.1).unwrap_or(100.0);
            let min = min.clamp(0.0, 100.0);
            if min > 0.0 && min < 100.0 {
                p.dashed(vec![(x(min), labels - 44), (x(min), bottom)], &palette::BLACK, 2)?;
            }
            let range = if i == 0 && min <= 0.0 {
                format!("{}分以下", points(hi))
            } else if i + 1 == bands.len() {
                format!("{}分及以上", points(min))
            } else {
                format!("{}–{}分", points(min), points(hi))
            };
            let cx = (x(min) + x(hi)) / 2;
            p.bold(name, (cx, labels - 32), 13.0, &palette::BLACK, Anchor::CenterCenter)?;
            p.text(&range, (cx, labels - 14), 12.0, &palette::GREY_DARK, Anchor::CenterCenter)?;
        }
        Ok(())
    })
}
