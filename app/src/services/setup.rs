//! Preparing a database on start: the standard catalog, the real office list and, on an empty database, the
//! demo data set (示例数据).

use analytics::offices::demo::demo_offices_csv;
use analytics::offices::import::DIRECT_CUSTOMS_CSV;

use super::catalog::{install_standard_catalog, CatalogSetupError};
use super::offices::{import_offices, ImportSummary, OfficeImportError};
use crate::store::{Actor, CatalogInstall, Store, StoreError};

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

/// Loads the demo data set through the same import path as real files, and marks the database as demo.
pub async fn load_demo(store: &dyn Store, actor: &Actor) -> Result<ImportSummary, SetupError> {
    let csv = demo_offices_csv();
    let summary = import_offices(store, "demo-offices.csv", csv.into_bytes(), true, actor).await?;
    store.set_setting(DEMO_MODE_KEY, "true", actor).await?;
    Ok(summary)
}

/// Whether the database holds the demo data set (the UI then shows 示例数据 / 演示模式).
pub async fn is_demo(store: &dyn Store) -> Result<bool, StoreError> {
    Ok(store.setting(DEMO_MODE_KEY).await?.as_deref() == Some("true") || store.has_sample_offices().await?)
}
