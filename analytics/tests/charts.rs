//! The charts of issue 6: snapshots of the SVG for fixed inputs, the text alternatives, empty inputs, Chinese text,
//! the palette and the document's accessibility attributes.
//!
//! Snapshots live in `tests/snapshots/*.svg` and are compared byte for byte. After a deliberate change of a chart,
//! rewrite them with `UPDATE_SNAPSHOTS=1 cargo test -p analytics --test charts` and review the diff (render a file
//! with `rsvg-convert -o x.png tests/snapshots/burn_up.svg` to look at it).
#![cfg(feature = "charts")]

use std::path::PathBuf;

use analytics::charts::{
    burn_up, heatmap, milestone_matrix, palette, ranking, score_distribution, svg_to_png, text_width, BurnUpTarget,
    Caption, CellState, Chart, DistrictRow, RankingRow, FONT_FAMILY, NO_DATA, PNG_SCALE,
};
use analytics::rollout::{MilestoneResult, MilestoneStatus};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const DIRECT_CUSTOMS: [&str; 42] = [
    "北京海关",
    "天津海关",
    "石家庄海关",
    "太原海关",
    "满洲里海关",
    "呼和浩特海关",
    "沈阳海关",
    "大连海关",
    "长春海关",
    "哈尔滨海关",
    "上海海关",
    "南京海关",
    "杭州海关",
    "宁波海关",
    "合肥海关",
    "福州海关",
    "厦门海关",
    "南昌海关",
    "青岛海关",
    "济南海关",
    "郑州海关",
    "武汉海关",
    "长沙海关",
    "广州海关",
    "黄埔海关",
    "深圳海关",
    "拱北海关",
    "汕头海关",
    "海口海关",
    "湛江海关",
    "江门海关",
    "南宁海关",
    "成都海关",
    "重庆海关",
    "贵阳海关",
    "昆明海关",
    "拉萨海关",
    "西安海关",
    "乌鲁木齐海关",
    "兰州海关",
    "西宁海关",
    "银川海关",
];

const ITEMS: [&str; 25] = [
    "1 机构职能",
    "2 办事信息",
    "3 海关履职依据",
    "4 政务服务事项清单",
    "5 办事指南",
    "6 办事详解",
    "7 服务窗口信息",
    "8 行政许可",
    "9 行政处罚",
    "10 行政强制",
    "11 行政检查",
    "12 行政执法统计年报",
    "13 现场执法人员信息",
    "14 预决算信息",
    "15 政府采购",
    "16 拍卖信息",
    "17 收费信息",
    "18 涉企保证金",
    "19 投诉举报监督",
    "20 业务咨询",
    "21 紧急联系",
    "22 通知通告",
    "23 解读宣贯",
    "24 政府信息公开",
    "25 意见征集",
];

/// A small deterministic generator (no dependency, the same numbers everywhere).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn burn_up_chart() -> Chart {
    let points = [
        (d(2022, 3, 31), 12),
        (d(2022, 5, 31), 40),
        (d(2022, 8, 15), 95),
        (d(2022, 10, 31), 180),
        (d(2022, 12, 20), 262),
        (d(2023, 3, 31), 410),
        (d(2023, 6, 30), 512),
        // After the as-of date: ignored.
        (d(2023, 9, 30), 600),
    ];
    let targets = [
        BurnUpTarget::new("M3", d(2022, 8, 31), 42),
        BurnUpTarget::new("M4", d(2022, 12, 31), 250),
        BurnUpTarget::new("M5", d(2023, 12, 31), 750),
    ];
    burn_up(&Caption::new("全国", d(2023, 6, 30)), &points, 750, &targets)
}

/// The national dashboard's caption on the demo's date.
fn national() -> Caption {
    Caption::new("全国", d(2022, 12, 31))
}

/// A direct customs' caption: its charts name it.
fn tianjin() -> Caption {
    Caption::new("天津海关", d(2022, 12, 31))
}

fn matrix_rows() -> Vec<DistrictRow> {
    let mut rng = Lcg(42);
    DIRECT_CUSTOMS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut cell = |due: NaiveDate, count: bool| {
                let r = rng.below(10);
                match r {
                    0..=5 => MilestoneStatus::MetOnTime { met_on: due },
                    6 | 7 => MilestoneStatus::MetLate { met_on: due, days_late: 1 + rng.below(120) as u32 },
                    8 if count => MilestoneStatus::Missed { days_overdue: 30 + rng.below(300) as u32 },
                    _ => MilestoneStatus::MetOnTime { met_on: due },
                }
            };
            let m1 = cell(d(2022, 4, 30), false);
            let m2 = cell(d(2022, 4, 30), false);
            let m3 = cell(d(2022, 8, 31), true);
            let m4 = if i == 36 { MilestoneStatus::NoOffices } else { cell(d(2022, 12, 31), true) };
            let m5 = match i % 7 {
                _ if i == 3 => MilestoneStatus::DueToday,
                0 => MilestoneStatus::NotYetDue { on_track: false, projected_on: Some(d(2024, 3, 1)) },
                _ if i == 36 => MilestoneStatus::NoOffices,
                _ => MilestoneStatus::NotYetDue { on_track: true, projected_on: Some(d(2023, 11, 1)) },
            };
            DistrictRow { code: format!("{:02}00", i + 1), name: name.to_string(), cells: [m1, m2, m3, m4, m5] }
        })
        .collect()
}

fn scores() -> Vec<f64> {
    let mut rng = Lcg(7);
    (0..300)
        .map(|_| {
            // Mostly good scores, a tail of weak ones; one decimal like the engine's.
            let base = 100.0 - (rng.below(100) as f64 * rng.below(100) as f64) / 180.0;
            (base * 10.0).round() / 10.0
        })
        .collect()
}

const BANDS: [(&str, f64); 4] = [("不合格", 0.0), ("合格", 60.0), ("良好", 70.0), ("优秀", 90.0)];

fn heatmap_input() -> (Vec<String>, Vec<String>, Vec<Vec<CellState>>) {
    let offices: Vec<String> =
        ["首都机场海关", "北京站海关", "中关村海关", "平谷海关", "大兴机场海关", "北京西站海关", "天竺综保区海关"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let items: Vec<String> = ITEMS.iter().map(|s| s.to_string()).collect();
    let mut rng = Lcg(3);
    let cells = (0..offices.len())
        .map(|_| {
            (0..items.len())
                .map(|i| match (i, rng.below(12)) {
                    (13 | 14, _) => CellState::Inherited,
                    (15, _) => CellState::NotApplicable,
                    (_, 0) => CellState::Missing,
                    (_, 1 | 2) => CellState::Late,
                    _ => CellState::Met,
                })
                .collect()
        })
        .collect();
    (offices, items, cells)
}

fn ranking_rows() -> Vec<RankingRow> {
    let mut rng = Lcg(11);
    DIRECT_CUSTOMS
        .iter()
        .map(|name| RankingRow {
            name: name.to_string(),
            score: 60.0 + rng.below(400) as f64 / 10.0,
            completed_share: rng.below(1001) as f64 / 1000.0,
        })
        .collect()
}

fn all_charts() -> Vec<(&'static str, Chart)> {
    let (offices, items, cells) = heatmap_input();
    vec![
        ("burn_up", burn_up_chart()),
        ("milestone_matrix", milestone_matrix(&national(), &matrix_rows())),
        ("score_distribution", score_distribution(&national(), &scores(), &BANDS)),
        ("heatmap", heatmap(&tianjin(), &offices, &items, cells)),
        ("ranking", ranking(&national(), &ranking_rows())),
    ]
}

fn empty_charts() -> Vec<(&'static str, Chart)> {
    vec![
        ("burn_up", burn_up(&Caption::new("全国", d(2023, 6, 30)), &[], 0, &[])),
        ("milestone_matrix", milestone_matrix(&national(), &[])),
        ("score_distribution", score_distribution(&national(), &[], &BANDS)),
        ("heatmap", heatmap(&tianjin(), &[], &[], Vec::new())),
        ("ranking", ranking(&national(), &[])),
    ]
}

fn assert_snapshot(name: &str, svg: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{name}.svg"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, svg).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no snapshot at {}: run with UPDATE_SNAPSHOTS=1 and review it", path.display()));
    if expected != svg {
        let line = expected.lines().zip(svg.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name}.svg differs from its snapshot at line {}:\n expected: {}\n   actual: {}\nIf the change is meant, \
             rerun with UPDATE_SNAPSHOTS=1 and review the diff.",
            line + 1,
            expected.lines().nth(line).unwrap_or(""),
            svg.lines().nth(line).unwrap_or("")
        );
    }
}

/// The text content of every `<text>` element, unescaped.
fn texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        rest = &rest[i..];
        let open_end = rest.find('>').unwrap();
        let close = rest.find("</text>").unwrap();
        out.push(
            rest[open_end + 1..close]
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[close..];
    }
    out
}

/// Every `fill="#…"` and `stroke="#…"` colour in the document.
fn colours(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["fill=\"#", "stroke=\"#"] {
        let mut rest = svg;
        while let Some(i) = rest.find(key) {
            rest = &rest[i + key.len() - 1..];
            out.push(rest[..7].to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn the_burn_up_matches_its_snapshot() {
    assert_snapshot("burn_up", &burn_up_chart().svg);
}

#[test]
fn the_milestone_matrix_matches_its_snapshot() {
    assert_snapshot("milestone_matrix", &milestone_matrix(&national(), &matrix_rows()).svg);
}

#[test]
fn the_score_distribution_matches_its_snapshot() {
    assert_snapshot("score_distribution", &score_distribution(&national(), &scores(), &BANDS).svg);
}

#[test]
fn the_heatmap_matches_its_snapshot() {
    let (offices, items, cells) = heatmap_input();
    assert_snapshot("heatmap", &heatmap(&tianjin(), &offices, &items, cells).svg);
}

#[test]
fn the_ranking_matches_its_snapshot() {
    assert_snapshot("ranking", &ranking(&national(), &ranking_rows()).svg);
}

#[test]
fn the_same_input_draws_the_same_bytes() {
    for ((name, a), (_, b)) in all_charts().into_iter().zip(all_charts()) {
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn every_chart_title_names_whose_figures_it_shows_and_their_date_even_without_data() {
    for (name, chart) in all_charts().into_iter().chain(empty_charts()) {
        let whose = if name == "heatmap" { "天津海关" } else { "全国" };
        assert!(chart.title_zh.starts_with(whose), "{name}: {}", chart.title_zh);
        let date = if name == "burn_up" { "截至2023年6月30日" } else { "截至2022年12月31日" };
        assert!(chart.title_zh.ends_with(&format!("（{date}）")), "{name}: {}", chart.title_zh);
        assert!(texts(&chart.svg).contains(&chart.title_zh), "{name}: drawn as well");
    }
}

#[test]
fn every_chart_is_a_scalable_titled_image_with_the_chinese_font_list() {
    for (name, chart) in all_charts().into_iter().chain(empty_charts()) {
        let svg = &chart.svg;
        let head = &svg[..svg.find('>').unwrap()];
        assert!(head.starts_with("<svg "), "{name}");
        let family = format!("font-family=\"{}\"", FONT_FAMILY.replace('\'', "&apos;"));
        for attr in ["width=\"", "height=\"", "viewBox=\"0 0 ", "role=\"img\"", "xml:lang=\"zh-CN\"", &family] {
            assert!(head.contains(attr), "{name} lacks {attr}");
        }
        assert!(svg.contains(&format!("<title>{}</title>", chart.title_zh)), "{name}");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}");
        // Every text inherits the list: none names another family.
        assert!(svg.matches("<text ").count() > 0, "{name}");
        assert_eq!(svg.matches("font-family=").count(), 1, "{name}");
        assert!(!svg.contains("gongkai-cjk"), "{name}");
        // Font sizes are whole or one decimal.
        for size in svg.split("font-size=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]) {
            assert!(size.split('.').nth(1).is_none_or(|f| f.len() == 1), "{name}: font-size {size}");
        }
    }
}

#[test]
fn every_colour_comes_from_the_okabe_ito_palette_or_its_neutrals() {
    let allowed = palette::all_hex();
    for (name, chart) in all_charts().into_iter().chain(empty_charts()) {
        for c in colours(&chart.svg) {
            assert!(allowed.contains(&c), "{name} uses {c}");
        }
    }
    assert!(palette::all_hex().contains(&"#E69F00".to_string()) && palette::all_hex().contains(&"#0072B2".to_string()));
}

#[test]
fn an_empty_input_draws_no_data_instead_of_a_chart() {
    for (name, chart) in empty_charts() {
        assert!(texts(&chart.svg).iter().any(|t| t == NO_DATA), "{name}");
        assert!(chart.table.rows.is_empty(), "{name}");
        assert!(!chart.table.headers.is_empty(), "{name}");
    }
    // Targets but no total and no completion is also nothing to draw.
    let chart = burn_up(&Caption::new("全国", d(2022, 6, 1)), &[(d(2022, 5, 1), 0)], 0, &[]);
    assert!(texts(&chart.svg).iter().any(|t| t == NO_DATA));
}

#[test]
fn chinese_labels_appear_as_svg_text() {
    let charts = all_charts();
    let text = |name: &str| texts(&charts.iter().find(|c| c.0 == name).unwrap().1.svg);
    let burn = text("burn_up");
    for label in
        ["M3 试点 2022年8月31日", "M4 三分之一 2022年12月31日", "M5 全部 2023年12月31日", "2022年12月", "2023年6月"]
    {
        assert!(burn.iter().any(|t| t == label), "burn-up lacks {label}: {burn:?}");
    }
    assert!(burn.iter().any(|t| t == "截至2023年6月30日：512个（68.3%）"), "{burn:?}");
    let matrix = text("milestone_matrix");
    for label in [
        "乌鲁木齐海关",
        "M4 三分之一完成",
        "2022年12月31日前",
        "按期完成",
        "不适用",
        "有逾期风险",
        "今日到期",
        "无隶属海关，不适用",
    ] {
        assert!(matrix.iter().any(|t| t == label), "matrix lacks {label}");
    }
    assert!(matrix.iter().any(|t| t.starts_with("逾期") && t.ends_with("日完成")));
    assert!(matrix.iter().any(|t| t.starts_with("逾期") && t.ends_with("日未完成")));
    let scores = text("score_distribution");
    for label in ["优秀", "90分及以上", "60分以下", "得分（分）"] {
        assert!(scores.iter().any(|t| t == label), "scores lack {label}");
    }
    let heat = text("heatmap");
    for label in ["首都机场海关", "按时公开", "由上级公开", "缺", "12", "拍"] {
        assert!(heat.iter().any(|t| t == label), "heatmap lacks {label}");
    }
    let rank = text("ranking");
    assert!(rank.iter().any(|t| t == "银川海关") && rank.iter().any(|t| t == "名次"));
}

#[test]
fn the_burn_up_table_carries_the_points_and_targets_up_to_the_as_of_date() {
    let chart = burn_up_chart();
    assert_eq!(chart.table.headers, ["日期", "项目", "隶属海关（个）", "占隶属海关总数"]);
    let rows = &chart.table.rows;
    assert_eq!(rows.len(), 7 + 3, "seven points up to the as-of date and three targets");
    assert_eq!(rows[0], ["2022年3月31日", "累计完成对标", "12", "1.6%"]);
    assert!(rows.contains(&vec!["2022年12月31日".into(), "M4 三分之一 目标".into(), "250".into(), "33.3%".into()]));
    assert_eq!(rows.last().unwrap(), &["2023年12月31日", "M5 全部 目标", "750", "100.0%"]);
    assert!(!rows.iter().any(|r| r[2] == "600"));
    // The numbers of the table are the numbers drawn.
    let drawn = texts(&chart.svg);
    assert!(drawn.contains(&"512".to_string()) || drawn.iter().any(|t| t.contains("512个")));
}

#[test]
fn burn_up_targets_come_from_the_count_milestones_of_a_report() {
    let result = |code: &str, due: NaiveDate, required: Option<usize>| MilestoneResult {
        code: code.into(),
        due,
        evaluated_on: due,
        offices: 12,
        required,
        achieved: None,
        status: MilestoneStatus::NoOffices,
        met_on: None,
        note_zh: None,
    };
    assert_eq!(BurnUpTarget::from_result(&result("M1", d(2022, 4, 30), None)), None);
    let m4 = BurnUpTarget::from_result(&result("M4", d(2022, 12, 31), Some(4))).unwrap();
    assert_eq!(m4.label(), "M4 三分之一 2022年12月31日");
    assert_eq!(m4.required, 4);
}

#[test]
fn the_burn_up_keeps_labels_of_coinciding_targets_apart() {
    // A district of three offices over a long axis: the pilot target and one third are both one office, their
    // deadlines a few pixels apart.
    let targets = [BurnUpTarget::new("M3", d(2022, 8, 31), 1), BurnUpTarget::new("M4", d(2022, 12, 31), 1)];
    for (points, as_of) in [(vec![(d(2020, 7, 1), 1)], d(2030, 1, 31)), (vec![(d(2022, 7, 1), 1)], d(2023, 1, 31))] {
        let chart = burn_up(&Caption::new("全国", as_of), &points, 3, &targets);
        // The box of a label: x, y (baseline) and the estimated width.
        let box_of = |label: &str| {
            let at = chart.svg.find(&format!(">\n{label}\n</text>")).unwrap();
            let tag = &chart.svg[chart.svg[..at].rfind("<text ").unwrap()..at];
            let attr = |name: &str| {
                let v = &tag[tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
                v[..v.find('"').unwrap()].parse::<i32>().unwrap()
            };
            (attr("x"), attr("y") - 16, attr("x") + text_width(label, 13.0), attr("y"))
        };
        let a = box_of("M3 试点 2022年8月31日");
        let b = box_of("M4 三分之一 2022年12月31日");
        let overlap = a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
        assert!(!overlap, "labels at {a:?} and {b:?} overlap");
    }
    let chart = burn_up(&Caption::new("全国", d(2030, 1, 31)), &[(d(2020, 7, 1), 1)], 3, &targets);
    assert!(chart.svg.contains("2020年12月") && chart.svg.contains("2030年"), "yearly ticks on a ten-year axis");
}

#[test]
fn the_matrix_table_writes_each_status_in_words_with_its_days() {
    let rows = matrix_rows();
    let chart = milestone_matrix(&national(), &rows);
    assert_eq!(chart.table.rows.len(), 42);
    assert_eq!(chart.table.headers[2], "M1 关区目录公开（2022年4月30日前）");
    for (row, input) in chart.table.rows.iter().zip(&rows) {
        assert_eq!(row[0], input.code);
        assert_eq!(row[1], input.name);
        for (cell, status) in row[2..].iter().zip(&input.cells) {
            assert_eq!(cell, &status.label_zh());
            if let MilestoneStatus::MetLate { days_late, .. } = status {
                assert_eq!(cell, &format!("逾期{days_late}日完成"));
                assert!(texts(&chart.svg).contains(&format!("逾期{days_late}日完成")));
            }
        }
    }
}

/// The text elements of an SVG with their `y` and font size.
fn text_rows(svg: &str) -> Vec<(String, i32, i32)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        rest = &rest[i..];
        let open_end = rest.find('>').unwrap();
        let tag = &rest[..open_end];
        let attr = |name: &str| {
            let v = &tag[tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3..];
            v[..v.find('"').unwrap()].parse::<i32>().unwrap()
        };
        let close = rest.find("</text>").unwrap();
        out.push((rest[open_end + 1..close].trim().to_string(), attr("y"), attr("font-size")));
        rest = &rest[close..];
    }
    out
}

#[test]
fn the_count_over_the_tallest_bar_stays_clear_of_the_grade_band_labels() {
    // The tallest bin at the top of the axis (12 = the axis maximum), right under the band labels.
    for scores in [scores(), vec![92.0; 12], [vec![95.0; 10], vec![65.0; 10]].concat()] {
        let chart = score_distribution(&national(), &scores, &BANDS);
        let rows = text_rows(&chart.svg);
        let band_bottom = rows
            .iter()
            .filter(|(t, _, _)| {
                t.ends_with("分以下") || t.ends_with("分及以上") || (t.contains('–') && t.ends_with('分'))
            })
            .map(|(_, y, size)| y + size / 2)
            .max()
            .expect("band ranges");
        // Counts over bars are bare numbers above the axis (the y-axis ticks are at the left edge, x < 80).
        let counts: Vec<i32> = chart
            .svg
            .split("<text ")
            .skip(1)
            .filter(|t| t.contains("text-anchor=\"middle\"") && t.contains("font-size=\"12\""))
            .filter_map(|t| {
                let body = t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].trim();
                let y = &t[t.find(" y=\"").unwrap() + 4..];
                let y: i32 = y[..y.find('"').unwrap()].parse().unwrap();
                (body.parse::<u32>().is_ok() && y < 440).then_some(y)
            })
            .collect();
        assert!(!counts.is_empty());
        for y in counts {
            // A count is drawn with its bottom at `y`: its top is one font size above.
            assert!(y - 12 > band_bottom, "a count at y={y} overlaps the band labels ending at {band_bottom}");
        }
    }
}

#[test]
fn the_histogram_table_counts_every_score_once_by_band() {
    let scores = scores();
    let chart = score_distribution(&national(), &scores, &BANDS);
    let rows = &chart.table.rows;
    assert_eq!(rows.len(), 21);
    assert_eq!(rows[12][0], "60–65分");
    assert_eq!(rows[12][2], "合格");
    assert_eq!(rows[19][0], "95–100分");
    assert_eq!(rows[19][2], "优秀");
    let counted: usize = rows[..20].iter().map(|r| r[1].parse::<usize>().unwrap()).sum();
    assert_eq!(counted, scores.len());
    assert_eq!(rows[20], ["合计", "300", ""]);
    let top = scores.iter().filter(|&&s| s >= 95.0).count();
    assert_eq!(rows[19][1], top.to_string());
    // A score of exactly 100 is in the top bin, a score of 60 starts 合格; NaN is left out.
    let chart = score_distribution(&national(), &[100.0, 60.0, 59.9, f64::NAN], &BANDS);
    assert_eq!(chart.table.rows[19][1], "1");
    assert_eq!(chart.table.rows[12][1], "1");
    assert_eq!(chart.table.rows[11][1], "1");
    assert_eq!(chart.table.rows[20][1], "3");
}

#[test]
fn the_heatmap_table_names_every_cell_state() {
    let (offices, items, cells) = heatmap_input();
    let chart = heatmap(&tianjin(), &offices, &items, cells.clone());
    assert_eq!(chart.table.headers.len(), 26);
    assert_eq!(chart.table.headers[4], "4 政务服务事项清单");
    for (o, row) in chart.table.rows.iter().enumerate() {
        assert_eq!(row[0], offices[o]);
        for (i, cell) in row[1..].iter().enumerate() {
            assert_eq!(cell, cells[o][i].name_zh());
        }
    }
    // A short row is drawn blank and written 无数据, not a panic.
    let chart = heatmap(&tianjin(), &offices[..1], &items[..2], vec![vec![CellState::Met]]);
    assert_eq!(chart.table.rows[0], ["首都机场海关", "按时公开", "无数据"]);
    assert!(texts(&chart.svg).contains(&"无数据".to_string()));
}

#[test]
fn the_ranking_orders_by_score_and_shares_ranks_of_equal_scores() {
    let rows = [
        RankingRow { name: "乙海关".into(), score: 80.04, completed_share: 0.5 },
        RankingRow { name: "甲海关".into(), score: 91.0, completed_share: 2.0 / 3.0 },
        RankingRow { name: "丙海关".into(), score: 80.0, completed_share: 1.0 },
        RankingRow { name: "丁海关".into(), score: f64::NAN, completed_share: 0.0 },
        RankingRow { name: "戊海关".into(), score: 70.0, completed_share: 0.25 },
    ];
    let chart = ranking(&national(), &rows);
    let table: Vec<Vec<&str>> = chart.table.rows.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    assert_eq!(
        table,
        [
            ["1", "甲海关", "91.0", "66.7%"],
            ["2", "乙海关", "80.0", "50.0%"],
            ["2", "丙海关", "80.0", "100.0%"],
            ["4", "戊海关", "70.0", "25.0%"],
            ["—", "丁海关", "—", "0.0%"],
        ]
    );
    let drawn = texts(&chart.svg);
    for row in &chart.table.rows {
        for cell in row {
            assert!(drawn.contains(cell), "{cell} is not drawn");
        }
    }
}

#[test]
fn markup_in_names_is_escaped() {
    let rows = [RankingRow { name: "A&B<海关>".into(), score: 88.0, completed_share: 0.5 }];
    let chart = ranking(&national(), &rows);
    assert!(chart.svg.contains("A&amp;B&lt;海关&gt;"));
    assert!(!chart.svg.contains("A&B<"));
    assert!(texts(&chart.svg).contains(&"A&B<海关>".to_string()));
}

#[test]
fn every_chart_rasterises_to_a_png() {
    // Set CHART_PNG_DIR to keep the images and look at them.
    let keep = std::env::var_os("CHART_PNG_DIR").map(PathBuf::from);
    let empty = ("empty", empty_charts().swap_remove(0).1);
    for (name, chart) in all_charts().into_iter().chain([empty]) {
        let png = svg_to_png(&chart.svg).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        // Shapes alone (a machine without a CJK font draws no text) are well over these sizes.
        let least = if name == "empty" { 1_000 } else { 5_000 };
        assert!(png.len() > least, "{name}: {} bytes", png.len());
        // Width and height of the IHDR chunk: the SVG's size at PNG_SCALE.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let svg_width: u32 = {
            let w = &chart.svg[chart.svg.find("width=\"").unwrap() + 7..];
            w[..w.find('"').unwrap()].parse().unwrap()
        };
        assert_eq!(width as f32, svg_width as f32 * PNG_SCALE, "{name}");
        if let Some(dir) = &keep {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
        }
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = NaiveDate> {
        (0i64..40_000).prop_map(|days| d(1990, 1, 1) + chrono::Days::new(days as u64))
    }

    fn finished(chart: &Chart) {
        assert!(chart.svg.starts_with("<svg ") && chart.svg.trim_end().ends_with("</svg>"));
        assert!(chart.svg.contains("<title>"));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn any_burn_up_input_draws_a_document(
            points in proptest::collection::vec((date(), 0usize..5_000), 0..20),
            total in prop_oneof![Just(0usize), 0usize..5_000, Just(usize::MAX / 2), Just(usize::MAX)],
            targets in proptest::collection::vec((0usize..6, date(), 0usize..5_000), 0..5),
            as_of in date(),
        ) {
            let targets: Vec<BurnUpTarget> =
                targets.into_iter().map(|(m, due, n)| BurnUpTarget::new(&format!("M{m}"), due, n)).collect();
            let chart = burn_up(&Caption::new("全国", as_of), &points, total, &targets);
            finished(&chart);
            prop_assert_eq!(chart.table.rows.len(), if texts(&chart.svg).iter().any(|t| t == NO_DATA) {
                0
            } else {
                points.iter().filter(|p| p.0 <= as_of).count() + targets.len()
            });
        }

        #[test]
        fn any_scores_draw_a_document(
            scores in proptest::collection::vec(prop_oneof![-50.0f64..150.0, Just(f64::NAN), Just(f64::INFINITY)], 0..200),
            bands in proptest::collection::vec(("[甲乙丙丁]{1,3}", -10.0f64..110.0), 0..6),
        ) {
            let bands: Vec<(&str, f64)> = bands.iter().map(|(n, m)| (n.as_str(), *m)).collect();
            let chart = score_distribution(&national(), &scores, &bands);
            finished(&chart);
            let finite = scores.iter().filter(|s| s.is_finite()).count();
            if finite > 0 {
                prop_assert_eq!(chart.table.rows.last().unwrap()[1].clone(), finite.to_string());
            }
        }

        #[test]
        fn any_ranking_draws_a_document(
            rows in proptest::collection::vec(("[甲乙丙&<]{1,8}", prop_oneof![-10.0f64..120.0, Just(f64::NAN)], -1.0f64..2.0), 0..50),
        ) {
            let rows: Vec<RankingRow> =
                rows.into_iter().map(|(name, score, completed_share)| RankingRow { name, score, completed_share }).collect();
            let chart = ranking(&national(), &rows);
            finished(&chart);
            prop_assert_eq!(chart.table.rows.len(), rows.len());
        }

        #[test]
        fn any_heatmap_shape_draws_a_document(offices in 0usize..12, items in 0usize..40, cells in 0usize..12) {
            let names: Vec<String> = (0..offices).map(|i| format!("第{i}隶属海关")).collect();
            let labels: Vec<String> = (0..items).map(|i| format!("{i} 事项")).collect();
            let grid = vec![vec![CellState::Late; items / 2]; cells];
            let chart = heatmap(&tianjin(), &names, &labels, grid);
            finished(&chart);
        }
    }
}
