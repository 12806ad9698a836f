//! Installing the bundled standard catalog into the store.

use analytics::catalog::{standard_catalog, STANDARD_CATALOG_TOML};

use super::sha256_hex;
use crate::store::{Actor, CatalogInstall, Store, StoreError};

/// Errors installing the standard catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogSetupError {
    #[error("标准目录数据文件有误：{0}")]
    Data(#[from] analytics::catalog::CatalogDataError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores the bundled standard catalog if it is not stored yet. A stored version whose content differs from the
/// bundled file is left alone (a released version never changes) and reported as [`CatalogInstall::Conflict`].
pub async fn install_standard_catalog(store: &dyn Store, actor: &Actor) -> Result<CatalogInstall, CatalogSetupError> {
    let catalog = standard_catalog()?;
    let hash = sha256_hex(STANDARD_CATALOG_TOML.as_bytes());
    Ok(store.install_catalog(&catalog, &hash, actor).await?)
}
