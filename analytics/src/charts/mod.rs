//! Charts drawn on the server as SVG with [plotters](https://docs.rs/plotters/0.3.7) (issue 6).
//!
//! Each chart is a pure function from plain typed input to a [`Chart`]: the SVG document, its Chinese title and a
//! [`TextTable`] that carries the same numbers as text (the chart's text alternative, to show beside it or under a
//! `<details>`). The charts:
//! - [`burn_up`]: completed subordinate offices over time against the notice's milestone targets;
//! - [`milestone_matrix`]: direct customs × M1–M5, one cell per milestone status;
//! - [`score_distribution`]: a histogram of office scores with the grade-band boundaries;
//! - [`heatmap`]: a district's offices × catalog items, one cell per disclosure state;
//! - [`ranking`]: the direct customs ranked by score, with their completed share.
//!
//! Rules every chart follows:
//! - **Palette.** Colours come from the Okabe–Ito colour-blind-safe palette ([`palette::OKABE_ITO`]) plus the
//!   neutral greys, white and black of [`palette::NEUTRALS`]; nothing else ([`palette::all_hex`]). Colour is never the
//!   only carrier of meaning: every status cell also carries its status in words (or a one-character code explained
//!   in the legend), a missed milestone and a missing item also get a heavy black border, and targets are dashed
//!   where the actual line is solid.
//! - **Fonts.** The root `<svg>` names the font list [`FONT_FAMILY`], which every `<text>` inherits (Noto Sans CJK SC, Source Han Sans SC,
//!   Microsoft YaHei, PingFang SC, then sans-serif), so Chinese renders in browsers on Linux, Windows and macOS, and
//!   the document says `xml:lang="zh-CN"` so browsers pick the simplified Chinese glyphs. No font file is read:
//!   plotters is built without a font backend and its text is placed by anchor (`text-anchor`), while the layout
//!   here (column widths, legend spacing, collisions) uses an estimate of the text width ([`text_width`]: a CJK
//!   character is 1 em, an ASCII character 0.6 em). The output therefore does not depend on the fonts installed.
//! - **Determinism.** The same input gives the same bytes: no ids, no timestamps, no randomness, integer pixel
//!   coordinates, font sizes rounded to one decimal, numbers in the text formatted with fixed decimals. Snapshot tests
//!   compare whole documents.
//! - **Accessibility.** Every SVG has `width`, `height` and a `viewBox` (it scales), `role="img"` and a `<title>`
//!   with the chart's title; the [`TextTable`] repeats every number drawn. Text is escaped by plotters (`&`, `<`, `>`,
//!   quotes), the title here.
//! - **Empty input** draws the title and "暂无数据" in place of the chart, with an empty table; nothing panics.
//! - **Dates** are written as officials write them: `2022年12月31日` in labels and tables, `2022年12月` on a time
//!   axis (ticks at month ends, the notice's deadlines being month ends).
//!
//! [`svg_to_png`] rasterises a chart with resvg and the system fonts (for workbooks and printed reports); it is the
//! one function here whose output depends on the machine (its fonts).

mod burn_up;
mod heatmap;
mod matrix;
mod png;
mod ranking;
mod scores;

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub use burn_up::{burn_up, burn_up_by_month, BurnUpTarget};
pub use heatmap::{heatmap, CellState};
pub use matrix::{milestone_matrix, DistrictRow, MATRIX_MILESTONES};
pub use png::{svg_to_png, PNG_SCALE};
pub use ranking::{ranking, RankingRow};
pub use scores::{score_distribution, BIN_WIDTH};

/// The font list every `<text>` of a chart names.
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/// The text drawn in place of a chart without data.
pub const NO_DATA: &str = "暂无数据";

/// The family plotters writes, replaced by [`FONT_FAMILY`] when a chart is finished.
const FONT_PLACEHOLDER: &str = "gongkai-cjk";

/// Whose figures a chart shows and as of when: every title names both (`天津海关隶属海关得分分布（截至2022年12月31日）`),
/// so a chart saved or printed on its own still says what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    /// `全国`, or the name of the direct customs or office.
    pub whose: String,
    pub as_of: NaiveDate,
}

impl Caption {
    pub fn new(whose: &str, as_of: NaiveDate) -> Self {
        Caption { whose: whose.into(), as_of }
    }

    /// The title of the chart of `what` (`隶属海关得分分布`).
    pub fn title(&self, what: &str) -> String {
        format!("{}{what}（截至{}）", self.whose, date_zh(self.as_of))
    }
}

/// A chart: the SVG document, its title and its text alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// A complete SVG document (`<svg …>…</svg>`), to inline in a page or serve as `image/svg+xml`.
    pub svg: String,
    /// The chart's title in Chinese (also the SVG's `<title>`).
    pub title_zh: String,
    /// The same numbers as a table.
    pub table: TextTable,
}

impl Chart {
    /// The size the chart is drawn at (the root element's `width` and `height`), `(0, 0)` if it has none.
    pub fn size(&self) -> (u32, u32) {
        let root = self.svg.find("<svg").map(|at| &self.svg[at..]).unwrap_or("");
        let root = &root[..root.find('>').unwrap_or(root.len())];
        let attribute = |name: &str| -> u32 {
            root.split_once(&format!(" {name}=\""))
                .and_then(|(_, rest)| rest.split_once('"'))
                .and_then(|(value, _)| value.trim_end_matches("px").parse().ok())
                .unwrap_or(0)
        };
        (attribute("width"), attribute("height"))
    }
}

/// A chart's text alternative: a table with a header row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    fn new(headers: &[&str]) -> Self {
        TextTable { headers: headers.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }
}

/// Why a chart could not be drawn or rasterised.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("图表绘制失败：{0}")]
    Draw(String),
    #[error("图表无法转换为 PNG：{0}")]
    Png(String),
}

/// The colours charts may use.
pub mod palette {
    use plotters::style::RGBColor;

    /// Okabe–Ito: black.
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
    /// Okabe–Ito: orange.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Okabe–Ito: sky blue.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Okabe–Ito: bluish green.
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Okabe–Ito: yellow.
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Okabe–Ito: blue.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Okabe–Ito: vermillion.
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Okabe–Ito: reddish purple.
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

    /// White (background, text on dark fills).
    pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
    /// Light grey: not applicable cells, plot background bands.
    pub const GREY_LIGHT: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
    /// Mid grey: grid lines.
    pub const GREY_GRID: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);
    /// Dark grey: secondary text and axes.
    pub const GREY_DARK: RGBColor = RGBColor(0x55, 0x55, 0x55);

    /// The eight colours of Okabe & Ito (2008), "Color Universal Design".
    pub const OKABE_ITO: [RGBColor; 8] =
        [BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE];
    /// White and greys, for backgrounds, grids and text.
    pub const NEUTRALS: [RGBColor; 4] = [WHITE, GREY_LIGHT, GREY_GRID, GREY_DARK];

    /// Every colour a chart may use, as SVG writes it (`#RRGGBB`).
    pub fn all_hex() -> Vec<String> {
        OKABE_ITO.iter().chain(NEUTRALS.iter()).map(|c| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)).collect()
    }
}

/// The estimated width in pixels of `text` at `size` pixels: a CJK (or other non-ASCII) character is 1 em, an ASCII
/// character 0.6 em. Layout only; the browser measures the real text.
pub fn text_width(text: &str, size: f64) -> i32 {
    let ems: f64 = text.chars().map(|c| if c.is_ascii() { 0.6 } else { 1.0 }).sum();
    (ems * size).ceil() as i32
}

/// A date as officials write it: `2022年12月31日`.
pub fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A month as a time axis writes it: `2022年12月`.
pub fn month_zh(d: NaiveDate) -> String {
    format!("{}年{}月", d.year(), d.month())
}

/// A share as a percentage with one decimal: `33.3%`; `—` without a whole.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Text anchors: horizontal × vertical.
#[derive(Clone, Copy)]
enum Anchor {
    LeftCenter,
    CenterCenter,
    RightCenter,
    LeftBottom,
    CenterBottom,
    CenterTop,
}

impl Anchor {
    fn pos(self) -> Pos {
        match self {
            Anchor::LeftCenter => Pos::new(HPos::Left, VPos::Center),
            Anchor::CenterCenter => Pos::new(HPos::Center, VPos::Center),
            Anchor::RightCenter => Pos::new(HPos::Right, VPos::Center),
            Anchor::LeftBottom => Pos::new(HPos::Left, VPos::Bottom),
            Anchor::CenterBottom => Pos::new(HPos::Center, VPos::Bottom),
            Anchor::CenterTop => Pos::new(HPos::Center, VPos::Top),
        }
    }
}

/// Drawing primitives over a plotters drawing area, in pixels.
struct Painter<'a, 'b> {
    area: &'b Area<'a>,
}

impl Painter<'_, '_> {
    fn text(&self, s: &str, at: (i32, i32), size: f64, color: &RGBColor, anchor: Anchor) -> Result<(), ChartError> {
        self.text_styled(s, at, size, color, anchor, FontStyle::Normal)
    }

    fn bold(&self, s: &str, at: (i32, i32), size: f64, color: &RGBColor, anchor: Anchor) -> Result<(), ChartError> {
        self.text_styled(s, at, size, color, anchor, FontStyle::Bold)
    }

    fn text_styled(
        &self,
        s: &str,
        at: (i32, i32),
        size: f64,
        color: &RGBColor,
        anchor: Anchor,
        weight: FontStyle,
    ) -> Result<(), ChartError> {
        // plotters writes font-size as size / 1.24; `finish` rounds it back to `size`.
        let style = TextStyle::from(FontDesc::new(FontFamily::Name(FONT_PLACEHOLDER), size * 1.24, weight))
            .color(color)
            .pos(anchor.pos());
        self.area.draw(&Text::new(s.to_string(), at, style)).map_err(draw_err)
    }

    fn fill(&self, from: (i32, i32), to: (i32, i32), color: &RGBColor) -> Result<(), ChartError> {
        self.area.draw(&Rectangle::new([from, to], color.filled())).map_err(draw_err)
    }

    /// A translucent white box behind a label, so that lines under it stay visible but do not cross the words.
    fn halo(&self, from: (i32, i32), to: (i32, i32)) -> Result<(), ChartError> {
        self.area.draw(&Rectangle::new([from, to], palette::WHITE.mix(0.85).filled())).map_err(draw_err)
    }

    /// A 1-pixel outline.
    fn outline(&self, from: (i32, i32), to: (i32, i32), color: &RGBColor) -> Result<(), ChartError> {
        self.area.draw(&Rectangle::new([from, to], color.stroke_width(1))).map_err(draw_err)
    }

    /// An outline `width` pixels wide, drawn as a closed path.
    fn frame(&self, from: (i32, i32), to: (i32, i32), color: &RGBColor, width: u32) -> Result<(), ChartError> {
        let pts = vec![from, (to.0, from.1), to, (from.0, to.1), from];
        self.line(pts, color, width)
    }

    fn line(&self, pts: Vec<(i32, i32)>, color: &RGBColor, width: u32) -> Result<(), ChartError> {
        self.area.draw(&PathElement::new(pts, color.stroke_width(width))).map_err(draw_err)
    }

    fn dot(&self, at: (i32, i32), radius: u32, color: &RGBColor) -> Result<(), ChartError> {
        self.area.draw(&Circle::new(at, radius, color.filled())).map_err(draw_err)
    }

    fn dashed(&self, pts: Vec<(i32, i32)>, color: &RGBColor, width: u32) -> Result<(), ChartError> {
        self.area.draw(&DashedPathElement::new(pts, 8, 5, color.stroke_width(width))).map_err(draw_err)
    }
}

/// Draws `body` on a white `size` canvas with the title on top, then finishes the document.
fn render(
    size: (u32, u32),
    title: &str,
    body: impl FnOnce(&Painter) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&palette::WHITE).map_err(draw_err)?;
        let p = Painter { area: &root };
        p.bold(title, (size.0 as i32 / 2, 30), 20.0, &palette::BLACK, Anchor::CenterBottom)?;
        body(&p)?;
        root.present().map_err(draw_err)?;
    }
    Ok(finish(&buf, title))
}

/// A chart from a drawing, or the "no data" chart when drawing failed (it does not, for a string target).
fn chart(
    size: (u32, u32),
    title: String,
    table: TextTable,
    body: impl FnOnce(&Painter) -> Result<(), ChartError>,
) -> Chart {
    match render(size, &title, body) {
        Ok(svg) => Chart { svg, title_zh: title, table },
        Err(e) => message_chart(title, TextTable { headers: table.headers, rows: Vec::new() }, &e.to_string()),
    }
}

/// The chart of an empty input: the title and [`NO_DATA`], with the table's headers and no rows.
fn empty_chart(title: String, headers: &[&str]) -> Chart {
    message_chart(title, TextTable::new(headers), NO_DATA)
}

fn message_chart(title: String, table: TextTable, message: &str) -> Chart {
    // Wide enough for a long title (a district's name and the date).
    let width = (text_width(&title, 20.0) + 40).max(640);
    let size = (width as u32, 240);
    let svg = render(size, &title, |p| {
        p.outline((20, 50), (width - 20, 220), &palette::GREY_GRID)?;
        p.text(message, (width / 2, 135), 18.0, &palette::GREY_DARK, Anchor::CenterCenter)
    })
    .unwrap_or_else(|_| {
        // The plain document, in case plotters itself failed.
        finish(
            &format!(
                "<svg width=\"640\" height=\"240\" viewBox=\"0 0 640 240\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"320\" y=\"135\" text-anchor=\"middle\" font-size=\"18\">{}</text>\n</svg>\n",
                escape(message)
            ),
            &title,
        )
    });
    Chart { svg, title_zh: title, table }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

/// The minimal post-processing of plotters' SVG: the font list once on the root element in place of the placeholder
/// family on each text (every text inherits it), font sizes rounded to one decimal, `role`, `xml:lang` and a
/// `<title>` on the root element.
fn finish(svg: &str, title: &str) -> String {
    let svg = svg.replace(&format!(" font-family=\"{FONT_PLACEHOLDER}\""), "");
    let svg = round_font_sizes(&svg);
    svg.replacen(
        " xmlns=\"http://www.w3.org/2000/svg\">\n",
        &format!(
            " xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" xml:lang=\"zh-CN\" font-family=\"{}\">\n<title>{}</title>\n",
            escape(FONT_FAMILY),
            escape(title)
        ),
        1,
    )
}

fn round_font_sizes(svg: &str) -> String {
    const KEY: &str = "font-size=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find(KEY) {
        let (head, tail) = rest.split_at(i + KEY.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let value = &tail[..end];
        match value.parse::<f64>() {
            Ok(v) => {
                let r = (v * 10.0).round() / 10.0;
                if r.fract() == 0.0 {
                    out.push_str(&format!("{}", r as i64));
                } else {
                    out.push_str(&format!("{r:.1}"));
                }
            }
            Err(_) => out.push_str(value),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A legend entry: a swatch (filled, optionally framed and with a code in it) and a label.
struct LegendEntry {
    fill: RGBColor,
    code: String,
    code_color: RGBColor,
    heavy_border: bool,
    label: String,
}

/// Where legend entries go, left to right from `at`, wrapping before `max_x`: each entry's `(x, y, swatch width)`
/// and the bottom y of the legend.
fn legend_layout(entries: &[LegendEntry], at: (i32, i32), max_x: i32) -> (Vec<(i32, i32, i32)>, i32) {
    let (mut x, mut y) = at;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let sw = if e.code.is_empty() { 16 } else { text_width(&e.code, 12.0).max(16) + 10 };
        let w = sw + 6 + text_width(&e.label, LEGEND_SIZE) + 22;
        if x + w > max_x && x > at.0 {
            x = at.0;
            y += 24;
        }
        out.push((x, y, sw));
        x += w;
    }
    (out, y + 18)
}

const LEGEND_SIZE: f64 = 13.0;

/// Draws legend entries as [`legend_layout`] places them; returns the bottom y.
fn draw_legend(p: &Painter, entries: &[LegendEntry], at: (i32, i32), max_x: i32) -> Result<i32, ChartError> {
    let (places, bottom) = legend_layout(entries, at, max_x);
    for (e, &(x, y, sw)) in entries.iter().zip(&places) {
        p.fill((x, y), (x + sw, y + 18), &e.fill)?;
        if e.heavy_border {
            p.frame((x + 1, y + 1), (x + sw - 1, y + 17), &palette::BLACK, 2)?;
        } else {
            p.outline((x, y), (x + sw, y + 18), &palette::GREY_DARK)?;
        }
        if !e.code.is_empty() {
            p.text(&e.code, (x + sw / 2, y + 9), 12.0, &e.code_color, Anchor::CenterCenter)?;
        }
        p.text(&e.label, (x + sw + 6, y + 9), LEGEND_SIZE, &palette::BLACK, Anchor::LeftCenter)?;
    }
    Ok(bottom)
}

/// A "nice" step for an axis from 0 to `max` with at most about `ticks` ticks: 1, 2 or 5 × 10ⁿ.
fn nice_step(max: f64, ticks: usize) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / ticks.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= raw {
            return (m * mag).max(1.0);
        }
    }
    10.0 * mag
}

/// The last day of the month of `d`.
fn month_end(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|n| n.pred_opt()).unwrap_or(d)
}

/// The first day of the month of `d`.
fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_knows_the_size_it_is_drawn_at() {
        let chart = message_chart("标题".into(), TextTable::new(&["日期"]), NO_DATA);
        assert_eq!(chart.size(), (640, 240));
        let none = Chart { svg: "<p>".into(), title_zh: String::new(), table: TextTable::default() };
        assert_eq!(none.size(), (0, 0));
    }

    #[test]
    fn font_sizes_are_rounded_to_one_decimal() {
        assert_eq!(round_font_sizes(r#"<text font-size="12.903225806451612">"#), r#"<text font-size="12.9">"#);
        assert_eq!(
            round_font_sizes(r#"a font-size="13.999999999" b font-size="x""#),
            r#"a font-size="14" b font-size="x""#
        );
    }

    #[test]
    fn chinese_is_wider_than_ascii_in_the_width_estimate() {
        assert_eq!(text_width("北京海关", 10.0), 40);
        assert_eq!(text_width("M1", 10.0), 12);
    }

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(750.0, 6), 200.0);
        assert_eq!(nice_step(10.0, 6), 2.0);
        assert_eq!(nice_step(3.0, 6), 1.0);
    }

    #[test]
    fn month_ends_handle_december_and_leap_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_end(d(2022, 12, 5)), d(2022, 12, 31));
        assert_eq!(month_end(d(2024, 2, 1)), d(2024, 2, 29));
    }
}
