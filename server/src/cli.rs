//! The `gongkai` command line: serve, migrate, import the office list, load the demo data set.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use analytics::offices::OfficeCode;
use app::auth::Role;
use app::services::accounts::{create_user, NewAccount};
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
        /// Load the demo offices and accounts but not their history of returns.
        #[arg(long)]
        no_demo_history: bool,
        /// Mark the session cookie Secure (when users reach the server over HTTPS).
        #[arg(long, env = "GONGKAI_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Create or migrate the database and install the standard catalog, then exit.
    Migrate,
    /// Manage the office list.
    Offices {
        #[command(subcommand)]
        command: OfficesCommand,
    },
    /// Load the demo data set (示例数据: invented subordinate offices) through the regular import, and its rollout
    /// history (returns filed and verified from 2022 to 2024) through the regular return pipeline.
    Demo {
        /// Load only the offices and demo accounts, not the history of returns.
        #[arg(long)]
        no_history: bool,
        /// `standard`: the rollout history (about 1,500 returns); `national`: besides, a return for every quarter
        /// of 2022–2024 for every office (about 8,500 returns; a few minutes), the data set of the load tests.
        #[arg(long, value_enum, default_value = "standard")]
        scale: DemoScaleArg,
    },
    /// Office returns (填报表).
    Returns {
        #[command(subcommand)]
        command: ReturnsCommand,
    },
    /// Working days (工作日) from the State Council's yearly holiday arrangements.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Scoring schemes (评分方案): versions that never change; a return is scored under the version in force on
    /// the day it was accepted.
    Scheme {
        #[command(subcommand)]
        command: SchemeCommand,
    },
    /// The rollout milestones M1–M5 of every direct customs and nationally, as of a date (events after it ignored).
    Milestones {
        /// The date to judge as of (YYYY-MM-DD); default: today in China.
        #[arg(long, value_parser = parse_day)]
        as_of: Option<chrono::NaiveDate>,
        /// Print the API's JSON (`/api/v1/milestones`) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Manage user accounts. There are no default accounts or passwords: create them here.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SchemeCommand {
    /// Store a new scheme version from a TOML file in the format of the bundled default
    /// (analytics/data/scheme-default.toml): a new `code`, the `valid_from` date it applies from.
    Import { file: PathBuf },
    /// List the stored versions.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with one or more roles, each bound to an office.
    ///
    /// Roles: hq_admin, hq_viewer (office 0000 海关总署), district_admin, district_viewer (a 直属海关, e.g. 0200),
    /// office_filer (a 隶属海关). Repeat `--role R --office CODE` for several roles; the n-th --role goes with the
    /// n-th --office. The password (at least 10 characters, not the user name, not all one kind of character) is
    /// read from --password-file, else from the GONGKAI_PASSWORD environment variable, else from the terminal
    /// without echo (or one line of standard input when it is not a terminal).
    Add {
        /// Sign-in name: 3–32 lower-case letters, digits, `.`, `_` or `-`.
        #[arg(long)]
        username: String,
        /// Name shown in the interface and the audit log, e.g. 张三.
        #[arg(long = "name")]
        display_name: String,
        /// Role to grant (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// Office code the role at the same position is bound to (repeatable).
        #[arg(long = "office", required = true, value_parser = parse_office_code)]
        offices: Vec<OfficeCode>,
        /// Read the password from the first line of this file.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// List every account with its roles and state.
    List,
}

/// A progress bar on standard error (hidden when it is not a terminal).
fn progress_bar(message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}

/// `gongkai returns import FILE...`: every file (or file of a .zip) on its own, with a progress bar and a line per
/// file; the exit status is a failure when any file was refused.
async fn import_returns(database_url: &str, files: &[PathBuf], dry_run: bool) -> Result<(), String> {
    use analytics::returns::batch::expand_upload;
    use app::services::returns::{self as service, BatchAction, BatchStored, ReturnError, ReturnLimits, Upload};

    let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
    setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
    let limits = ReturnLimits::default();
    let mut entries = Vec::new();
    let mut refused: Vec<(String, String)> = Vec::new();
    for path in files {
        let name =
            path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.display().to_string());
        match std::fs::read(path) {
            Ok(bytes) => match expand_upload(&name, bytes, limits.max_upload_bytes as u64, limits.max_batch_files) {
                Ok(mut files) => entries.append(&mut files),
                Err(e) => refused.push((name, e.to_string())),
            },
            Err(e) => refused.push((name, format!("无法读取文件：{e}"))),
        }
    }
    let principal = service::system_principal("cli", "命令行").map_err(|e| e.to_string())?;
    let actor = Actor::cli();
    let today = app::services::today_in_china();
    let bar = progress_bar(if dry_run { "检查填报表" } else { "导入填报表" });
    bar.set_length(entries.len() as u64);
    let uploads: Vec<Upload> = entries
        .into_iter()
        .map(|entry| Upload {
            file_name: entry.name,
            bytes: entry.bytes,
            expected_office: None,
            expected_period: None,
            source: app::store::ReturnSource::Excel,
        })
        .collect();
    let action = if dry_run { BatchAction::Check } else { BatchAction::Submit };
    let mut passed = 0usize;
    // Parsed on every core, each file stored (and submitted) on its own; a line per file as it is done.
    service::upload_batch(store.as_ref(), &principal, uploads, limits, today, &actor, action, |file| {
        bar.inc(1);
        let name = &file.file_name;
        match &file.outcome {
            Ok(stored) => {
                passed += 1;
                let line = match stored {
                    BatchStored::Checked(checked) => {
                        format!("{} {} 检查通过（{} 条提示）", checked.office, checked.period, checked.warnings.len())
                    }
                    BatchStored::Drafted(uploaded) | BatchStored::Submitted(uploaded) => {
                        format!("{} {} 已提交（第 {} 号）", uploaded.office, uploaded.period, uploaded.id)
                    }
                };
                bar.println(format!("✓ {name}：{line}"));
            }
            Err(ReturnError::Invalid { errors, warnings }) => {
                let mut text = format!("文件有 {} 处错误，未保存任何内容", errors.len());
                for problem in errors.iter().chain(warnings.iter()) {
                    text.push_str(&format!("\n    {problem}"));
                }
                refused.push((name.clone(), text));
            }
            Err(e) => refused.push((name.clone(), e.to_string())),
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    for (name, why) in &refused {
        eprintln!("✗ {name}：{why}");
    }
    store.close().await;
    println!(
        "{}：{} 个文件通过，{} 个文件未通过",
        if dry_run { "检查完成" } else { "导入完成" },
        passed,
        refused.len()
    );
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!("{} 个文件未能导入，见上方说明", refused.len()))
    }
}

fn parse_office_code(raw: &str) -> Result<OfficeCode, String> {
    OfficeCode::parse(raw).map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum ReturnsCommand {
    /// Import return workbooks (.xlsx .xlsm .xls .ods, or .zip files of them), as 总署办公厅管理员 would upload
    /// them: every file is checked on its own, a file with any error is reported cell by cell and stores nothing,
    /// and the others are submitted to their direct customs (with --dry-run: only checked). Shows a progress bar.
    Import {
        /// The files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check every file and report, without storing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `gongkai demo --scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoScaleArg {
    Standard,
    National,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// The N-th working day after START; the day of START does not count (民法典 art. 201).
    /// Example: `gongkai calendar deadline 2024-09-27 7` → 2024-10-12 (a make-up Saturday).
    Deadline {
        /// The triggering date, YYYY-MM-DD.
        start: String,
        /// How many working days.
        working_days: u32,
    },
    /// Whether DATE (YYYY-MM-DD) is a working day, why, and which notice decides it.
    Day { date: String },
    /// Import the holiday arrangement of a newly published year (or correct an imported one) from a TOML file in
    /// the layout of `analytics/data/holidays-cn.toml`: one `[[years]]` table per year with `year`, `notice`,
    /// `holidays = [{ name, from, to }]` and `make_up_days = [...]`. The whole file is checked before anything is
    /// stored; years bundled with the program (2021–2026) cannot be changed this way.
    Import { file: std::path::PathBuf },
    /// Every known year: its notice, working days, days off, and whether it is bundled or imported.
    List,
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
        Command::Serve {
            addr: defaults.addr,
            site_root: defaults.site_root,
            no_demo: false,
            no_demo_history: false,
            secure_cookies: defaults.secure_cookies,
        }
    });
    match command {
        Command::Serve { addr, site_root, no_demo, no_demo_history, secure_cookies } => {
            let trusted_proxies = crate::config::trusted_proxies_from_env()?;
            let config = Config {
                database_url: cli.database_url,
                addr,
                site_root,
                demo_if_empty: !no_demo,
                demo_history: !no_demo && !no_demo_history,
                secure_cookies,
                trusted_proxies,
            };
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
        Command::Calendar { command } => calendar_command(&cli.database_url, command).await,
        Command::Demo { no_history, scale } => {
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
            if !no_history {
                let bar = progress_bar("载入示例填报历史");
                let scale = match scale {
                    DemoScaleArg::Standard => app::services::demo_history::DemoScale::Standard,
                    DemoScaleArg::National => app::services::demo_history::DemoScale::National,
                };
                let loaded = app::services::demo_history::load_demo_history_at(
                    store.as_ref(),
                    scale,
                    app::services::demo_history::history_until(),
                    |done, total| {
                        bar.set_length(total as u64);
                        bar.set_position(done as u64);
                    },
                )
                .await;
                bar.finish_and_clear();
                let loaded = loaded.map_err(|e| e.to_string())?;
                println!(
                    "已载入示例填报历史：{} 份填报，{} 份审核通过，{} 份退回修改",
                    loaded.filed, loaded.accepted, loaded.returned
                );
            }
            store.close().await;
            Ok(())
        }
        Command::Returns { command: ReturnsCommand::Import { files, dry_run } } => {
            import_returns(&cli.database_url, &files, dry_run).await
        }
        Command::Scheme { command } => scheme_command(&cli.database_url, command).await,
        Command::Milestones { as_of, json } => milestones_command(&cli.database_url, as_of, json).await,
        Command::User { command } => user_command(&cli.database_url, command).await,
    }
}

/// The table `gongkai milestones` prints: one line per direct customs (tab-separated), then the national tally.
pub fn milestones_table(view: &app::services::rollout::MilestonesView) -> String {
    use analytics::calendar::written;
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ =
        writeln!(out, "截至{}的推进里程碑（M1 关区目录 M2 实施方案 M3 试点 M4 三分之一 M5 全部）", written(view.as_of));
    let _ = writeln!(out, "直属海关\t隶属海关\t已完成\tM1\tM2\tM3\tM4\tM5\t预计全部完成");
    for district in &view.districts {
        let statuses: Vec<String> = district
            .milestones
            .iter()
            .map(|m| match m.status.met_on() {
                Some(on) => format!("{}（{}）", m.status.label_zh(), written(on)),
                None => m.status.label_zh(),
            })
            .collect();
        let _ = writeln!(
            out,
            "{} {}\t{}\t{}\t{}\t{}",
            district.district,
            district.name,
            district.offices,
            district.completed_ever,
            statuses.join("\t"),
            district.projected_all_complete_on.map(written).unwrap_or_else(|| "—".into())
        );
    }
    if let Some(national) = &view.national {
        let _ = writeln!(
            out,
            "全国：隶属海关 {} 个，已完成对标 {} 个（现仍达标 {} 个）",
            national.offices, national.completed_ever, national.completed_now
        );
        for tally in &national.milestones {
            let _ = writeln!(
                out,
                "{}（{}到期）：按期 {}，逾期完成 {}，逾期未完成 {}，今日到期 {}，未到期 {}（其中有风险 {}），无隶属海关 {}",
                tally.code,
                written(tally.due),
                tally.met_on_time,
                tally.met_late,
                tally.missed,
                tally.due_today,
                tally.not_yet_due,
                tally.at_risk,
                tally.no_offices
            );
        }
    }
    out
}

async fn scheme_command(database_url: &str, command: SchemeCommand) -> Result<(), String> {
    let text = match &command {
        SchemeCommand::Import { file } => {
            Some(std::fs::read_to_string(file).map_err(|e| format!("无法读取评分方案文件 {}：{e}", file.display()))?)
        }
        SchemeCommand::List => None,
    };
    let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
    let result = async {
        setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
        match text {
            Some(text) => {
                let (scheme, outcome) = app::services::rollout::install_scheme(store.as_ref(), &text, &Actor::cli())
                    .await
                    .map_err(|e| e.to_string())?;
                let verb = if outcome == app::store::CatalogInstall::Unchanged {
                    "已存在（内容相同）"
                } else {
                    "已保存"
                };
                println!(
                    "评分方案 {}（{}）{verb}，自{}起适用",
                    scheme.code,
                    scheme.title,
                    analytics::calendar::written(scheme.valid_from)
                );
            }
            None => {
                for scheme in store.schemes().await.map_err(|e| e.to_string())? {
                    println!(
                        "{}\t{}\t自{}起适用",
                        scheme.code,
                        scheme.title,
                        analytics::calendar::written(scheme.valid_from)
                    );
                }
            }
        }
        Ok(())
    }
    .await;
    store.close().await;
    result
}

fn parse_day(raw: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("日期“{raw}”有误，应为 年-月-日，例如 2022-12-31"))
}

/// `gongkai milestones`: the same figures as `GET /api/v1/milestones` for headquarters, as a table or JSON.
async fn milestones_command(database_url: &str, as_of: Option<chrono::NaiveDate>, json: bool) -> Result<(), String> {
    let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
    let result = async {
        setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
        let principal = app::services::returns::system_principal("cli", "命令行").map_err(|e| e.to_string())?;
        let today = app::services::today_in_china();
        let as_of = as_of.unwrap_or(today);
        app::services::rollout::milestones(store.as_ref(), &principal, as_of, today).await.map_err(|e| e.to_string())
    }
    .await;
    store.close().await;
    let view = result?;
    if json {
        println!("{}", serde_json::to_string_pretty(&view).map_err(|e| e.to_string())?);
    } else {
        print!("{}", milestones_table(&view));
    }
    Ok(())
}

/// Environment variable `gongkai user add` reads the password from.
pub const PASSWORD_ENV: &str = "GONGKAI_PASSWORD";

async fn user_command(database_url: &str, command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::Add { username, display_name, roles, offices, password_file } => {
            if roles.len() != offices.len() {
                return Err(format!(
                    "每个 --role 须有对应的 --office：给出了 {} 个角色、{} 个机构",
                    roles.len(),
                    offices.len()
                ));
            }
            let password = read_password(password_file.as_deref(), std::env::var(PASSWORD_ENV).ok())?;
            let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
            let result = async {
                setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
                let account =
                    NewAccount { username, display_name, password, grants: roles.into_iter().zip(offices).collect() };
                let id = create_user(store.as_ref(), account, app::services::today_in_china(), &Actor::cli())
                    .await
                    .map_err(|e| e.to_string())?;
                let user = store
                    .list_users()
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .find(|u| u.id == id)
                    .ok_or_else(|| "新建的用户未能读回".to_string())?;
                println!("已创建用户 {}（{}）：{}", user.username, user.display_name, grants_text(&user.grants));
                Ok(())
            }
            .await;
            store.close().await;
            result
        }
        UserCommand::List => {
            let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
            let users = store.list_users().await.map_err(|e| e.to_string());
            store.close().await;
            let users = users?;
            if users.is_empty() {
                println!("尚无用户：请用 gongkai user add 创建");
            }
            for user in users {
                println!(
                    "{}\t{}\t{}\t{}",
                    user.username,
                    user.display_name,
                    if user.disabled { "已停用" } else { "启用" },
                    grants_text(&user.grants)
                );
            }
            Ok(())
        }
    }
}

fn grants_text(grants: &[app::auth::Grant]) -> String {
    if grants.is_empty() {
        "无角色".to_string()
    } else {
        grants.iter().map(|g| g.to_string()).collect::<Vec<_>>().join("、")
    }
}

/// The password for `user add`: the first line of `file`, else `env` (the value of [`PASSWORD_ENV`]), else typed
/// at the terminal without echo (twice), else one line of standard input. Never a default.
fn read_password(file: Option<&std::path::Path>, env: Option<String>) -> Result<String, String> {
    use std::io::IsTerminal;
    let password = if let Some(file) = file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("无法读取密码文件 {}：{e}", file.display()))?;
        first_line(&text)
    } else if let Some(value) = env.filter(|v| !v.is_empty()) {
        value
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("密码：").map_err(|e| format!("无法读取密码：{e}"))?;
        let again = rpassword::prompt_password("再次输入密码：").map_err(|e| format!("无法读取密码：{e}"))?;
        if first != again {
            return Err("两次输入的密码不一致".into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| format!("无法从标准输入读取密码：{e}"))?;
        first_line(&line)
    };
    if password.is_empty() {
        return Err(format!("未提供密码：请用 --password-file、环境变量 {PASSWORD_ENV} 或在终端输入"));
    }
    Ok(password)
}

/// The first line of a text without its line ending (a password file written by `echo` ends with a newline).
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
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

fn parse_cli_date(raw: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("日期“{raw}”格式有误，应为 年-月-日，例如 2024-09-27"))
}

/// `gongkai calendar …`: counts with the bundled years and those imported into the database.
async fn calendar_command(database_url: &str, command: CalendarCommand) -> Result<(), String> {
    let text = match &command {
        CalendarCommand::Import { file } => {
            Some(std::fs::read_to_string(file).map_err(|e| format!("无法读取节假日安排文件 {}：{e}", file.display()))?)
        }
        _ => None,
    };
    let store = app::store::connect(database_url).await.map_err(|e| e.to_string())?;
    let result = async {
        setup::prepare(store.as_ref(), false).await.map_err(|e| e.to_string())?;
        calendar_run(store.as_ref(), command, text).await
    }
    .await;
    store.close().await;
    result
}

async fn calendar_run(
    store: &dyn app::store::Store,
    command: CalendarCommand,
    text: Option<String>,
) -> Result<(), String> {
    use analytics::calendar::{written, DayKind};
    use app::services::calendar::{self as service, YearSource};
    let calendar = service::working_calendar(store).await.map_err(|e| e.to_string())?;
    match command {
        CalendarCommand::Deadline { start, working_days } => {
            let start = parse_cli_date(&start)?;
            let deadline = calendar.add_working_days(start, working_days).map_err(|e| e.to_string())?;
            let info = calendar.day_info(deadline).map_err(|e| e.to_string())?;
            let note = if info.kind == DayKind::MakeUpWorkday { "（调休上班日）" } else { "" };
            println!("{}起{}个工作日，期限为{}{}", written(start), working_days, written(deadline), note);
            println!("{}", deadline);
        }
        CalendarCommand::Day { date } => {
            let info = calendar.day_info(parse_cli_date(&date)?).map_err(|e| e.to_string())?;
            let kind = match info.kind {
                DayKind::Weekday => "工作日",
                DayKind::Weekend => "休息日（周末）",
                DayKind::Holiday => "法定节假日放假",
                DayKind::MakeUpWorkday => "调休上班日",
            };
            let holiday = info.holiday.map(|h| format!("（{h}）")).unwrap_or_default();
            println!("{}：{}{}", written(info.date), kind, holiday);
            println!("依据：{}", info.notice);
        }
        CalendarCommand::Import { .. } => {
            let text = text.unwrap_or_default();
            let done = service::import_file(store, &text, &Actor::cli()).await.map_err(|e| e.to_string())?;
            for year in done {
                let verb = if year.outcome == app::store::CatalogInstall::Unchanged {
                    "已在使用（内容相同），未作改动"
                } else {
                    "已导入"
                };
                println!("{}年节假日安排{verb}：{}，全年工作日{}天", year.year, year.notice, year.working_days);
            }
        }
        CalendarCommand::List => {
            for year in service::known_years(store).await.map_err(|e| e.to_string())? {
                let source = match &year.source {
                    YearSource::Bundled => "随程序发布".to_string(),
                    YearSource::Imported { at, corrections, .. } => {
                        let fixed = if *corrections > 0 { format!("，更正{corrections}次") } else { String::new() };
                        format!("导入于 {at}{fixed}")
                    }
                };
                println!(
                    "{}年\t工作日{}天\t放假{}天\t{}\t{}",
                    year.arrangement.year, year.working_days, year.days_off, year.arrangement.notice, source
                );
            }
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_file_gives_its_first_line_without_the_line_ending() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "Tianjin-2024 \r\nsecond line\n").unwrap();
        assert_eq!(read_password(Some(&file), Some("from-env-1A".into())).unwrap(), "Tianjin-2024 ");
    }

    #[test]
    fn the_environment_is_used_when_no_file_is_given() {
        assert_eq!(read_password(None, Some("From-Env-2024".into())).unwrap(), "From-Env-2024");
    }

    #[test]
    fn an_empty_password_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "\n").unwrap();
        let error = read_password(Some(&file), None).unwrap_err();
        assert!(error.contains("未提供密码"), "{error}");
        assert!(read_password(Some(&dir.path().join("missing")), None).unwrap_err().contains("无法读取密码文件"));
    }

    #[test]
    fn user_add_pairs_each_role_with_an_office_and_refuses_unknown_roles() {
        let cli = Cli::parse_from([
            "gongkai",
            "user",
            "add",
            "--username",
            "u1",
            "--name",
            "甲",
            "--role",
            "district_admin",
            "--office",
            "0200",
            "--role",
            "hq_viewer",
            "--office",
            "0000",
        ]);
        match cli.command {
            Some(Command::User { command: UserCommand::Add { roles, offices, .. } }) => {
                assert_eq!(roles, vec![Role::DistrictAdmin, Role::HqViewer]);
                assert_eq!(offices, vec![OfficeCode::parse("0200").unwrap(), OfficeCode::parse("0000").unwrap()]);
            }
            other => panic!("{other:?}"),
        }
        let refused = Cli::try_parse_from([
            "gongkai",
            "user",
            "add",
            "--username",
            "u1",
            "--name",
            "甲",
            "--role",
            "root",
            "--office",
            "0200",
        ]);
        assert!(refused.is_err());
    }
}
