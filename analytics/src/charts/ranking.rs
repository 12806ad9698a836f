//! The direct customs ranked by score, with their completed share.

use super::{chart, empty_chart, palette, text_width, Anchor, Caption, Chart, TextTable};

/// One direct customs in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingRow {
    pub name: String,
    /// The score (0–100), e.g. the mean of its offices' scores.
    pub score: f64,
    /// The share of its subordinate offices that completed benchmarking, 0–1.
    pub completed_share: f64,
}

const HEADERS: [&str; 4] = ["名次", "直属海关", "得分（分）", "完成对标比例"];

fn score_text(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1}")
    } else {
        "—".into()
    }
}

fn share_text(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        "—".into()
    }
}

/// The ranking: direct customs ordered by score (highest first; equal scores share a rank and are ordered by name;
/// a score that is not a number comes last without a rank), one horizontal bar per score and a thinner one for the
/// completed share, both on a 0–100 scale, with the numbers written at the right.
pub fn ranking(caption: &Caption, rows: &[RankingRow]) -> Chart {
    let title = caption.title("直属海关按得分排名");
    if rows.is_empty() {
        return empty_chart(title, &HEADERS);
    }
    let mut rows: Vec<&RankingRow> = rows.iter().collect();
    rows.sort_by(|a, b| {
        let key = |r: &RankingRow| if r.score.is_finite() { r.score } else { f64::NEG_INFINITY };
        key(b).total_cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
    });
    // Competition ranking (1, 2, 2, 4) on the score as written.
    let mut ranks: Vec<String> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let rank = if !r.score.is_finite() {
            "—".to_string()
        } else if i > 0 && score_text(rows[i - 1].score) == score_text(r.score) {
            ranks[i - 1].clone()
        } else {
            (i + 1).to_string()
        };
        ranks.push(rank);
    }
    let mut table = TextTable::new(&HEADERS);
    for (r, rank) in rows.iter().zip(&ranks) {
        table.rows.push(vec![rank.clone(), r.name.clone(), score_text(r.score), share_text(r.completed_share)]);
    }

    const ROW_H: i32 = 24;
    let width = 960i32;
    let name_w = rows.iter().map(|r| text_width(&r.name, 13.0)).max().unwrap_or(0);
    let left = 52 + name_w + 12;
    let right = width - 190;
    let (score_x, share_x) = (width - 110, width - 24);
    let body_top = 112;
    let height = body_top + rows.len() as i32 * ROW_H + 20;
    let x = |v: f64| left + (v.clamp(0.0, 100.0) / 100.0 * (right - left) as f64).round() as i32;

    chart((width as u32, height as u32), title, table, |p| {
        // Legend.
        p.fill((20, 44), (36, 56), &palette::BLUE)?;
        p.text("得分（分）", (42, 50), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
        p.fill((140, 47), (156, 53), &palette::ORANGE)?;
        p.text("完成对标的隶属海关比例（%）", (162, 50), 13.0, &palette::BLACK, Anchor::LeftCenter)?;

        // Scale on top, grid down the body.
        let bottom = body_top + rows.len() as i32 * ROW_H;
        for t in (0..=100).step_by(20) {
            let xx = x(t as f64);
            p.line(vec![(xx, body_top - 4), (xx, bottom)], &palette::GREY_LIGHT, 1)?;
            p.text(&t.to_string(), (xx, body_top - 8), 12.0, &palette::GREY_DARK, Anchor::CenterBottom)?;
        }
        p.text("名次", (40, body_top - 16), 13.0, &palette::BLACK, Anchor::RightCenter)?;
        p.text("直属海关", (52, body_top - 16), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
        p.text("得分", (score_x, body_top - 16), 13.0, &palette::BLACK, Anchor::RightCenter)?;
        p.text("完成对标", (share_x, body_top - 16), 13.0, &palette::BLACK, Anchor::RightCenter)?;
        p.line(vec![(left, body_top), (left, bottom)], &palette::GREY_DARK, 1)?;

        for (i, (r, rank)) in rows.iter().zip(&ranks).enumerate() {
            let top = body_top + i as i32 * ROW_H;
            let mid = top + ROW_H / 2;
            if i > 0 && i % 5 == 0 {
                // A faint rule every five rows helps the eye along a long list.
                p.line(vec![(20, top), (share_x, top)], &palette::GREY_LIGHT, 1)?;
            }
            p.text(rank, (40, mid), 13.0, &palette::BLACK, Anchor::RightCenter)?;
            p.text(&r.name, (52, mid), 13.0, &palette::BLACK, Anchor::LeftCenter)?;
            if r.score.is_finite() && r.score > 0.0 {
                p.fill((left, top + 4), (x(r.score), top + 15), &palette::BLUE)?;
            }
            if r.completed_share.is_finite() && r.completed_share > 0.0 {
                p.fill((left, top + 16), (x(r.completed_share * 100.0), top + 21), &palette::ORANGE)?;
            }
            p.text(&score_text(r.score), (score_x, mid), 13.0, &palette::BLACK, Anchor::RightCenter)?;
            p.text(&share_text(r.completed_share), (share_x, mid), 13.0, &palette::BLACK, Anchor::RightCenter)?;
        }
        Ok(())
    })
}
