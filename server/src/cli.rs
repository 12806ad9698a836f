//! The `gongkai` command line: serve, migrate, import the office list, load the demo data set.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use app::services::offices::{import_offices, OfficeImportError};
use app::services::setup;
use app::store::Actor;
use clap::{Parser, Subcommand};

use crate::config::{Config, DEFAULT_DATABASE_URL};

/// Gongkai — 海关基层政务公开标准化规范化管理平台.
#[derive(Debug, Parser)]
#[command(
    name = "gongkai",
    version,
    about = "公开 Gongkai — 海关基层政务公开标准化规范化管理平台 (customs grassroots disclosure standardization)"
)]
pub struct Cli {
    /// Database URL: sqlite://path/to/file.db (created if missing).
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// What to do; without a subcommand the server starts (as `cargo leptos serve` runs it).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application and the JSON API. Creates and migrates the database, installs the standard
    /// catalog, and on an empty database loads the office list and the demo data set.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "GONGKAI_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Folder of the built client and static assets (cargo-leptos' site root).
        #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
        site_root: PathBuf,
        /// Do not load the demo data set into an empty database.
        #[arg(long)]
        no_demo: bool,
    },
    /// Create or migrate the database and install the standard catalog, then exit.
    Migrate,
    /// Manage the office list.
    Offices {
        #[command(subcommand)]
        command: OfficesCommand,
    },
    /// Load the demo data set (示例数据: invented subordinate offices) through the regular import.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum OfficesCommand {
    /// Import or update offices from a CSV or Excel file (.csv .xlsx .xlsm .xls .ods).
    ///
    /// Columns (by header name): 机构代码, 机构名称, 机构类型 (海关总署/直属海关/隶属海关), 上级机构代码, 生效日期,
    /// 失效日期 (自该日起失效; optional), 备注 (optional). One row per version of an office: the rows for a code
    /// replace all stored versions of that code. The whole file is checked first; if any row is wrong, every
    /// problem is listed with its line and field and nothing is written.
    Import {
        /// The file to import.
        file: PathBuf,
        /// Check the file and show what would change, without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs the command line; returns the process exit code.
pub async fn run(cli: Cli) -> ExitCode {
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or_else(|| {
        let defaults = Config::from_env();
        Command::Serve { addr: defaults.addr, site_root: defaults.site_root, no_demo: false }
    });
    match command {
        Command::Serve { addr, site_root, no_demo } => {
            let config = Config { database_url: cli.database_url, addr, site_root, demo_if_empty: !no_demo };
            if !config.site_root.join("pkg").exists() {
                tracing::warn!(
                    "{} has no built client (pkg/): pages will work without JavaScript only; build with `cargo leptos build`",
                    config.site_root.display()
                );
            }
            let server = crate::web::start(config).await.map_err(|e| e.to_string())?;
            println!("Gongkai 已启动：http://{}", server.addr);
            shutdown_signal().await;
            println!("正在停止……");
            server.stop().await;
            Ok(())
        }
        Command::Migrate => {
            let store = app::store::connect(&cli.database_url).await.map_err(|e| e.to_string())?;
            let report = setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
            println!("数据库已就绪：{}（标准目录：{:?}）", cli.database_url, report.catalog);
            store.close().await;
            Ok(())
        }
        Command::Offices { command: OfficesCommand::Import { file, dry_run } } => {
            import_file(&cli.database_url, &file, dry_run).await
        }
        Command::Demo => {
            let store = app::store::connect(&cli.database_url).await.map_err(|e| e.to_string())?;
            setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
            let versions = store.office_versions().await.map_err(|e| e.to_string())?;
            let real_subordinates = versions
                .iter()
                .filter(|v| v.kind == analytics::offices::OfficeKind::Subordinate && !v.note.starts_with("示例数据"))
                .count();
            if real_subordinates > 0 {
                store.close().await;
                return Err(format!(
                    "数据库中已有 {real_subordinates} 条真实隶属海关记录，为免示例数据与真实数据混杂，未载入示例数据"
                ));
            }
            let summary = setup::load_demo(store.as_ref(), &Actor::cli()).await.map_err(|e| e.to_string())?;
            println!(
                "已载入示例数据：读取 {} 行，新增 {} 个机构，变更 {} 个机构",
                summary.rows_read, summary.outcome.offices_added, summary.outcome.offices_changed
            );
            store.close().await;
            Ok(())
        }
    }
}

async fn import_file(database_url: &str, file: &std::path::Path, dry_run: bool) -> Result<(), String> {
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取文件 {}：{e}", file.display()))?;
    let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
    setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
    let result = if dry_run {
        app::services::offices::check_offices(store.as_ref(), &name, bytes).await.map(|plan| {
            println!(
                "检查通过（未写入）：{} 行；新增 {} 个机构，变更 {} 个机构，不变 {} 个机构",
                plan.rows_read, plan.added, plan.changed, plan.unchanged
            );
        })
    } else {
        import_offices(store.as_ref(), &name, bytes, false, &Actor::cli()).await.map(|summary| {
            println!(
                "导入完成：{} 行；新增 {} 个机构，变更 {} 个机构，不变 {} 个机构",
                summary.rows_read, summary.outcome.offices_added, summary.outcome.offices_changed, summary.unchanged
            );
        })
    };
    store.close().await;
    match result {
        Ok(()) => Ok(()),
        Err(OfficeImportError::Invalid(problems)) => {
            for p in &problems {
                eprintln!("  {p}");
            }
            Err(format!("文件“{name}”有 {} 处问题，未导入任何数据", problems.len()))
        }
        Err(e) => Err(e.to_string()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
