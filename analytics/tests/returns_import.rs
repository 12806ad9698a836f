//! The return template and its parser, end to end: what an office downloads, fills in and uploads.

use std::collections::BTreeSet;

use analytics::catalog::{standard_catalog, Catalog, ChannelCode};
use analytics::offices::OfficeCode;
use analytics::returns::template::template_rows;
use analytics::returns::{
    guide_requirements, parse_return, write_filled, write_template, Disclosed, ItemReport, ParseContext, ParseOutcome,
    Period, RequirementReport, ReturnSnapshot, Severity, TemplateSpec, TEMPLATE_VERSION,
};
use analytics::sheets::SourceFormat;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn office() -> OfficeCode {
    OfficeCode::parse("0201").unwrap()
}

fn q3() -> Period {
    Period::new(2022, 3).unwrap()
}

fn spec(catalog: &Catalog) -> TemplateSpec {
    TemplateSpec {
        office: office(),
        office_name: "新港海关".into(),
        district_name: "天津海关".into(),
        period: q3(),
        catalog: catalog.clone(),
        catalog_version: catalog.code.clone(),
    }
}

/// A complete, valid return: every row disclosed through its recommended channels.
fn full_snapshot(catalog: &Catalog) -> ReturnSnapshot {
    let items = template_rows(catalog)
        .into_iter()
        .map(|row| {
            let item = catalog.item(row.item).unwrap();
            let channels: BTreeSet<ChannelCode> =
                item.channels.iter().filter(|c| c.recommended).map(|c| c.code).collect();
            let mut report = ItemReport::disclosed(row.item, channels.clone());
            report.element = row.element;
            if channels.contains(&ChannelCode::H) {
                report.other_channel = Some("海关总署网站".into());
            }
            report.location = Some(format!("http://tianjin.customs.gov.cn/item{}", row.item));
            report.formed_on = Some(d(2022, 7, 1));
            report.published_on = Some(d(2022, 7, 15));
            report
        })
        .collect();
    let requirements = guide_requirements()
        .into_iter()
        .map(|r| RequirementReport {
            code: r.code.clone(),
            fulfilled: Disclosed::Yes,
            evidence: Some(format!("{}：见本关文件", r.title_zh)),
            count: r.min_count.map(|_| 2),
        })
        .collect();
    ReturnSnapshot { office: office(), period: q3().code(), verified_on: None, items, requirements }
}

fn ctx(catalog: &Catalog) -> ParseContext<'_> {
    ParseContext::new(d(2022, 10, 10), catalog)
}

fn messages(outcome: &ParseOutcome) -> Vec<String> {
    outcome.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_filled_template_reads_back_as_the_same_snapshot() {
    let catalog = standard_catalog().unwrap();
    let snapshot = full_snapshot(&catalog);
    let bytes = write_filled(&spec(&catalog), &snapshot).unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    assert_eq!(messages(&outcome), Vec::<String>::new());
    assert_eq!(outcome.meta.office, Some(office()));
    assert_eq!(outcome.meta.period, Some(q3()));
    assert_eq!(outcome.meta.template_version.as_deref(), Some(TEMPLATE_VERSION));
    assert_eq!(outcome.accepted(), Some(&snapshot));
}

#[test]
fn an_empty_template_reports_every_missing_answer_as_an_error() {
    let catalog = standard_catalog().unwrap();
    let bytes = write_template(&spec(&catalog)).unwrap();
    let outcome = parse_return(&bytes, SourceFormat::Xlsx, &ctx(&catalog));
    let rows = template_rows(&catalog).len();
    let errors: Vec<_> = outcome.errors().collect();
    assert_eq!(errors.len(), rows + guide_requirements().len(), "{:#?}", messages(&outcome));
    assert!(errors.iter().all(|p| p.severity == Severity::Error));
    assert_eq!(errors[0].to_string(), "公开事项!F4：是否公开不能为空：请填 是、否 或 不适用");
}
