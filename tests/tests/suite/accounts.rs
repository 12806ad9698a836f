//! Accounts, roles and sessions on a real SQLite file: password hashing and policy, office scope as of a date,
//! sign-in (happy path, wrong password, unknown user, throttling, disabled account), session expiry, sign-out,
//! password change, API tokens, the audit trail of every write, and `gongkai user add` run in-process.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use analytics::offices::{Directory, OfficeCode};
use app::auth::password::{self, ITERATIONS, MEMORY_KIB, PARALLELISM};
use app::auth::session::SessionPolicy;
use app::auth::throttle::LoginAttempt;
use app::auth::{DisplayName, Grant, Hierarchy, Role, Username};
use app::services::accounts::{
    self, change_password, create_user, issue_api_token, resolve_api_token, resolve_session, sign_in, sign_out,
    AccountError, AuthPolicy, NewAccount, SignInError, SignInRequest,
};
use app::services::offices::import_offices;
use app::services::setup;
use app::store::{Actor, NewUser, SessionEnd, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::Parser;
use server::cli::Cli;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

const HEADER: &str = "机构代码,机构名称,机构类型,上级机构代码,生效日期,失效日期,备注";
const PASSWORD: &str = "Tianjin-Haiguan-2024";

fn url_of(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn code(text: &str) -> OfficeCode {
    OfficeCode::parse(text).expect("code")
}

/// A fixed instant: sign-in attempts and sessions are stored with the time the caller gives.
fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-03T01:00:00Z").expect("instant").with_timezone(&Utc)
}

/// The date the grants are checked on (the offices below are all in force then).
fn today() -> NaiveDate {
    date("2024-06-03")
}

/// A prepared database (catalog, 海关总署, the 42 direct customs) with a few subordinate offices:
/// 0201 and 0202 under 天津 0200, 0202 moved to 石家庄 0400 on 2024-01-01, and 0401 under 0400.
async fn store_with_offices() -> (tempfile::TempDir, PathBuf, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("accounts.db");
    let store = app::store::connect(&url_of(&path)).await.expect("store opens");
    setup::prepare(store.as_ref(), false).await.expect("prepare");
    let csv = format!(
        "{HEADER}\n0201,测试甲海关,隶属海关,0200,2010-01-01,,\n0202,测试乙海关,隶属海关,0200,2010-01-01,2024-01-01,\n\
         0202,测试乙海关,隶属海关,0400,2024-01-01,,划转至石家庄海关\n0401,测试丙海关,隶属海关,0400,2010-01-01,,\n"
    );
    import_offices(store.as_ref(), "test.csv", csv.into_bytes(), false, &Actor::system()).await.expect("import");
    (dir, path, store)
}

fn account(username: &str, grants: &[(Role, &str)]) -> NewAccount {
    NewAccount {
        username: username.into(),
        display_name: format!("{username} 的名字"),
        password: PASSWORD.into(),
        grants: grants.iter().map(|(role, office)| (*role, code(office))).collect(),
    }
}

async fn add_user(store: &dyn Store, username: &str, grants: &[(Role, &str)]) -> i64 {
    create_user(store, account(username, grants), today(), &Actor::cli()).await.expect("user created")
}

fn request<'a>(username: &'a str, password: &'a str) -> SignInRequest<'a> {
    SignInRequest {
        username,
        password,
        remote_addr: Some("192.0.2.10"),
        user_agent: Some("Mozilla/5.0 (test)"),
        previous_token: None,
    }
}

async fn raw_connection(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::from_str(&url_of(path)).expect("options").connect().await.expect("raw connection")
}

async fn scalar(path: &Path, sql: &str) -> i64 {
    let mut raw = raw_connection(path).await;
    let value = sqlx::query_scalar(sql).fetch_one(&mut raw).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    raw.close().await.expect("close");
    value
}

async fn text(path: &Path, sql: &str) -> Option<String> {
    let mut raw = raw_connection(path).await;
    let value = sqlx::query_scalar(sql).fetch_one(&mut raw).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    raw.close().await.expect("close");
    value
}

// ------------------------------------------------------------------------------------------------------------
// Passwords

#[tokio::test]
async fn a_stored_password_is_an_argon2id_hash_with_the_explicit_parameters_at_or_above_owasp() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let phc = text(&path, "SELECT password_hash FROM users WHERE username = 'zhangsan'").await.expect("a hash");
    assert!(!phc.contains(PASSWORD));

    // $argon2id$v=19$m=…,t=…,p=…$salt$hash
    let parts: Vec<&str> = phc.split('$').collect();
    assert_eq!(parts.len(), 6, "{phc}");
    assert_eq!(parts[1], "argon2id");
    assert_eq!(parts[2], "v=19");
    let params: std::collections::BTreeMap<&str, u32> = parts[3]
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("k=v");
            (k, v.parse().expect("number"))
        })
        .collect();
    assert_eq!(params["m"], MEMORY_KIB);
    assert_eq!(params["t"], ITERATIONS);
    assert_eq!(params["p"], PARALLELISM);
    // OWASP Password Storage Cheat Sheet: at least m = 19456 KiB, t = 2, p = 1.
    assert!(params["m"] >= 19_456 && params["t"] >= 2 && params["p"] >= 1, "{phc}");
    assert!(parts[4].len() >= 22, "a salt of at least 16 bytes");
    assert!(password::verify_password(PASSWORD.into(), phc).await.expect("verify"));
    store.close().await;
}

#[tokio::test]
async fn a_password_against_the_policy_is_refused_in_chinese_and_nothing_is_written() {
    let (_dir, path, store) = store_with_offices().await;
    let audit_before = store.audit_count().await.expect("audit");
    for (password, message) in [
        ("Short-1", "密码至少需要10个字符"),
        ("abcdefghijklmn", "密码不能只由一类字符组成"),
        ("2024202420242024", "密码不能只由一类字符组成"),
        ("Wangwu.Tianjin", "密码不能与用户名相同"),
    ] {
        let mut new = account("wangwu.tianjin", &[(Role::DistrictAdmin, "0200")]);
        new.password = password.into();
        let error = create_user(store.as_ref(), new, today(), &Actor::cli()).await.expect_err(password);
        assert!(matches!(error, AccountError::Policy(_)), "{password}: {error:?}");
        assert!(error.to_string().contains(message), "{password}: {error}");
        assert_eq!(error.status_code(), 400);
    }
    assert_eq!(scalar(&path, "SELECT count(*) FROM users").await, 0);
    assert_eq!(store.audit_count().await.expect("audit"), audit_before);
    store.close().await;
}

#[tokio::test]
async fn a_role_bound_to_the_wrong_kind_of_office_or_a_taken_name_is_refused_and_nothing_is_written() {
    let (_dir, path, store) = store_with_offices().await;
    let error = create_user(store.as_ref(), account("lisi", &[(Role::DistrictAdmin, "0201")]), today(), &Actor::cli())
        .await
        .expect_err("a district admin needs a direct customs");
    assert_eq!(error.to_string(), "角色“直属海关管理员”须绑定直属海关，而机构 0201 是隶属海关");
    let error = create_user(store.as_ref(), account("lisi", &[(Role::OfficeFiler, "0299")]), today(), &Actor::cli())
        .await
        .expect_err("an unknown office");
    assert!(error.to_string().contains("不存在或已撤销"), "{error}");
    let error = create_user(store.as_ref(), account("lisi", &[]), today(), &Actor::cli()).await.expect_err("no role");
    assert!(matches!(error, AccountError::NoGrant));
    assert_eq!(scalar(&path, "SELECT count(*) FROM users").await, 0);

    add_user(store.as_ref(), "lisi", &[(Role::OfficeFiler, "0201")]).await;
    let error = create_user(store.as_ref(), account("LiSi", &[(Role::OfficeFiler, "0201")]), today(), &Actor::cli())
        .await
        .expect_err("the same name in other case");
    assert_eq!(error.to_string(), "用户名“lisi”已存在");
    assert_eq!(error.status_code(), 409);
    assert_eq!(scalar(&path, "SELECT count(*) FROM users").await, 1);

    // The schema refuses a mismatched grant even when the application is bypassed.
    let mut raw = raw_connection(&path).await;
    let refused = sqlx::query(
        "INSERT INTO user_roles (user_id, role, office_id) VALUES
         ((SELECT id FROM users WHERE username = 'lisi'), 'hq_admin', (SELECT id FROM offices WHERE code = '0200'))",
    )
    .execute(&mut raw)
    .await;
    assert!(refused.expect_err("trigger").to_string().contains("office kind does not fit the role"));
    raw.close().await.expect("close");
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Scope

async fn principal_of(store: &dyn Store, username: &str) -> app::auth::Principal {
    let session = sign_in(store, &AuthPolicy::default(), request(username, PASSWORD), t0()).await.expect("sign in");
    session.principal
}

#[tokio::test]
async fn a_district_admin_reads_and_writes_its_subordinates_but_not_another_districts() {
    let (_dir, _path, store) = store_with_offices().await;
    add_user(store.as_ref(), "tj.admin", &[(Role::DistrictAdmin, "0200")]).await;
    let principal = principal_of(store.as_ref(), "tj.admin").await;
    assert_eq!(
        principal.grants,
        vec![Grant::new(Role::DistrictAdmin, code("0200"), analytics::offices::OfficeKind::DirectCustoms)
            .expect("grant")]
    );
    let directory = Directory::new(store.office_versions().await.expect("versions"));
    let now = Hierarchy::new(&directory, today());
    for office in ["0200", "0201"] {
        assert!(principal.can_read_office(&code(office), &now), "{office}");
        assert!(principal.can_write_office(&code(office), &now), "{office}");
    }
    for office in ["0000", "0400", "0401", "0202", "0100"] {
        assert!(!principal.can_read_office(&code(office), &now), "{office}");
        assert!(!principal.can_write_office(&code(office), &now), "{office}");
    }
    assert_eq!(principal.home_path(), "/offices/0200");
    assert_eq!(principal.districts(), vec![code("0200")]);
    store.close().await;
}

#[tokio::test]
async fn an_office_moved_to_another_district_leaves_the_old_districts_scope_from_its_move_date() {
    let (_dir, _path, store) = store_with_offices().await;
    add_user(store.as_ref(), "tj.admin", &[(Role::DistrictAdmin, "0200")]).await;
    add_user(store.as_ref(), "sjz.viewer", &[(Role::DistrictViewer, "0400")]).await;
    let tianjin = principal_of(store.as_ref(), "tj.admin").await;
    let shijiazhuang = principal_of(store.as_ref(), "sjz.viewer").await;
    let directory = Directory::new(store.office_versions().await.expect("versions"));
    let before = Hierarchy::new(&directory, date("2023-12-31"));
    let from = Hierarchy::new(&directory, date("2024-01-01"));
    let moved = code("0202");
    assert!(tianjin.can_write_office(&moved, &before));
    assert!(!tianjin.can_read_office(&moved, &from));
    assert!(!shijiazhuang.can_read_office(&moved, &before));
    assert!(shijiazhuang.can_read_office(&moved, &from));
    assert!(!shijiazhuang.can_write_office(&moved, &from), "a viewer never writes");
    store.close().await;
}

#[tokio::test]
async fn a_filer_reads_and_writes_only_its_own_office_and_hq_reads_everything() {
    let (_dir, _path, store) = store_with_offices().await;
    add_user(store.as_ref(), "filer.0201", &[(Role::OfficeFiler, "0201")]).await;
    add_user(store.as_ref(), "hq.viewer", &[(Role::HqViewer, "0000")]).await;
    add_user(store.as_ref(), "hq.admin", &[(Role::HqAdmin, "0000")]).await;
    let filer = principal_of(store.as_ref(), "filer.0201").await;
    let viewer = principal_of(store.as_ref(), "hq.viewer").await;
    let admin = principal_of(store.as_ref(), "hq.admin").await;
    let directory = Directory::new(store.office_versions().await.expect("versions"));
    let now = Hierarchy::new(&directory, today());
    assert!(filer.can_write_office(&code("0201"), &now));
    for office in ["0000", "0200", "0202", "0401"] {
        assert!(!filer.can_read_office(&code(office), &now), "{office}");
    }
    assert_eq!(filer.home_path(), "/returns");
    for office in ["0000", "0200", "0201", "0401"] {
        assert!(viewer.can_read_office(&code(office), &now) && !viewer.can_write_office(&code(office), &now));
        assert!(admin.can_write_office(&code(office), &now));
    }
    assert!(admin.is_hq_admin() && !viewer.is_hq_admin());
    assert_eq!((admin.home_path(), viewer.home_path()), ("/".to_string(), "/".to_string()));
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Sign-in

#[tokio::test]
async fn signing_in_creates_a_session_with_a_fresh_token_every_time_and_ends_the_one_the_browser_carried() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    let first = sign_in(store.as_ref(), &policy, request("  ZhangSan ", PASSWORD), t0()).await.expect("sign in");
    assert_eq!(first.principal.username, "zhangsan");
    assert_eq!(first.expires_at, t0() + Duration::hours(12));
    assert!(app::auth::tokens::is_well_formed_secret(&first.token));
    let cookie = first.set_cookie(&policy.session);
    assert!(cookie.starts_with(&format!("gongkai_session={}; ", first.token)));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));

    // The database holds only the digest of the token.
    let stored = text(&path, &format!("SELECT token_sha256 FROM sessions WHERE id = {}", first.session_id)).await;
    assert_eq!(stored, Some(app::auth::tokens::token_sha256(&first.token)));
    assert_eq!(
        scalar(&path, &format!("SELECT count(*) FROM sessions WHERE token_sha256 = '{}'", first.token)).await,
        0
    );

    let resolved = resolve_session(store.as_ref(), &policy.session, &first.token, t0() + Duration::minutes(1))
        .await
        .expect("resolve")
        .expect("an open session");
    assert_eq!(resolved.session_id, first.session_id);
    assert_eq!(resolved.csrf_token, first.csrf_token);
    assert_eq!(resolved.principal, first.principal);

    let mut again = request("zhangsan", PASSWORD);
    again.previous_token = Some(&first.token);
    let second = sign_in(store.as_ref(), &policy, again, t0() + Duration::minutes(2)).await.expect("sign in again");
    assert_ne!(second.token, first.token);
    assert_ne!(second.session_id, first.session_id);
    assert_ne!(second.csrf_token, first.csrf_token);
    assert!(resolve_session(store.as_ref(), &policy.session, &first.token, t0() + Duration::minutes(3))
        .await
        .expect("resolve")
        .is_none());
    assert_eq!(
        text(&path, &format!("SELECT end_reason FROM sessions WHERE id = {}", first.session_id)).await.as_deref(),
        Some("signed_out")
    );
    store.close().await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_message_after_comparable_work() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    // Warm the dummy hash so that its one-time creation is not measured.
    let _ = sign_in(store.as_ref(), &policy, request("warm-up", PASSWORD), t0()).await;

    let mut wrong = StdDuration::MAX;
    let mut unknown = StdDuration::MAX;
    for i in 0..3 {
        let started = Instant::now();
        let error =
            sign_in(store.as_ref(), &policy, request("zhangsan", "Wrong-Password-1"), t0()).await.expect_err("wrong");
        wrong = wrong.min(started.elapsed());
        assert!(matches!(error, SignInError::InvalidCredentials));
        assert_eq!(error.to_string(), "用户名或密码错误");
        assert_eq!(error.status_code(), 401);

        let started = Instant::now();
        let name = format!("nobody{i}");
        let error = sign_in(store.as_ref(), &policy, request(&name, PASSWORD), t0()).await.expect_err("unknown");
        unknown = unknown.min(started.elapsed());
        assert!(matches!(error, SignInError::InvalidCredentials));
        assert_eq!(error.to_string(), "用户名或密码错误");
        assert_eq!(error.status_code(), 401);
    }
    // Both verify one argon2id hash with the same parameters; without the dummy hash the unknown user would
    // answer in well under a tenth of the time.
    assert!(unknown * 3 >= wrong && wrong * 3 >= unknown, "wrong password {wrong:?}, unknown user {unknown:?}");
    // A name that is not even a valid user name gets the same answer.
    let error =
        sign_in(store.as_ref(), &policy, request("不存在的人", PASSWORD), t0()).await.expect_err("invalid name");
    assert_eq!(error.to_string(), "用户名或密码错误");
    assert_eq!(scalar(&path, "SELECT count(*) FROM sessions").await, 0);
    assert_eq!(scalar(&path, "SELECT count(*) FROM login_attempts WHERE succeeded = 0").await, 8);
    store.close().await;
}

#[tokio::test]
async fn failures_delay_their_address_more_each_time_with_the_wait_in_chinese_but_never_lock_the_account() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    // Five wrong passwords from 192.0.2.10, each once the previous delay has passed: 0 s, 0 s, then 1 s, 2 s, 4 s.
    let mut now = t0();
    for wait in [0, 0, 1, 2, 4] {
        now += Duration::seconds(wait);
        let error =
            sign_in(store.as_ref(), &policy, request("zhangsan", "Wrong-Password-1"), now).await.expect_err("wrong");
        assert!(matches!(error, SignInError::InvalidCredentials), "after {wait} s: {error:?}");
    }
    let attempts_before = scalar(&path, "SELECT count(*) FROM login_attempts").await;
    // Even the right password is not verified during the delay: 4 s after the fifth failure.
    let error = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), now).await.expect_err("delayed");
    assert!(matches!(error, SignInError::Throttled { seconds: 4 }), "{error:?}");
    assert_eq!(error.to_string(), "登录失败次数过多，请在4秒后再试");
    assert_eq!(error.status_code(), 429);
    let error = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), now + Duration::seconds(3))
        .await
        .expect_err("still delayed");
    assert!(matches!(error, SignInError::Throttled { seconds: 1 }), "refused guesses do not extend it: {error:?}");
    assert_eq!(scalar(&path, "SELECT count(*) FROM sessions").await, 0, "no session during the delay");
    assert_eq!(scalar(&path, "SELECT count(*) FROM login_attempts").await, attempts_before, "refused, not counted");

    // From another address the owner signs in at once: the delay is not a lock on the account.
    let mut elsewhere = request("ZHANGSAN", PASSWORD);
    elsewhere.remote_addr = Some("198.51.100.7");
    sign_in(store.as_ref(), &policy, elsewhere, now).await.expect("another address is not delayed");
    // And from the first address once the delay has passed.
    let session = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), now + Duration::seconds(4))
        .await
        .expect("the delay has passed");
    assert_eq!(session.principal.username, "zhangsan");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_parallel_wrong_passwords_from_one_address_gets_only_the_verifications_the_rule_allows() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let attempt = request("zhangsan", "Wrong-Password-1");
                sign_in(store.as_ref(), &AuthPolicy::default(), attempt, t0()).await.expect_err("refused")
            })
        })
        .collect();
    let mut wrong = 0;
    let mut throttled = 0;
    for attempt in attempts {
        match attempt.await.expect("task") {
            SignInError::InvalidCredentials => wrong += 1,
            SignInError::Throttled { .. } => throttled += 1,
            other => panic!("{other:?}"),
        }
    }
    // Two failures are free, the third makes the next guess wait a second: three verified, seven refused.
    assert_eq!((wrong, throttled), (3, 7));
    assert_eq!(scalar(&path, "SELECT count(*) FROM login_attempts").await, 3);
    store.close().await;
}

#[tokio::test]
async fn many_failures_from_one_address_delay_its_failing_names_but_not_another_accounts_right_password() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    // Twenty names, each tried once (no pair delay), all from the same address (a shared NAT, say).
    for i in 0..20 {
        let name = format!("guess{i}");
        let error =
            sign_in(store.as_ref(), &policy, request(&name, "Wrong-Password-1"), t0()).await.expect_err("unknown");
        assert!(matches!(error, SignInError::InvalidCredentials), "attempt {i}: {error:?}");
    }
    // A name that failed there now waits for the address's delay: 20 failures from it, 16 s.
    let error =
        sign_in(store.as_ref(), &policy, request("guess3", "Wrong-Password-2"), t0()).await.expect_err("delayed");
    assert_eq!(error.to_string(), "登录失败次数过多，请在16秒后再试");
    // An account without failures there signs in at once.
    sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0()).await.expect("not delayed by others");
    // The address raised one alert in the audit log.
    assert_eq!(
        scalar(&path, "SELECT count(*) FROM audit_log WHERE action = 'sign_in_alert' AND entity_type = 'address'")
            .await,
        1
    );
    assert_eq!(
        text(&path, "SELECT entity_id FROM audit_log WHERE action = 'sign_in_alert'").await.as_deref(),
        Some("192.0.2.10")
    );
    store.close().await;
}

#[tokio::test]
async fn guesses_of_the_current_password_are_delayed_like_sign_ins_and_audited() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    let here = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0()).await.expect("signed in");
    let current =
        resolve_session(store.as_ref(), &policy.session, &here.token, t0()).await.expect("resolve").expect("open");
    let guess = |password: &str, seconds: i64| {
        let (store, current, password) = (store.clone(), current.clone(), password.to_string());
        async move {
            let now = t0() + Duration::seconds(seconds);
            change_password(
                store.as_ref(),
                &policy.throttle,
                &current,
                password,
                "New-Password-2025".into(),
                Some("192.0.2.10"),
                now,
            )
            .await
        }
    };
    for _ in 0..3 {
        assert!(matches!(guess("Wrong-Password-1", 1).await, Err(AccountError::WrongPassword)));
    }
    // The fourth guess waits a second, even with the right password, and is not verified.
    let error = guess(PASSWORD, 1).await.expect_err("delayed");
    assert!(matches!(error, AccountError::Throttled { seconds: 1 }), "{error:?}");
    assert_eq!(error.to_string(), "原密码错误次数过多，请在1秒后再试");
    assert_eq!(error.status_code(), 429);
    assert_eq!(
        scalar(
            &path,
            "SELECT count(*) FROM audit_log WHERE action = 'password_check_failed' AND entity_id = 'zhangsan'"
        )
        .await,
        3
    );
    // The guesses count for the account: signing in from the same address waits too.
    let error = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0() + Duration::seconds(1))
        .await
        .expect_err("same pair");
    assert!(matches!(error, SignInError::Throttled { seconds: 1 }), "{error:?}");
    guess(PASSWORD, 2).await.expect("the delay has passed");
    store.close().await;
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    let (_dir, path, store) = store_with_offices().await;
    let id = add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    let session = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0()).await.expect("sign in");
    assert!(store.set_user_disabled(id, true, t0() + Duration::minutes(1), &Actor::cli()).await.expect("disable"));
    assert!(!store.set_user_disabled(id, true, t0(), &Actor::cli()).await.expect("already disabled"));
    assert!(resolve_session(store.as_ref(), &policy.session, &session.token, t0() + Duration::minutes(2))
        .await
        .expect("resolve")
        .is_none());
    assert_eq!(
        text(&path, &format!("SELECT end_reason FROM sessions WHERE id = {}", session.session_id)).await.as_deref(),
        Some("disabled")
    );
    let error = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0() + Duration::minutes(3))
        .await
        .expect_err("disabled");
    assert_eq!(error.to_string(), "该账户已停用，请联系系统管理员");
    // A wrong password for a disabled account still gets the generic answer.
    let error = sign_in(store.as_ref(), &policy, request("zhangsan", "Wrong-Password-1"), t0() + Duration::minutes(3))
        .await
        .expect_err("wrong");
    assert!(matches!(error, SignInError::InvalidCredentials));
    assert!(store.set_user_disabled(id, false, t0(), &Actor::cli()).await.expect("enable"));
    sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0() + Duration::minutes(4))
        .await
        .expect("enabled");
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Sessions

#[tokio::test]
async fn a_session_idle_for_thirty_minutes_resolves_to_nothing_and_is_ended() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = SessionPolicy::default();
    let session =
        sign_in(store.as_ref(), &AuthPolicy::default(), request("zhangsan", PASSWORD), t0()).await.expect("sign in");
    let resolve = |minutes: i64| {
        let store = store.clone();
        let token = session.token.clone();
        async move {
            resolve_session(store.as_ref(), &policy, &token, t0() + Duration::minutes(minutes)).await.expect("resolve")
        }
    };
    assert!(resolve(29).await.is_some(), "29 minutes idle");
    assert!(resolve(58).await.is_some(), "29 minutes after the last request");
    assert!(resolve(88).await.is_none(), "30 minutes idle");
    assert_eq!(
        text(&path, &format!("SELECT end_reason FROM sessions WHERE id = {}", session.session_id)).await.as_deref(),
        Some("expired")
    );
    assert!(resolve(89).await.is_none(), "an ended session stays ended");
    store.close().await;
}

#[tokio::test]
async fn a_session_twelve_hours_old_resolves_to_nothing_however_active() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = SessionPolicy::default();
    let session =
        sign_in(store.as_ref(), &AuthPolicy::default(), request("zhangsan", PASSWORD), t0()).await.expect("sign in");
    let mut minutes = 0;
    while minutes < 12 * 60 - 20 {
        minutes += 20;
        assert!(
            resolve_session(store.as_ref(), &policy, &session.token, t0() + Duration::minutes(minutes))
                .await
                .expect("resolve")
                .is_some(),
            "active at minute {minutes}"
        );
    }
    let at_limit = t0() + Duration::hours(12);
    assert!(resolve_session(store.as_ref(), &policy, &session.token, at_limit).await.expect("resolve").is_none());
    assert_eq!(
        text(&path, &format!("SELECT end_reason FROM sessions WHERE id = {}", session.session_id)).await.as_deref(),
        Some("expired")
    );
    store.close().await;
}

#[tokio::test]
async fn a_tampered_or_unknown_cookie_resolves_to_nothing_and_changes_nothing() {
    let (_dir, _path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = SessionPolicy::default();
    let session =
        sign_in(store.as_ref(), &AuthPolicy::default(), request("zhangsan", PASSWORD), t0()).await.expect("sign in");
    let audit_before = store.audit_count().await.expect("audit");
    let mut tampered = session.token.clone();
    let last = if tampered.ends_with('A') { "B" } else { "A" };
    tampered.replace_range(42.., last);
    for cookie in [tampered.as_str(), "", "not-a-token", &session.token[..42], &format!("{}x", session.token)] {
        let now = t0() + Duration::minutes(1);
        assert!(resolve_session(store.as_ref(), &policy, cookie, now).await.expect("resolve").is_none(), "{cookie}");
        assert!(!sign_out(store.as_ref(), cookie, None, now).await.expect("sign out"), "{cookie}");
    }
    assert_eq!(store.audit_count().await.expect("audit"), audit_before);
    assert!(resolve_session(store.as_ref(), &policy, &session.token, t0()).await.expect("resolve").is_some());
    store.close().await;
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let (_dir, path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = SessionPolicy::default();
    let session =
        sign_in(store.as_ref(), &AuthPolicy::default(), request("zhangsan", PASSWORD), t0()).await.expect("sign in");
    let later = t0() + Duration::minutes(5);
    assert!(sign_out(store.as_ref(), &session.token, Some("192.0.2.10"), later).await.expect("sign out"));
    assert!(resolve_session(store.as_ref(), &policy, &session.token, later).await.expect("resolve").is_none());
    assert!(!sign_out(store.as_ref(), &session.token, None, later).await.expect("twice"), "already ended");
    assert_eq!(
        text(&path, &format!("SELECT end_reason FROM sessions WHERE id = {}", session.session_id)).await.as_deref(),
        Some("signed_out")
    );
    assert_eq!(
        text(&path, "SELECT actor FROM audit_log WHERE action = 'sign_out'").await.as_deref(),
        Some("zhangsan"),
        "the user signed out, from their address"
    );
    store.close().await;
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let (_dir, _path, store) = store_with_offices().await;
    add_user(store.as_ref(), "zhangsan", &[(Role::DistrictAdmin, "0200")]).await;
    let policy = AuthPolicy::default();
    let here = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0()).await.expect("here");
    let elsewhere = sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), t0()).await.expect("elsewhere");
    let now = t0() + Duration::minutes(1);
    let current =
        resolve_session(store.as_ref(), &policy.session, &here.token, now).await.expect("resolve").expect("open");

    let error = change_password(
        store.as_ref(),
        &policy.throttle,
        &current,
        "Not-The-Password-1".into(),
        "New-Password-2025".into(),
        None,
        now,
    )
    .await
    .expect_err("wrong current password");
    assert_eq!(error.to_string(), "原密码错误");
    let error = change_password(store.as_ref(), &policy.throttle, &current, PASSWORD.into(), "short".into(), None, now)
        .await
        .expect_err("policy");
    assert!(error.to_string().contains("密码至少需要10个字符"), "{error}");
    let error =
        change_password(store.as_ref(), &policy.throttle, &current, PASSWORD.into(), PASSWORD.into(), None, now)
            .await
            .expect_err("same");
    assert_eq!(error.to_string(), "新密码不能与原密码相同");
    assert!(resolve_session(store.as_ref(), &policy.session, &elsewhere.token, now).await.expect("resolve").is_some());

    let ended = change_password(
        store.as_ref(),
        &policy.throttle,
        &current,
        PASSWORD.into(),
        "New-Password-2025".into(),
        None,
        now,
    )
    .await
    .expect("changed");
    assert_eq!(ended, 1);
    assert!(resolve_session(store.as_ref(), &policy.session, &here.token, now).await.expect("resolve").is_some());
    assert!(resolve_session(store.as_ref(), &policy.session, &elsewhere.token, now).await.expect("resolve").is_none());
    assert!(matches!(
        sign_in(store.as_ref(), &policy, request("zhangsan", PASSWORD), now).await,
        Err(SignInError::InvalidCredentials)
    ));
    sign_in(store.as_ref(), &policy, request("zhangsan", "New-Password-2025"), now).await.expect("the new password");
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// API tokens

#[tokio::test]
async fn an_api_token_is_shown_once_stored_as_a_digest_found_by_bearer_and_dead_once_revoked() {
    let (_dir, path, store) = store_with_offices().await;
    let (id, token) =
        issue_api_token(store.as_ref(), "总署数据交换", Role::HqViewer, &code("0000"), today(), t0(), &Actor::cli())
            .await
            .expect("issued");
    assert!(token.token.starts_with("gk_"));
    assert_eq!(text(&path, "SELECT token_prefix FROM api_tokens").await, Some(token.prefix.clone()));
    assert_eq!(
        scalar(&path, &format!("SELECT count(*) FROM api_tokens WHERE token_sha256 = '{}'", token.token)).await,
        0
    );
    let found = resolve_api_token(store.as_ref(), &token.token).await.expect("resolve").expect("known");
    assert_eq!(found.id, id);
    assert_eq!(found.grant.role(), Role::HqViewer);
    assert!(resolve_api_token(store.as_ref(), &token.token[..20]).await.expect("resolve").is_none());
    assert!(store.revoke_api_token(id, t0(), &Actor::cli()).await.expect("revoke"));
    assert!(!store.revoke_api_token(id, t0(), &Actor::cli()).await.expect("revoke twice"));
    assert!(resolve_api_token(store.as_ref(), &token.token).await.expect("resolve").is_none());

    let error = issue_api_token(store.as_ref(), "x", Role::DistrictAdmin, &code("0201"), today(), t0(), &Actor::cli())
        .await
        .expect_err("wrong kind");
    assert!(matches!(error, AccountError::Grant(_)));
    let error = issue_api_token(store.as_ref(), " ", Role::HqViewer, &code("0000"), today(), t0(), &Actor::cli())
        .await
        .expect_err("no name");
    assert!(matches!(error, AccountError::TokenName));
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// Audit

/// Runs `write` and returns the audit rows it added (action, entity type, actor).
async fn audited<F, Fut>(path: &Path, store: &dyn Store, write: F) -> Vec<(String, String, String)>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let before = store.audit_count().await.expect("audit");
    write().await;
    let mut raw = raw_connection(path).await;
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT action, entity_type, actor FROM audit_log ORDER BY id LIMIT -1 OFFSET ?")
            .bind(before)
            .fetch_all(&mut raw)
            .await
            .expect("audit rows");
    raw.close().await.expect("close");
    rows
}

fn row(action: &str, entity: &str, actor: &str) -> (String, String, String) {
    (action.into(), entity.into(), actor.into())
}

#[tokio::test]
async fn every_account_write_adds_audit_rows_without_secrets() {
    let (_dir, path, store) = store_with_offices().await;
    let s = store.as_ref();
    let admin = Actor::user(1, "hq.admin", Some("192.0.2.1"));
    let cli = Actor::cli();

    let added = audited(&path, s, || async {
        let hash = password::hash_password(PASSWORD.into()).await.expect("hash");
        let user = NewUser {
            username: Username::parse("hq.admin").expect("name"),
            display_name: DisplayName::parse("总署管理员").expect("name"),
            password_hash: hash,
            grants: vec![
                Grant::new(Role::HqAdmin, code("0000"), analytics::offices::OfficeKind::Headquarters).expect("grant")
            ],
        };
        assert_eq!(s.create_user(&user, &cli).await.expect("create"), 1);
    })
    .await;
    assert_eq!(added, vec![row("create", "user", &cli.name), row("grant", "user", &cli.name)]);

    let filer =
        Grant::new(Role::OfficeFiler, code("0201"), analytics::offices::OfficeKind::Subordinate).expect("grant");
    let added = audited(&path, s, || async { assert!(s.grant_role(1, &filer, &admin).await.expect("grant")) }).await;
    assert_eq!(added, vec![row("grant", "user", "hq.admin")]);
    let added = audited(&path, s, || async { assert!(!s.grant_role(1, &filer, &admin).await.expect("again")) }).await;
    assert_eq!(added, vec![], "nothing changed, nothing audited");
    let added = audited(&path, s, || async { assert!(s.revoke_role(1, &filer, &admin).await.expect("revoke")) }).await;
    assert_eq!(added, vec![row("revoke", "user", "hq.admin")]);

    let added = audited(&path, s, || async {
        s.record_login_attempt(
            &LoginAttempt { username: "hq.admin".into(), remote_addr: None, at: t0(), succeeded: false },
            &Actor::anonymous(Some("192.0.2.9")),
        )
        .await
        .expect("attempt")
    })
    .await;
    assert_eq!(added, vec![row("sign_in_failed", "user", "anonymous")]);

    let mut token = String::new();
    let added = audited(&path, s, || async {
        token = sign_in(s, &AuthPolicy::default(), request("hq.admin", PASSWORD), t0()).await.expect("sign in").token;
    })
    .await;
    assert_eq!(added, vec![row("sign_in", "user", "hq.admin"), row("create", "session", "hq.admin")]);

    let added = audited(&path, s, || async {
        resolve_session(s, &SessionPolicy::default(), &token, t0() + Duration::minutes(5)).await.expect("resolve");
    })
    .await;
    assert_eq!(added, vec![], "touching a session is bookkeeping, not audited");

    let added = audited(&path, s, || async {
        let ended = s.set_password(1, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", None, t0(), &admin);
        assert_eq!(ended.await.expect("set password"), Some(1));
    })
    .await;
    assert_eq!(added, vec![row("change_password", "user", "hq.admin"), row("end", "session", "hq.admin")]);
    let added = audited(&path, s, || async {
        assert_eq!(s.set_password(1, "$argon2id$x", None, t0(), &cli).await.expect("reset"), Some(0));
    })
    .await;
    assert_eq!(added, vec![row("reset_password", "user", &cli.name)]);

    let added = audited(&path, s, || async {
        assert!(s.set_user_disabled(1, true, t0(), &cli).await.expect("disable"));
        assert!(s.set_user_disabled(1, false, t0(), &cli).await.expect("enable"));
    })
    .await;
    assert_eq!(added, vec![row("disable", "user", &cli.name), row("enable", "user", &cli.name)]);

    let added = audited(&path, s, || async {
        let (id, _) =
            issue_api_token(s, "对接", Role::HqViewer, &code("0000"), today(), t0(), &admin).await.expect("issue");
        assert!(s.revoke_api_token(id, t0(), &admin).await.expect("revoke"));
    })
    .await;
    assert_eq!(added, vec![row("create", "api_token", "hq.admin"), row("revoke", "api_token", "hq.admin")]);

    let added = audited(&path, s, || async {
        let session = sign_in(s, &AuthPolicy::default(), request("zhangsan-none", PASSWORD), t0()).await;
        assert!(session.is_err());
        assert_eq!(s.end_sessions_of_user(1, None, SessionEnd::SignedOut, t0(), &admin).await.expect("none open"), 0);
    })
    .await;
    assert_eq!(added, vec![row("sign_in_failed", "user", "anonymous")], "ending no session writes nothing");

    // Grants and tokens carry their office, so the log can be searched by office.
    assert_eq!(
        scalar(&path, "SELECT count(*) FROM audit_log a JOIN offices o ON o.id = a.office_id WHERE o.code = '0201'")
            .await,
        2
    );
    // No password, hash or token in the log.
    let leaked = scalar(
        &path,
        &format!(
            "SELECT count(*) FROM audit_log WHERE coalesce(summary, '') || coalesce(before, '') || coalesce(after, '')
             LIKE '%{PASSWORD}%' OR coalesce(after, '') LIKE '%argon2%' OR coalesce(after, '') LIKE '%{token}%'"
        ),
    )
    .await;
    assert_eq!(leaked, 0);
    store.close().await;
}

#[tokio::test]
async fn the_user_list_shows_every_account_with_its_grants_and_open_sessions() {
    let (_dir, _path, store) = store_with_offices().await;
    add_user(store.as_ref(), "b.filer", &[(Role::OfficeFiler, "0201"), (Role::OfficeFiler, "0401")]).await;
    add_user(store.as_ref(), "a.hq", &[(Role::HqViewer, "0000")]).await;
    sign_in(store.as_ref(), &AuthPolicy::default(), request("b.filer", PASSWORD), t0()).await.expect("sign in");
    let users = store.list_users().await.expect("list");
    assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["a.hq", "b.filer"]);
    assert_eq!(users[1].grants.iter().map(|g| g.office().as_str()).collect::<Vec<_>>(), ["0201", "0401"]);
    assert_eq!((users[0].open_sessions, users[1].open_sessions), (0, 1));
    assert!(users.iter().all(|u| !u.disabled));
    store.close().await;
}

// ------------------------------------------------------------------------------------------------------------
// The command line

async fn run_cli(args: &[&str]) -> ExitCode {
    let mut argv = vec!["gongkai"];
    argv.extend_from_slice(args);
    server::cli::run(Cli::parse_from(argv)).await
}

// The password comes from a file here: the environment is shared by every test of this process, so no test sets
// GONGKAI_PASSWORD (its reading is tested beside the command line, in server::cli).
#[tokio::test]
async fn the_cli_user_add_creates_an_account_with_its_grants_that_can_sign_in() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("cli.db");
    let url = url_of(&db);
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).expect("write");
    let password_file = password_file.to_str().expect("path");

    let code = run_cli(&[
        "--database-url",
        &url,
        "user",
        "add",
        "--username",
        "TJ.Admin",
        "--name",
        "天津海关办公室",
        "--role",
        "district_admin",
        "--office",
        "0200",
        "--role",
        "district_viewer",
        "--office",
        "0400",
        "--password-file",
        password_file,
    ])
    .await;
    assert_eq!(code, ExitCode::SUCCESS);

    let store = app::store::connect(&url).await.expect("store opens");
    let users = store.list_users().await.expect("list");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].username, "tj.admin");
    assert_eq!(users[0].display_name, "天津海关办公室");
    let grants: Vec<(Role, &str)> = users[0].grants.iter().map(|g| (g.role(), g.office().as_str())).collect();
    assert_eq!(grants, [(Role::DistrictAdmin, "0200"), (Role::DistrictViewer, "0400")]);
    let session = accounts::sign_in(store.as_ref(), &AuthPolicy::default(), request("tj.admin", PASSWORD), t0())
        .await
        .expect("sign in");
    assert_eq!(session.principal.home_path(), "/offices/0200");
    let audit = store.audit_count().await.expect("audit");
    store.close().await;

    // Refused: a taken name, a role on the wrong kind of office, unpaired roles, a weak password. Nothing changes.
    let weak = dir.path().join("weak");
    std::fs::write(&weak, "password\n").expect("write");
    for args in [
        vec![
            "user",
            "add",
            "--username",
            "tj.admin",
            "--name",
            "重复",
            "--role",
            "hq_viewer",
            "--office",
            "0000",
            "--password-file",
            password_file,
        ],
        vec![
            "user",
            "add",
            "--username",
            "x.filer",
            "--name",
            "错",
            "--role",
            "office_filer",
            "--office",
            "0200",
            "--password-file",
            password_file,
        ],
        vec![
            "user",
            "add",
            "--username",
            "x.two",
            "--name",
            "错",
            "--role",
            "hq_viewer",
            "--role",
            "hq_admin",
            "--office",
            "0000",
            "--password-file",
            password_file,
        ],
        vec![
            "user",
            "add",
            "--username",
            "x.weak",
            "--name",
            "弱",
            "--role",
            "hq_viewer",
            "--office",
            "0000",
            "--password-file",
            weak.to_str().expect("path"),
        ],
    ] {
        let mut argv = vec!["--database-url", url.as_str()];
        argv.extend(args.iter().copied());
        assert_eq!(run_cli(&argv).await, ExitCode::FAILURE, "{args:?}");
    }
    assert_eq!(run_cli(&["--database-url", &url, "user", "list"]).await, ExitCode::SUCCESS);
    let store = app::store::connect(&url).await.expect("store opens");
    assert_eq!(store.list_users().await.expect("list").len(), 1);
    assert_eq!(store.audit_count().await.expect("audit"), audit);
    store.close().await;
}
