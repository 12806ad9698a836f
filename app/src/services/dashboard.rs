//! The dashboards (issue 6): the national dashboard of headquarters and the dashboard of one direct customs, as of
//! a date, built from the rollout report ([`RolloutData::report`]) and the assessment of every office's latest
//! accepted return, with the charts of `analytics::charts` and their text tables.
//!
//! - **One computation per date.** The report and every office's assessment are computed together on the blocking
//!   pool and kept in a small cache keyed by the store, the date and what they read (accepted returns, the
//!   directory, the districts' records, the scoring schemes), so the page and its downloads do not recompute.
//!   After a change of the data one request computes again and requests arriving meanwhile wait for it, so a
//!   burst of requests never starts a burst of computations.
//! - **Scope.** The national dashboard is headquarters'; a direct customs' dashboard is for headquarters and the
//!   roles of that direct customs; anything else is the same 404 as an unknown office.
//! - **Downloads** ([`chart`], [`table`]) are cut from the same views as the pages.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use analytics::assessment::{completion_history_by, is_complete, score, Applicability, IndicatorKind, Scheme};
use analytics::charts::{
    burn_up, burn_up_by_month, heatmap, milestone_matrix, ranking, score_distribution, BurnUpTarget, Caption,
    CellState, Chart, DistrictRow, RankingRow,
};
use analytics::offices::{OfficeCode, OfficeKind};
use analytics::returns::ReturnSnapshot;
use analytics::rollout::{completion_curve, DistrictReport, MilestoneStatus, RolloutReport};
use chrono::NaiveDate;

use crate::auth::{Hierarchy, Principal};
use crate::functions::dashboard::{ChartView, DistrictDashboard, NationalDashboard, TableView};
use crate::services::rollout::{scheme_in_force, RolloutData, RolloutError};
use crate::store::Store;

/// A date as officials write it: `2022年12月31日`.
pub fn date_zh(d: NaiveDate) -> String {
    analytics::charts::date_zh(d)
}

/// The latest accepted return of an office as of the date, assessed.
#[derive(Debug, Clone)]
struct OfficeScore {
    period: String,
    verified_on: NaiveDate,
    score: f64,
    grade: String,
    complete_now: bool,
    /// One state per catalog item, in catalog order.
    cells: Vec<CellState>,
}

/// One milestone of a direct customs in the progress table.
#[derive(Debug, Clone)]
struct MilestoneCell {
    /// The status in Chinese (`按期完成`, `逾期12日完成` …).
    status_zh: String,
    /// `ok`, `late`, `missed`, `open`, `risk` or `none`: the cell's class.
    tone: &'static str,
}

/// One direct customs in the national progress table.
#[derive(Debug, Clone)]
struct DistrictLine {
    rank: usize,
    code: String,
    name: String,
    offices: usize,
    completed: usize,
    /// Completed share in percent.
    share: f64,
    /// Mean score of its offices' latest accepted returns; `None` without any.
    mean_score: Option<f64>,
    milestones: Vec<MilestoneCell>,
    /// No milestone missed or at risk.
    on_track: bool,
}

/// Everything the dashboards show for one date.
#[derive(Debug)]
struct Computed {
    report: RolloutReport,
    /// Subordinate offices in force on the date: code, name, district.
    offices: Vec<(OfficeCode, String, Option<OfficeCode>)>,
    /// First completion date of each office, on or before the date.
    first_completed: BTreeMap<OfficeCode, NaiveDate>,
    scores: BTreeMap<OfficeCode, OfficeScore>,
    /// The grade bands of the scheme in force on the date: (grade, lowest score).
    bands: Vec<(String, f64)>,
    /// The catalog items: number and name.
    items: Vec<(u32, String)>,
    /// The national dashboard built from these figures, with the `today` it was built for (it draws charts: built
    /// once, then served to every HQ request until the data or the day changes).
    national: Mutex<Option<(NaiveDate, Arc<NationalDashboard>)>>,
}

/// The figures of one store and date, with the data generation they were computed at
/// (`Store::rollout_generation`, one indexed query, so a hit costs no reading of returns).
struct Slot {
    store: u64,
    as_of: NaiveDate,
    latest: Option<(i64, Arc<Computed>)>,
    /// Held while the figures of this store and date are being computed: one computation at a time per slot.
    computing: Arc<tokio::sync::Mutex<()>>,
    /// How many times the figures of this slot were computed (see [`computations`]).
    computations: usize,
}

static CACHE: Mutex<Vec<Slot>> = Mutex::new(Vec::new());
const CACHE_ENTRIES: usize = 8;

fn worker(e: impl std::fmt::Display) -> RolloutError {
    RolloutError::Worker(e.to_string())
}

/// How many times the figures of `store` (its [`Store::instance`]) as of `as_of` have been computed in this
/// process while they stayed in the cache: one per change of the data, however many requests asked at once.
pub fn computations(store: u64, as_of: NaiveDate) -> usize {
    CACHE
        .lock()
        .map(|cache| cache.iter().find(|s| s.store == store && s.as_of == as_of).map_or(0, |s| s.computations))
        .unwrap_or(0)
}

/// The report and every office's assessment as of `as_of`, from the cache when nothing changed.
///
/// When the data changed, one request computes the figures again (on the blocking pool); requests arriving
/// meanwhile for the same date wait for that computation instead of starting their own, so a burst of requests
/// after a change costs one computation. The figures returned are never older than the generation the request
/// read on entry (the rendered-page cache of the server relies on it).
async fn computed(store: &dyn Store, as_of: NaiveDate) -> Result<Arc<Computed>, RolloutError> {
    let generation = store.rollout_generation().await?;
    let computing = {
        let mut cache = CACHE.lock().map_err(worker)?;
        let at = match cache.iter().position(|s| s.store == store.instance() && s.as_of == as_of) {
            Some(at) => at,
            None => {
                if cache.len() >= CACHE_ENTRIES {
                    cache.remove(0);
                }
                cache.push(Slot {
                    store: store.instance(),
                    as_of,
                    latest: None,
                    computing: Arc::default(),
                    computations: 0,
                });
                cache.len() - 1
            }
        };
        let slot = &cache[at];
        match &slot.latest {
            Some((at_generation, hit)) if *at_generation >= generation => return Ok(hit.clone()),
            _ => slot.computing.clone(),
        }
    };
    let _turn = computing.lock_owned().await;
    // Whoever held the turn before may have computed what this request wants.
    let generation = store.rollout_generation().await?;
    if let Some(hit) = latest_at_least(store.instance(), as_of, generation)? {
        return Ok(hit);
    }
    // Read after the generation: a write in between is in the data and moves the generation on, so the next
    // request computes again; nothing older is ever stored under a newer generation.
    let data = RolloutData::load(store).await?;
    let schemes = data.schemes.clone();
    let value = Arc::new(tokio::task::spawn_blocking(move || compute(data, &schemes, as_of)).await.map_err(worker)??);
    let mut cache = CACHE.lock().map_err(worker)?;
    if let Some(slot) = cache.iter_mut().find(|s| s.store == store.instance() && s.as_of == as_of) {
        slot.latest = Some((generation, value.clone()));
        slot.computations += 1;
    }
    Ok(value)
}

/// The cached figures of `store` as of `as_of` if computed at `generation` or later.
fn latest_at_least(store: u64, as_of: NaiveDate, generation: i64) -> Result<Option<Arc<Computed>>, RolloutError> {
    let cache = CACHE.lock().map_err(worker)?;
    Ok(cache
        .iter()
        .find(|s| s.store == store && s.as_of == as_of)
        .and_then(|s| s.latest.as_ref())
        .filter(|(at, _)| *at >= generation)
        .map(|(_, c)| c.clone()))
}

/// The pure part (CPU-bound: on the blocking pool).
fn compute(data: RolloutData, schemes: &[Scheme], as_of: NaiveDate) -> Result<Computed, RolloutError> {
    let report = data.report(as_of);
    let applicability = Applicability::all_applicable();
    let calendar = data.calendar.clone();
    let items: Vec<(u32, String)> = data.catalog.items().map(|i| (i.number, i.name.clone())).collect();
    let offices: Vec<(OfficeCode, String, Option<OfficeCode>)> = data
        .directory
        .in_force_on(as_of)
        .filter(|v| v.kind == OfficeKind::Subordinate)
        .map(|v| (v.code.clone(), v.name.clone(), v.parent.clone()))
        .collect();
    let wanted: BTreeSet<&OfficeCode> = offices.iter().map(|o| &o.0).collect();
    let mut by_office: BTreeMap<OfficeCode, Vec<&ReturnSnapshot>> = BTreeMap::new();
    for s in &data.accepted {
        if wanted.contains(&s.office) && s.verified_on.is_some_and(|d| d <= as_of) {
            by_office.entry(s.office.clone()).or_default().push(s);
        }
    }
    let mut first_completed = BTreeMap::new();
    let mut scores = BTreeMap::new();
    for (office, mut snapshots) in by_office {
        snapshots.sort_by_key(|s| s.verified_on);
        let history = completion_history_by(&snapshots, &data.catalog, &applicability, |day| {
            crate::services::rollout::completion_definition_on(schemes, day)
        });
        if let Some(first) = history.iter().find(|c| c.complete && c.on <= as_of) {
            first_completed.insert(office.clone(), first.on);
        }
        let Some(latest) = snapshots.last() else { continue };
        let Some(verified_on) = latest.verified_on else { continue };
        let scheme = scheme_in_force(schemes, verified_on).ok_or(RolloutError::NoScheme)?;
        let assessment = score(latest, &data.catalog, &applicability, scheme, &calendar, scheme.clocks, as_of)
            .map_err(|e| RolloutError::Scheme(e.to_string()))?;
        let codes = |kind: IndicatorKind| -> BTreeSet<&str> {
            scheme.indicators.iter().filter(|i| i.kind == kind).map(|i| i.code.as_str()).collect()
        };
        let (not_disclosed, overdue) = (codes(IndicatorKind::Disclosed), codes(IndicatorKind::OnTime));
        let defect = |item: u32, rules: &BTreeSet<&str>| {
            assessment.lines.iter().any(|l| l.item == Some(item) && rules.contains(l.rule.as_str()))
        };
        let cells = items
            .iter()
            .map(|(n, _)| {
                if assessment.inherited.iter().any(|i| i.item == *n && i.element.is_none()) {
                    CellState::Inherited
                } else if applicability.not_applicable(*n).is_some() {
                    CellState::NotApplicable
                } else if defect(*n, &not_disclosed) {
                    CellState::Missing
                } else if defect(*n, &overdue) {
                    CellState::Late
                } else {
                    CellState::Met
                }
            })
            .collect();
        scores.insert(
            office,
            OfficeScore {
                period: latest.period.clone(),
                verified_on,
                score: assessment.score,
                grade: assessment.grade.clone(),
                complete_now: is_complete(latest, &data.catalog, &applicability, &scheme.completion).complete,
                cells,
            },
        );
    }
    let bands = scheme_in_force(schemes, as_of)
        .map(|s| s.bands.iter().map(|b| (b.grade.clone(), b.min)).collect())
        .unwrap_or_default();
    Ok(Computed { report, offices, first_completed, scores, bands, items, national: Mutex::new(None) })
}

fn table_of(t: &analytics::charts::TextTable) -> TableView {
    TableView { headers: t.headers.clone(), rows: t.rows.clone(), links: Vec::new(), link_column: 0 }
}

fn chart_view(name: &str, chart: Chart) -> ChartView {
    let (width, height) = chart.size();
    ChartView {
        name: name.into(),
        title: chart.title_zh,
        table: table_of(&chart.table),
        svg: chart.svg.into(),
        width,
        height,
        described_by: None,
        summary: None,
        by_month: false,
    }
}

/// Links the rows of `table` whose cell `column` is a key of `links`.
fn link_rows(mut table: TableView, column: usize, links: &BTreeMap<String, String>) -> TableView {
    table.links = table.rows.iter().map(|r| r.get(column).and_then(|c| links.get(c)).cloned()).collect();
    table.link_column = column;
    table
}

/// Whose figures the national dashboard shows, in its chart titles and file names.
pub const NATIONAL: &str = "全国";

/// The file name of a download: whose figures (`全国`, a direct customs' or an office's name), what they are, as of
/// when, in which format (`天津海关_隶属海关完成对标进度_2022-12-31.svg`). Every download is named here, so no two
/// different downloads share a name and each says what it shows once saved. With ASCII parts (`0200`, `burn-up`)
/// it gives the fallback name for clients without RFC 5987.
pub fn download_name(whose: &str, what: &str, as_of: NaiveDate, ext: &str) -> String {
    let what: String = what.chars().filter(|c| !matches!(c, '（' | '）' | ' ' | '/' | '\\')).collect();
    format!("{whose}_{what}_{as_of}.{ext}")
}

/// What a chart or table of a dashboard shows, by its name, for its file name.
pub fn download_what(name: &str) -> Option<&'static str> {
    Some(match name {
        "burn-up" => "隶属海关完成对标进度",
        "matrix" => "各直属海关里程碑完成情况",
        "ranking" => "直属海关按得分排名",
        "scores" => "隶属海关得分分布",
        "heatmap" => "隶属海关标准目录事项公开情况",
        "progress" => "各直属海关推进进度",
        "at-risk" => "逾期与风险事项",
        "offices" => "所属隶属海关",
        "milestones" => "里程碑",
        _ => return None,
    })
}

/// The address of a direct customs' dashboard as of the date.
pub fn district_href(code: &str, as_of: NaiveDate) -> String {
    format!("/offices/{code}?as_of={as_of}")
}

fn tone(status: &MilestoneStatus) -> &'static str {
    match status {
        MilestoneStatus::MetOnTime { .. } => "ok",
        MilestoneStatus::MetLate { .. } => "late",
        MilestoneStatus::Missed { .. } => "missed",
        MilestoneStatus::DueToday => "today",
        MilestoneStatus::NotYetDue { on_track: true, .. } => "open",
        MilestoneStatus::NotYetDue { on_track: false, .. } => "risk",
        MilestoneStatus::NoOffices => "none",
    }
}

fn on_track(d: &DistrictReport) -> bool {
    !d.milestones.iter().any(|m| needs_attention(&m.status))
}

/// Missed, due today and not met, or at risk: what the at-risk list shows.
fn needs_attention(status: &MilestoneStatus) -> bool {
    matches!(status, MilestoneStatus::Missed { .. } | MilestoneStatus::DueToday) || status.at_risk()
}

fn pilots(d: &DistrictReport) -> (usize, usize) {
    let inside: Vec<_> = d.pilots.iter().filter(|p| p.in_district).collect();
    (inside.len(), inside.iter().filter(|p| p.completed_on.is_some()).count())
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The burn-up of `offices` (codes) against `targets`.
fn burn_up_chart(c: &Computed, offices: &[&OfficeCode], targets: &[BurnUpTarget], caption: &Caption) -> ChartView {
    let as_of = caption.as_of;
    let dates: Vec<NaiveDate> = offices.iter().filter_map(|o| c.first_completed.get(*o).copied()).collect();
    let points = completion_curve(&dates, as_of);
    let mut view = chart_view("burn-up", burn_up(caption, &points, offices.len(), targets));
    view.summary = Some(table_of(&burn_up_by_month(&points, offices.len(), targets, as_of)));
    view
}

/// The national dashboard as of `as_of` (headquarters only), complete: every chart with its SVG and its own
/// table, as the downloads cut them. [`NationalDashboard::for_page`] is what the page carries.
pub async fn national(
    store: &dyn Store,
    principal: &Principal,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<Arc<NationalDashboard>, RolloutError> {
    if !crate::functions::is_hq(principal) {
        return Err(RolloutError::Forbidden);
    }
    let c = computed(store, as_of).await?;
    let mut memo = c.national.lock().map_err(worker)?;
    if let Some((built_for, view)) = memo.as_ref() {
        if *built_for == today {
            return Ok(view.clone());
        }
    }
    let view = Arc::new(national_view(&c, as_of, today));
    *memo = Some((today, view.clone()));
    Ok(view)
}

/// The id of the progress table on the national dashboard, which carries the numbers of the milestone matrix and
/// of the ranking.
pub const PROGRESS_TABLE_ID: &str = "progress-table";

/// The national dashboard from the figures (pure; draws the charts).
fn national_view(c: &Computed, as_of: NaiveDate, today: NaiveDate) -> NationalDashboard {
    let report = &c.report;
    let national = &report.national;
    let href: BTreeMap<String, String> =
        report.districts.iter().map(|d| (d.district.to_string(), district_href(d.district.as_str(), as_of))).collect();
    let by_name: BTreeMap<String, String> =
        report.districts.iter().map(|d| (d.name.clone(), district_href(d.district.as_str(), as_of))).collect();

    // Mean score of each district's assessed offices.
    let mut district_scores: BTreeMap<&OfficeCode, Vec<f64>> = BTreeMap::new();
    for (code, _, parent) in &c.offices {
        if let (Some(parent), Some(s)) = (parent, c.scores.get(code)) {
            district_scores.entry(parent).or_default().push(s.score);
        }
    }
    let mut progress: Vec<DistrictLine> = report
        .districts
        .iter()
        .map(|d| DistrictLine {
            rank: 0,
            code: d.district.to_string(),
            name: d.name.clone(),
            offices: d.offices,
            completed: d.completed_ever,
            share: if d.offices == 0 { 0.0 } else { d.completed_ever as f64 * 100.0 / d.offices as f64 },
            mean_score: district_scores.get(&d.district).and_then(|s| mean(s)),
            milestones: d
                .milestones
                .iter()
                .map(|m| MilestoneCell { status_zh: m.status.short_zh(), tone: tone(&m.status) })
                .collect(),
            on_track: on_track(d),
        })
        .collect();
    let key = |l: &DistrictLine| (l.share, l.mean_score.unwrap_or(-1.0));
    progress.sort_by(|a, b| key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal).then(a.code.cmp(&b.code)));
    for i in 0..progress.len() {
        progress[i].rank =
            if i > 0 && key(&progress[i]) == key(&progress[i - 1]) { progress[i - 1].rank } else { i + 1 };
    }
    let mut headers: Vec<String> = ["名次", "关区代码", "直属海关", "隶属海关", "已完成", "完成比例", "平均分"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    headers.extend(analytics::charts::MATRIX_MILESTONES.iter().map(|m| m.to_string()));
    headers.push("进度".into());
    let progress_tones = progress.iter().map(|l| l.milestones.iter().map(|m| m.tone.to_string()).collect()).collect();
    let progress_table = TableView {
        headers,
        rows: progress
            .iter()
            .map(|l| {
                let mut row = vec![
                    l.rank.to_string(),
                    l.code.clone(),
                    l.name.clone(),
                    l.offices.to_string(),
                    l.completed.to_string(),
                    format!("{:.1}%", l.share),
                    l.mean_score.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into()),
                ];
                row.extend(l.milestones.iter().map(|m| m.status_zh.clone()));
                row.push(if l.on_track { "正常".into() } else { "滞后或有风险".into() });
                row
            })
            .collect(),
        links: progress.iter().map(|l| href.get(&l.code).cloned()).collect(),
        link_column: 2,
    };

    // At risk and missed, with the reason.
    let mut at_risk = TableView {
        headers: ["关区代码", "直属海关", "里程碑", "截止日期", "状况", "原因"].iter().map(|s| s.to_string()).collect(),
        link_column: 1,
        ..TableView::default()
    };
    for d in &report.districts {
        for m in &d.milestones {
            if !needs_attention(&m.status) {
                continue;
            }
            let reason = national
                .at_risk
                .iter()
                .find(|r| r.district == d.district && r.code == m.code)
                .map(|r| r.reason_zh.clone())
                .or_else(|| m.note_zh.clone())
                .unwrap_or_else(|| match (m.required, m.achieved) {
                    (Some(r), Some(a)) => format!("应完成{r}个，已完成{a}个"),
                    _ => "截止日期已过，尚未完成".into(),
                });
            at_risk.rows.push(vec![
                d.district.to_string(),
                d.name.clone(),
                m.code.clone(),
                date_zh(m.due),
                m.status.label_zh(),
                reason,
            ]);
            at_risk.links.push(href.get(d.district.as_str()).map(|h| format!("{h}#milestones")));
        }
    }

    // Charts.
    let mut targets = Vec::new();
    for code in ["M3", "M4", "M5"] {
        let results: Vec<_> = report
            .districts
            .iter()
            .filter_map(|d| d.milestone(code))
            .filter(|m| m.status != MilestoneStatus::NoOffices)
            .collect();
        if let Some(first) = results.first() {
            targets.push(BurnUpTarget::new(code, first.due, results.iter().filter_map(|m| m.required).sum()));
        }
    }
    let all: Vec<&OfficeCode> = c.offices.iter().map(|o| &o.0).collect();
    let caption = Caption::new(NATIONAL, as_of);
    let burn = burn_up_chart(c, &all, &targets, &caption);
    let mut rows: Vec<DistrictRow> = report.districts.iter().filter_map(DistrictRow::from_report).collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    let mut matrix = chart_view("matrix", milestone_matrix(&caption, &rows));
    matrix.table = link_rows(matrix.table, 1, &by_name);
    matrix.described_by = Some(PROGRESS_TABLE_ID.into());
    let ranking_rows: Vec<RankingRow> = progress
        .iter()
        .map(|l| RankingRow {
            name: l.name.clone(),
            score: l.mean_score.unwrap_or(f64::NAN),
            completed_share: l.share / 100.0,
        })
        .collect();
    let mut ranked = chart_view("ranking", ranking(&caption, &ranking_rows));
    ranked.table = link_rows(ranked.table, 1, &by_name);
    ranked.described_by = Some(PROGRESS_TABLE_ID.into());
    let scores: Vec<f64> = c.scores.values().map(|s| s.score).collect();
    let bands: Vec<(&str, f64)> = c.bands.iter().map(|(g, m)| (g.as_str(), *m)).collect();
    let distribution = chart_view("scores", score_distribution(&caption, &scores, &bands));

    let (pilots_designated, pilots_completed) =
        report.districts.iter().map(pilots).fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
    NationalDashboard {
        as_of,
        today,
        sample: false,
        offices: national.offices,
        completed: national.completed_ever,
        pilots_designated,
        pilots_completed,
        districts: report.districts.len(),
        districts_on_track: report.districts.iter().filter(|d| on_track(d)).count(),
        assessed: c.scores.len(),
        burn_up: burn,
        matrix,
        ranking: ranked,
        scores: distribution,
        progress_table,
        progress_tones,
        at_risk,
    }
}

/// The dashboard of direct customs `code` as of `as_of`; `None` when `code` is not a direct customs (or did not
/// exist on the date); [`RolloutError::NotFound`] outside the caller's scope.
pub async fn district(
    store: &dyn Store,
    principal: &Principal,
    code: &str,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<Option<DistrictDashboard>, RolloutError> {
    let code = OfficeCode::parse(code).map_err(|_| RolloutError::NotFound)?;
    let directory = analytics::offices::Directory::new(store.office_versions().await?);
    let hierarchy = Hierarchy::new(&directory, today);
    if !principal.can_read_office(&code, &hierarchy) {
        return Err(RolloutError::NotFound);
    }
    let kind = directory.versions().iter().rev().find(|v| v.code == code).map(|v| v.kind);
    if kind != Some(OfficeKind::DirectCustoms) {
        return Ok(None);
    }
    if !crate::functions::is_hq(principal) && principal.districts().is_empty() {
        return Err(RolloutError::NotFound);
    }
    let c = computed(store, as_of).await?;
    let Some(d) = c.report.district(&code) else { return Ok(None) };

    let pilot_of: BTreeMap<&OfficeCode, &analytics::rollout::PilotStatus> =
        d.pilots.iter().filter(|p| p.in_district).map(|p| (&p.office, p)).collect();
    let offices: Vec<&(OfficeCode, String, Option<OfficeCode>)> =
        c.offices.iter().filter(|o| o.2.as_ref() == Some(&code)).collect();
    let mut office_table = TableView {
        headers: [
            "机构代码",
            "隶属海关",
            "试点",
            "首次完成对标日期",
            "目前是否完成",
            "最新审核通过的填报",
            "审核通过日期",
            "得分（分）",
            "等次",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        link_column: 1,
        ..TableView::default()
    };
    for (office, name, _) in &offices {
        let s = c.scores.get(office);
        office_table.rows.push(vec![
            office.to_string(),
            name.clone(),
            pilot_of.get(office).map(|_| "试点".to_string()).unwrap_or_default(),
            c.first_completed.get(office).map(|d| date_zh(*d)).unwrap_or_else(|| "未完成".into()),
            match s {
                Some(s) if s.complete_now => "是".into(),
                Some(_) => "否".into(),
                None => "—".into(),
            },
            // The period as officials write it (2022年第三季度), not its code.
            s.map(|s| analytics::returns::Period::parse(&s.period).map_or_else(|_| s.period.clone(), |p| p.name_zh()))
                .unwrap_or_else(|| "无".into()),
            s.map(|s| date_zh(s.verified_on)).unwrap_or_default(),
            s.map(|s| format!("{:.1}", s.score)).unwrap_or_else(|| "—".into()),
            s.map(|s| s.grade.clone()).unwrap_or_else(|| "—".into()),
        ]);
        office_table.links.push(Some(format!("/offices/{office}?as_of={as_of}")));
    }

    let milestones = TableView {
        headers: ["里程碑", "截止日期", "状况", "完成日期", "应完成（个）", "已完成（个）", "说明"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: d
            .milestones
            .iter()
            .map(|m| {
                vec![
                    m.code.clone(),
                    date_zh(m.due),
                    m.status.label_zh(),
                    m.met_on.map(date_zh).unwrap_or_default(),
                    m.required.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                    m.achieved.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                    m.note_zh.clone().unwrap_or_else(|| match m.status {
                        MilestoneStatus::NotYetDue { projected_on: Some(p), .. } => {
                            format!("按目前进度，预计{}达到要求", date_zh(p))
                        }
                        _ => String::new(),
                    }),
                ]
            })
            .collect(),
        ..TableView::default()
    };

    let codes: Vec<&OfficeCode> = offices.iter().map(|o| &o.0).collect();
    let targets: Vec<BurnUpTarget> = d.milestones.iter().filter_map(BurnUpTarget::from_result).collect();
    let caption = Caption::new(&d.name, as_of);
    let burn = burn_up_chart(&c, &codes, &targets, &caption);
    let names: Vec<String> = offices.iter().map(|o| o.1.clone()).collect();
    let items: Vec<String> = c.items.iter().map(|(n, name)| format!("{n}{name}")).collect();
    let cells: Vec<Vec<CellState>> =
        offices.iter().map(|o| c.scores.get(&o.0).map(|s| s.cells.clone()).unwrap_or_default()).collect();
    let mut heat = chart_view("heatmap", heatmap(&caption, &names, &items, cells));
    let by_name: BTreeMap<String, String> =
        offices.iter().map(|o| (o.1.clone(), format!("/offices/{}?as_of={as_of}", o.0))).collect();
    heat.table = link_rows(heat.table, 0, &by_name);
    let (pilots_designated, pilots_completed) = pilots(d);
    Ok(Some(DistrictDashboard {
        code: code.to_string(),
        name: d.name.clone(),
        as_of,
        today,
        offices: d.offices,
        completed: d.completed_ever,
        pilots_designated,
        pilots_completed,
        projected_all_complete_on: d.projected_all_complete_on,
        milestones,
        office_table,
        burn_up: burn,
        heatmap: heat,
    }))
}

/// Why a download could not be served.
#[derive(Debug)]
pub enum DownloadError {
    /// No such chart or table.
    UnknownName,
    Rollout(RolloutError),
}

impl From<RolloutError> for DownloadError {
    fn from(e: RolloutError) -> Self {
        DownloadError::Rollout(e)
    }
}

/// One chart of a dashboard by name (`burn-up`, `matrix`, `ranking`, `scores`; `burn-up`, `heatmap` of a district),
/// with whose it is.
pub async fn chart(
    store: &dyn Store,
    principal: &Principal,
    name: &str,
    district: Option<&str>,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(String, ChartView), DownloadError> {
    let (whose, charts) = charts_of(store, principal, district, as_of, today).await?;
    charts.into_iter().find(|c| c.name == name).map(|c| (whose, c)).ok_or(DownloadError::UnknownName)
}

/// The charts of a dashboard with whose they are (`全国` or the direct customs' name), for their file names.
pub async fn charts_of(
    store: &dyn Store,
    principal: &Principal,
    district: Option<&str>,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(String, Vec<ChartView>), DownloadError> {
    Ok(match district {
        None => {
            let n = national(store, principal, as_of, today).await?;
            (NATIONAL.into(), vec![n.burn_up.clone(), n.matrix.clone(), n.ranking.clone(), n.scores.clone()])
        }
        Some(code) => {
            let d = self::district(store, principal, code, as_of, today).await?.ok_or(RolloutError::NotFound)?;
            (d.name, vec![d.burn_up, d.heatmap])
        }
    })
}

/// One table of a dashboard by name, with whose it is (`全国` or the direct customs' name): a chart's text table by
/// the chart's name, or `progress`, `at-risk` (national), `offices`, `milestones` (a district).
pub async fn table(
    store: &dyn Store,
    principal: &Principal,
    name: &str,
    district: Option<&str>,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(String, TableView), DownloadError> {
    download_what(name).ok_or(DownloadError::UnknownName)?;
    match district {
        None => {
            // The national figures are shared (`Arc`): only the table asked for is copied.
            let n = national(store, principal, as_of, today).await?;
            let found = match name {
                "progress" => Some(&n.progress_table),
                "at-risk" => Some(&n.at_risk),
                _ => [&n.burn_up, &n.matrix, &n.ranking, &n.scores]
                    .into_iter()
                    .find(|c| c.name == name)
                    .map(|c| &c.table),
            };
            found.map(|table| (NATIONAL.to_string(), table.clone())).ok_or(DownloadError::UnknownName)
        }
        Some(code) => {
            let d = self::district(store, principal, code, as_of, today).await?.ok_or(RolloutError::NotFound)?;
            let table = match name {
                "offices" => d.office_table,
                "milestones" => d.milestones,
                "burn-up" => d.burn_up.table,
                "heatmap" => d.heatmap.table,
                _ => return Err(DownloadError::UnknownName),
            };
            Ok((d.name, table))
        }
    }
}
