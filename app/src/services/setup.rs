//! Preparing a database on start: the standard catalog, the real office list and, on an empty database, the
//! demo data set (示例数据) with one demo account per role (演示模式 only; see [`DEMO_ACCOUNTS`]).

use analytics::offices::demo::demo_offices_csv;
use analytics::offices::import::DIRECT_CUSTOMS_CSV;

use super::accounts::{create_user, AccountError, NewAccount};
use super::catalog::{install_standard_catalog, CatalogSetupError};
use super::offices::{import_offices, ImportSummary, OfficeImportError};
use crate::auth::Role;
use crate::pages::account::DEMO_PASSWORD;
use crate::store::{Actor, CatalogInstall, Store, StoreError};

/// The demo accounts, one per role: (user name, display name, role, office). They all have the documented
/// password [`DEMO_PASSWORD`] and exist only in a database loaded with the demo data set.
pub const DEMO_ACCOUNTS: [(&str, &str, Role, &str); 5] = [
    ("demo-hq-admin", "总署办公厅（演示管理员）", Role::HqAdmin, "0000"),
    ("demo-hq-viewer", "总署办公厅（演示查看员）", Role::HqViewer, "0000"),
    ("demo-tianjin-admin", "天津海关办公室（演示管理员）", Role::DistrictAdmin, "0200"),
    ("demo-tianjin-viewer", "天津海关办公室（演示查看员）", Role::DistrictViewer, "0200"),
    ("demo-xingang-filer", "新港海关（演示填报员）", Role::OfficeFiler, "0201"),
];

/// Setting key that records that the database holds the demo data set.
pub const DEMO_MODE_KEY: &str = "demo_mode";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Catalog(#[from] CatalogSetupError),
    #[error("内置机构名录导入失败：{0}")]
    Offices(#[from] OfficeImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("演示账户创建失败：{0}")]
    DemoAccount(#[from] AccountError),
}

/// What [`prepare`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupReport {
    pub catalog: CatalogInstall,
    pub direct_customs_loaded: Option<ImportSummary>,
    pub demo_loaded: Option<ImportSummary>,
}

/// Makes a migrated database ready: installs the standard catalog, loads 海关总署 and the 42 direct customs when
/// no office is stored, and loads the demo data set when `demo_if_empty` and the database had no office.
pub async fn prepare(store: &dyn Store, demo_if_empty: bool) -> Result<SetupReport, SetupError> {
    let actor = Actor::system();
    let catalog = install_standard_catalog(store, &actor).await?;
    // The bundled default scoring scheme is the first version; HQ stores later ones (`gongkai scheme import`).
    let scheme = analytics::assessment::default_scheme().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    store.install_scheme(&scheme, &actor).await?;
    let empty = store.office_versions().await?.is_empty();
    let mut report = SetupReport { catalog, direct_customs_loaded: None, demo_loaded: None };
    if empty {
        report.direct_customs_loaded = Some(
            import_offices(store, "offices-direct-customs.csv", DIRECT_CUSTOMS_CSV.as_bytes().to_vec(), false, &actor)
                .await?,
        );
        if demo_if_empty {
            report.demo_loaded = Some(load_demo(store, &actor).await?);
        }
    }
    Ok(report)
}

/// Loads the demo data set through the same import path as real files, creates the demo accounts that do not
/// exist yet, and marks the database as demo.
pub async fn load_demo(store: &dyn Store, actor: &Actor) -> Result<ImportSummary, SetupError> {
    let csv = demo_offices_csv();
    let summary = import_offices(store, "demo-offices.csv", csv.into_bytes(), true, actor).await?;
    let today = super::today_in_china();
    for (username, display_name, role, office) in DEMO_ACCOUNTS {
        if store.find_user_for_login(username).await?.is_some() {
            continue;
        }
        let office = analytics::offices::OfficeCode::parse(office)
            .map_err(|e| StoreError::Corrupt(format!("demo account office {office}: {e}")))?;
        let account = NewAccount {
            username: username.to_string(),
            display_name: display_name.to_string(),
            password: DEMO_PASSWORD.to_string(),
            grants: vec![(role, office)],
        };
        create_user(store, account, today, actor).await?;
    }
    load_demo_rollout_records(store, actor).await?;
    store.set_setting(DEMO_MODE_KEY, "true", actor).await?;
    Ok(summary)
}

/// Records, once, what each demo direct customs did itself (district catalog published, plan filed, pilots
/// designated: `analytics::returns::demo::district_records`), which milestones M1–M3 read.
async fn load_demo_rollout_records(store: &dyn Store, actor: &Actor) -> Result<(), SetupError> {
    use crate::store::RolloutRecord;
    use analytics::returns::demo::district_records;
    if !store.district_inputs().await?.is_empty() {
        return Ok(());
    }
    let directory = analytics::offices::Directory::new(store.office_versions().await?);
    for record in district_records(&directory) {
        let district = record.district.clone();
        let name = directory.versions().iter().find(|v| v.code == district).map(|v| v.name.clone()).unwrap_or_default();
        if let Some(on) = record.catalog_published_on {
            let title = format!("{name}基层政务公开标准事项目录");
            let number = district.district_prefix().parse::<u32>().unwrap_or(0) + 3;
            let document_number = Some(format!("{name}公告2022年第{number}号"));
            store
                .record_rollout(
                    &RolloutRecord::CatalogPublished {
                        district: district.clone(),
                        title,
                        document_number,
                        published_on: on,
                        url: None,
                    },
                    actor,
                )
                .await?;
        }
        if let Some(on) = record.plan_filed_on {
            let title = format!("{name}全面推进基层政务公开标准化规范化工作实施方案");
            store
                .record_rollout(
                    &RolloutRecord::PlanFiled {
                        district: district.clone(),
                        title,
                        document_number: None,
                        filed_on: on,
                    },
                    actor,
                )
                .await?;
        }
        for pilot in record.pilots {
            store
                .record_rollout(
                    &RolloutRecord::PilotDesignated {
                        district: district.clone(),
                        office: pilot.office,
                        designated_on: pilot.designated_on,
                    },
                    actor,
                )
                .await?;
        }
    }
    Ok(())
}

/// Whether the database holds the demo data set (the UI then shows 示例数据 / 演示模式).
pub async fn is_demo(store: &dyn Store) -> Result<bool, StoreError> {
    Ok(store.setting(DEMO_MODE_KEY).await?.as_deref() == Some("true") || store.has_sample_offices().await?)
}
