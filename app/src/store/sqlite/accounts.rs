//! The SQLite side of accounts: users and their grants, sign-in attempts, sessions and API tokens
//! (migration `0002_accounts.sql`). The [`Store`](crate::store::Store) methods in `sqlite.rs` call these.
//!
//! Each write runs in one `BEGIN IMMEDIATE` transaction with its audit entries (a sign-in attempt is inserted as a
//! failure before its password is verified, and audited, with any throttling alert, when it is finished); grants
//! and tokens are audited with their office, so that the log can be searched by office. Password hashes, tokens and their digests never enter
//! the audit log.

use std::collections::BTreeMap;

use analytics::offices::{OfficeCode, OfficeKind};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{audit, kind_from_key, to_json, AuditEntry, SqliteStore};
use crate::auth::throttle::{Alert, AlertScope, GuessKind, LoginAttempt};
use crate::auth::{Grant, Principal, Role};
use crate::store::{
    Actor, LoginUser, NewApiTokenRecord, NewSessionRecord, NewUser, SessionEnd, StoreError, StoreResult,
    StoredApiToken, StoredSession, UserSummary, MAX_ATTEMPTS_READ,
};

/// An instant as stored: RFC 3339 in UTC with milliseconds, the format of the schema's defaults, so that text
/// order is time order.
fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_instant(text: &str, what: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("{what} “{text}”: {e}")))
}

fn grant_from_row(role: &str, code: &str, kind: &str) -> StoreResult<Grant> {
    let role: Role = role.parse().map_err(|e: crate::auth::roles::UnknownRole| StoreError::Corrupt(e.to_string()))?;
    let code = OfficeCode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Grant::new(role, code, kind_from_key(kind)?).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn grant_json(grant: &Grant) -> serde_json::Value {
    serde_json::json!({ "role": grant.role().key(), "office": grant.office().as_str() })
}

/// The id and kind of the office with `code`, or [`StoreError::NotFound`].
async fn office_of(conn: &mut SqliteConnection, code: &OfficeCode) -> StoreResult<(i64, OfficeKind)> {
    let row = sqlx::query("SELECT id, kind FROM offices WHERE code = ?")
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("机构 {code}")))?;
    Ok((row.try_get("id")?, kind_from_key(&row.try_get::<String, _>("kind")?)?))
}

/// The grants of one user, widest role first.
async fn grants_of(conn: &mut SqliteConnection, user_id: i64) -> StoreResult<Vec<Grant>> {
    let rows = sqlx::query(
        "SELECT r.role, o.code, o.kind FROM user_roles r JOIN offices o ON o.id = r.office_id WHERE r.user_id = ?",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut grants = rows
        .iter()
        .map(|r| {
            grant_from_row(
                &r.try_get::<String, _>("role")?,
                &r.try_get::<String, _>("code")?,
                &r.try_get::<String, _>("kind")?,
            )
        })
        .collect::<StoreResult<Vec<_>>>()?;
    grants.sort();
    Ok(grants)
}

/// Inserts an attempt as it stands; returns its id.
async fn insert_attempt(conn: &mut SqliteConnection, attempt: &LoginAttempt) -> StoreResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "INSERT INTO login_attempts (username, remote_addr, at, succeeded) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(&attempt.username)
    .bind(&attempt.remote_addr)
    .bind(instant(attempt.at))
    .bind(attempt.succeeded)
    .fetch_one(&mut *conn)
    .await?)
}

/// The audit entry of a finished attempt.
async fn audit_attempt(
    conn: &mut SqliteConnection,
    attempt: &LoginAttempt,
    kind: GuessKind,
    actor: &Actor,
) -> StoreResult<()> {
    let name = &attempt.username;
    let (action, summary) = match (kind, attempt.succeeded) {
        (GuessKind::SignIn, true) => ("sign_in", format!("用户 {name} 登录成功")),
        (GuessKind::SignIn, false) => ("sign_in_failed", format!("以用户名“{name}”登录失败")),
        (GuessKind::CurrentPassword, true) => ("password_check", format!("用户 {name} 修改密码时原密码正确")),
        (GuessKind::CurrentPassword, false) => ("password_check_failed", format!("用户 {name} 修改密码时原密码错误")),
    };
    audit(
        conn,
        actor,
        AuditEntry { action, entity_type: "user", entity_id: Some(name), summary, before: None, after: None },
    )
    .await
}

/// An audit entry bound to an office (`audit_log.office_id`), for grants and tokens.
async fn audit_at_office(
    conn: &mut SqliteConnection,
    actor: &Actor,
    office: &OfficeCode,
    entry: AuditEntry<'_>,
) -> StoreResult<()> {
    super::write_audit(conn, actor, Some(office), entry).await
}

/// Inserts a grant and audits it; `false` if the user already holds it.
async fn insert_grant(
    conn: &mut SqliteConnection,
    user_id: i64,
    username: &str,
    grant: &Grant,
    actor: &Actor,
) -> StoreResult<bool> {
    let (office_id, kind) = office_of(conn, grant.office()).await?;
    // The grant was checked against the directory; the stored kind must agree (the trigger would refuse it too).
    if kind != grant.role().office_kind() {
        return Err(StoreError::Corrupt(format!("机构 {} 的类型与角色不符", grant.office())));
    }
    let inserted = sqlx::query(
        "INSERT INTO user_roles (user_id, role, office_id, granted_by) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, role, office_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(grant.role().key())
    .bind(office_id)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    audit_at_office(
        conn,
        actor,
        grant.office(),
        AuditEntry {
            action: "grant",
            entity_type: "user",
            entity_id: Some(username),
            summary: format!("授予用户 {username} 角色：{grant}"),
            before: None,
            after: Some(to_json(&grant_json(grant))?),
        },
    )
    .await?;
    Ok(true)
}

/// Ends the open sessions of a user except `except`, auditing them when there were any; returns how many.
async fn end_open_sessions(
    conn: &mut SqliteConnection,
    user_id: i64,
    username: &str,
    except: Option<i64>,
    reason: SessionEnd,
    at: DateTime<Utc>,
    actor: &Actor,
) -> StoreResult<u64> {
    let ended = sqlx::query(
        "UPDATE sessions SET ended_at = ?, end_reason = ?
         WHERE user_id = ? AND ended_at IS NULL AND (? IS NULL OR id <> ?)",
    )
    .bind(instant(at))
    .bind(reason.key())
    .bind(user_id)
    .bind(except)
    .bind(except)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if ended > 0 {
        audit(
            conn,
            actor,
            AuditEntry {
                action: "end",
                entity_type: "session",
                entity_id: None,
                summary: format!("结束用户 {username} 的 {ended} 个会话：{}", reason.name_zh()),
                before: None,
                after: Some(to_json(
                    &serde_json::json!({ "user": username, "ended": ended, "end_reason": reason.key() }),
                )?),
            },
        )
        .await?;
    }
    Ok(ended)
}

fn session_from_row(row: &SqliteRow, grants: Vec<Grant>) -> StoreResult<StoredSession> {
    Ok(StoredSession {
        id: row.try_get("id")?,
        principal: Principal {
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            grants,
        },
        user_disabled: row.try_get("disabled")?,
        csrf_token: row.try_get("csrf_token")?,
        created_at: parse_instant(&row.try_get::<String, _>("created_at")?, "created_at")?,
        last_seen_at: parse_instant(&row.try_get::<String, _>("last_seen_at")?, "last_seen_at")?,
        expires_at: parse_instant(&row.try_get::<String, _>("expires_at")?, "expires_at")?,
        remote_addr: row.try_get("remote_addr")?,
        user_agent: row.try_get("user_agent")?,
    })
}

impl SqliteStore {
    pub(super) async fn accounts_create_user(&self, user: &NewUser, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
            .bind(user.username.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::AlreadyExists(format!("用户名“{}”", user.username)));
        }
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(user.username.as_str())
        .bind(user.display_name.as_str())
        .bind(&user.password_hash)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: "create",
                entity_type: "user",
                entity_id: Some(user.username.as_str()),
                summary: format!(
                    "新建用户 {}（{}）：{}",
                    user.username,
                    user.display_name,
                    user.grants.iter().map(|g| g.to_string()).collect::<Vec<_>>().join("、")
                ),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "username": user.username.as_str(),
                    "display_name": user.display_name.as_str(),
                    "grants": user.grants.iter().map(grant_json).collect::<Vec<_>>(),
                }))?),
            },
        )
        .await?;
        for grant in &user.grants {
            insert_grant(&mut tx, user_id, user.username.as_str(), grant, actor).await?;
        }
        tx.commit().await?;
        Ok(user_id)
    }

    pub(super) async fn accounts_set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query("SELECT username, disabled FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let username: String = row.try_get("username")?;
        if row.try_get::<bool, _>("disabled")? == disabled {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET disabled = ? WHERE id = ?")
            .bind(disabled)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: if disabled { "disable" } else { "enable" },
                entity_type: "user",
                entity_id: Some(&username),
                summary: if disabled { format!("停用用户 {username}") } else { format!("启用用户 {username}") },
                before: Some(to_json(&serde_json::json!({ "disabled": !disabled }))?),
                after: Some(to_json(&serde_json::json!({ "disabled": disabled }))?),
            },
        )
        .await?;
        if disabled {
            end_open_sessions(&mut tx, user_id, &username, None, SessionEnd::Disabled, at, actor).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn accounts_set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<i64>,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<Option<u64>> {
        let mut tx = self.begin_write().await?;
        let Some(username) =
            sqlx::query_scalar::<_, String>("UPDATE users SET password_hash = ? WHERE id = ? RETURNING username")
                .bind(password_hash)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(None);
        };
        let own = actor.user_id == Some(user_id);
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: if own { "change_password" } else { "reset_password" },
                entity_type: "user",
                entity_id: Some(&username),
                summary: if own {
                    format!("用户 {username} 修改密码")
                } else {
                    format!("重置用户 {username} 的密码")
                },
                before: None,
                after: None,
            },
        )
        .await?;
        let ended =
            end_open_sessions(&mut tx, user_id, &username, keep_session, SessionEnd::PasswordChanged, at, actor)
                .await?;
        tx.commit().await?;
        Ok(Some(ended))
    }

    pub(super) async fn accounts_grant_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("用户 #{user_id}")))?;
        if !insert_grant(&mut tx, user_id, &username, grant, actor).await? {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn accounts_revoke_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let Some(username) = sqlx::query_scalar::<_, String>(
            "DELETE FROM user_roles WHERE user_id = ? AND role = ?
             AND office_id = (SELECT id FROM offices WHERE code = ?)
             RETURNING (SELECT username FROM users WHERE id = user_roles.user_id)",
        )
        .bind(user_id)
        .bind(grant.role().key())
        .bind(grant.office().as_str())
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        audit_at_office(
            &mut tx,
            actor,
            grant.office(),
            AuditEntry {
                action: "revoke",
                entity_type: "user",
                entity_id: Some(&username),
                summary: format!("撤销用户 {username} 的角色：{grant}"),
                before: Some(to_json(&grant_json(grant))?),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn accounts_find_user_for_login(&self, username: &str) -> StoreResult<Option<LoginUser>> {
        let mut conn = self.reader.acquire().await?;
        let Some(row) =
            sqlx::query("SELECT id, username, display_name, password_hash, disabled FROM users WHERE username = ?")
                .bind(username)
                .fetch_optional(&mut *conn)
                .await?
        else {
            return Ok(None);
        };
        let id: i64 = row.try_get("id")?;
        Ok(Some(LoginUser {
            id,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            password_hash: row.try_get("password_hash")?,
            disabled: row.try_get("disabled")?,
            grants: grants_of(&mut conn, id).await?,
        }))
    }

    pub(super) async fn accounts_record_login_attempt(&self, attempt: &LoginAttempt, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        insert_attempt(&mut tx, attempt).await?;
        audit_attempt(&mut tx, attempt, GuessKind::SignIn, actor).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn accounts_begin_login_attempt(&self, attempt: &LoginAttempt) -> StoreResult<i64> {
        let failure = LoginAttempt { succeeded: false, ..attempt.clone() };
        let mut tx = self.begin_write().await?;
        let id = insert_attempt(&mut tx, &failure).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn accounts_finish_login_attempt(
        &self,
        id: i64,
        attempt: &LoginAttempt,
        kind: GuessKind,
        alerts: &[Alert],
        actor: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE login_attempts SET succeeded = ? WHERE id = ?")
            .bind(attempt.succeeded)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !(attempt.succeeded && kind == GuessKind::CurrentPassword) {
            audit_attempt(&mut tx, attempt, kind, actor).await?;
        }
        for alert in alerts {
            let (entity_type, details) = match alert.scope {
                AlertScope::Account => ("user", serde_json::json!({ "username": alert.subject })),
                AlertScope::Address => ("address", serde_json::json!({ "remote_addr": alert.subject })),
            };
            let details = serde_json::json!({
                "subject": details,
                "failures": alert.failures,
                "window_minutes": alert.window.num_minutes(),
            });
            audit(
                &mut tx,
                actor,
                AuditEntry {
                    action: "sign_in_alert",
                    entity_type,
                    entity_id: Some(&alert.subject),
                    summary: alert.summary(),
                    before: None,
                    after: Some(to_json(&details)?),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn accounts_recent_login_attempts(
        &self,
        username: &str,
        remote_addr: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<LoginAttempt>> {
        // The latest of each kind, bounded (`MAX_ATTEMPTS_READ`); the union drops an attempt found by both.
        sqlx::query(
            "SELECT id, username, remote_addr, at, succeeded FROM (
                 SELECT * FROM (SELECT id, username, remote_addr, at, succeeded FROM login_attempts
                                WHERE username = ? AND at > ? ORDER BY at DESC, id DESC LIMIT ?)
                 UNION
                 SELECT * FROM (SELECT id, username, remote_addr, at, succeeded FROM login_attempts
                                WHERE remote_addr = ? AND at > ? ORDER BY at DESC, id DESC LIMIT ?)
             ) ORDER BY at, id",
        )
        .bind(username)
        .bind(instant(since))
        .bind(MAX_ATTEMPTS_READ)
        .bind(remote_addr)
        .bind(instant(since))
        .bind(MAX_ATTEMPTS_READ)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            Ok(LoginAttempt {
                username: r.try_get("username")?,
                remote_addr: r.try_get("remote_addr")?,
                at: parse_instant(&r.try_get::<String, _>("at")?, "login_attempts.at")?,
                succeeded: r.try_get("succeeded")?,
            })
        })
        .collect()
    }

    pub(super) async fn accounts_create_session(&self, session: &NewSessionRecord, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = ?")
            .bind(session.user_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("用户 #{}", session.user_id)))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at,
             remote_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&session.token_sha256)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(instant(session.created_at))
        .bind(instant(session.created_at))
        .bind(instant(session.expires_at))
        .bind(&session.remote_addr)
        .bind(&session.user_agent)
        .fetch_one(&mut *tx)
        .await?;
        let key = id.to_string();
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: "create",
                entity_type: "session",
                entity_id: Some(&key),
                summary: format!("用户 {username} 登录，新建会话 {id}"),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "user": username,
                    "expires_at": instant(session.expires_at),
                    "user_agent": session.user_agent,
                }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn accounts_session_by_token(&self, token_sha256: &str) -> StoreResult<Option<StoredSession>> {
        let mut conn = self.reader.acquire().await?;
        let Some(row) = sqlx::query(
            "SELECT s.id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.remote_addr,
             s.user_agent, u.username, u.display_name, u.disabled
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ? AND s.ended_at IS NULL",
        )
        .bind(token_sha256)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let grants = grants_of(&mut conn, row.try_get("user_id")?).await?;
        Ok(Some(session_from_row(&row, grants)?))
    }

    pub(super) async fn accounts_touch_session(&self, session_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        // One statement, atomic on its own; `last_seen_at < ?` keeps an older request from moving it backwards.
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL AND last_seen_at < ?")
            .bind(instant(at))
            .bind(session_id)
            .bind(instant(at))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    pub(super) async fn accounts_touch_api_token(&self, token_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(instant(at))
        .bind(token_id)
        .bind(instant(at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    pub(super) async fn accounts_end_session(
        &self,
        session_id: i64,
        reason: SessionEnd,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let Some(username) = sqlx::query_scalar::<_, String>(
            "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL
             RETURNING (SELECT username FROM users WHERE id = sessions.user_id)",
        )
        .bind(instant(at))
        .bind(reason.key())
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let key = session_id.to_string();
        audit(
            &mut tx,
            actor,
            AuditEntry {
                action: if reason == SessionEnd::SignedOut { "sign_out" } else { "end" },
                entity_type: "session",
                entity_id: Some(&key),
                summary: format!("结束用户 {username} 的会话 {session_id}：{}", reason.name_zh()),
                before: None,
                after: Some(to_json(&serde_json::json!({ "end_reason": reason.key() }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn accounts_end_sessions_of_user(
        &self,
        user_id: i64,
        except: Option<i64>,
        reason: SessionEnd,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let Some(username) = sqlx::query_scalar::<_, String>("SELECT username FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(0);
        };
        let ended = end_open_sessions(&mut tx, user_id, &username, except, reason, at, actor).await?;
        if ended > 0 {
            tx.commit().await?;
        }
        Ok(ended)
    }

    pub(super) async fn accounts_create_api_token(&self, token: &NewApiTokenRecord, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin_write().await?;
        let (office_id, kind) = office_of(&mut tx, token.grant.office()).await?;
        if kind != token.grant.role().office_kind() {
            return Err(StoreError::Corrupt(format!("机构 {} 的类型与角色不符", token.grant.office())));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM api_tokens WHERE token_sha256 = ?")
            .bind(&token.token_sha256)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::AlreadyExists("接口令牌".into()));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (name, token_prefix, token_sha256, role, office_id, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&token.name)
        .bind(&token.token_prefix)
        .bind(&token.token_sha256)
        .bind(token.grant.role().key())
        .bind(office_id)
        .bind(actor.user_id)
        .bind(instant(token.created_at))
        .fetch_one(&mut *tx)
        .await?;
        let key = id.to_string();
        audit_at_office(
            &mut tx,
            actor,
            token.grant.office(),
            AuditEntry {
                action: "create",
                entity_type: "api_token",
                entity_id: Some(&key),
                summary: format!("新建接口令牌“{}”（{}…）：{}", token.name, token.token_prefix, token.grant),
                before: None,
                after: Some(to_json(&serde_json::json!({
                    "name": token.name,
                    "prefix": token.token_prefix,
                    "grant": grant_json(&token.grant),
                }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn accounts_revoke_api_token(
        &self,
        token_id: i64,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL
             RETURNING name, token_prefix, (SELECT code FROM offices WHERE id = api_tokens.office_id) AS code",
        )
        .bind(instant(at))
        .bind(token_id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let name: String = row.try_get("name")?;
        let prefix: String = row.try_get("token_prefix")?;
        let code =
            OfficeCode::parse(&row.try_get::<String, _>("code")?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let key = token_id.to_string();
        audit_at_office(
            &mut tx,
            actor,
            &code,
            AuditEntry {
                action: "revoke",
                entity_type: "api_token",
                entity_id: Some(&key),
                summary: format!("吊销接口令牌“{name}”（{prefix}…）"),
                before: None,
                after: Some(to_json(&serde_json::json!({ "revoked_at": instant(at) }))?),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub(super) async fn accounts_api_token_by_hash(&self, token_sha256: &str) -> StoreResult<Option<StoredApiToken>> {
        let Some(row) = sqlx::query(
            "SELECT t.id, t.name, t.token_prefix, t.role, o.code, o.kind, t.created_by, t.created_at, t.last_used_at
             FROM api_tokens t JOIN offices o ON o.id = t.office_id
             WHERE t.token_sha256 = ? AND t.revoked_at IS NULL",
        )
        .bind(token_sha256)
        .fetch_optional(&self.reader)
        .await?
        else {
            return Ok(None);
        };
        let last_used: Option<String> = row.try_get("last_used_at")?;
        Ok(Some(StoredApiToken {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            token_prefix: row.try_get("token_prefix")?,
            grant: grant_from_row(
                &row.try_get::<String, _>("role")?,
                &row.try_get::<String, _>("code")?,
                &row.try_get::<String, _>("kind")?,
            )?,
            created_by: row.try_get("created_by")?,
            created_at: parse_instant(&row.try_get::<String, _>("created_at")?, "api_tokens.created_at")?,
            last_used_at: last_used.map(|t| parse_instant(&t, "api_tokens.last_used_at")).transpose()?,
        }))
    }

    pub(super) async fn accounts_list_api_tokens(&self) -> StoreResult<Vec<crate::store::ApiTokenSummary>> {
        sqlx::query(
            "SELECT t.id, t.name, t.token_prefix, t.role, o.code, o.kind, t.created_at, t.revoked_at, t.last_used_at
             FROM api_tokens t JOIN offices o ON o.id = t.office_id ORDER BY t.created_at DESC, t.id DESC",
        )
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            let revoked: Option<String> = row.try_get("revoked_at")?;
            let last_used: Option<String> = row.try_get("last_used_at")?;
            Ok(crate::store::ApiTokenSummary {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                token_prefix: row.try_get("token_prefix")?,
                grant: grant_from_row(
                    &row.try_get::<String, _>("role")?,
                    &row.try_get::<String, _>("code")?,
                    &row.try_get::<String, _>("kind")?,
                )?,
                created_at: parse_instant(&row.try_get::<String, _>("created_at")?, "api_tokens.created_at")?,
                revoked_at: revoked.map(|t| parse_instant(&t, "api_tokens.revoked_at")).transpose()?,
                last_used_at: last_used.map(|t| parse_instant(&t, "api_tokens.last_used_at")).transpose()?,
            })
        })
        .collect()
    }

    pub(super) async fn accounts_list_users(&self) -> StoreResult<Vec<UserSummary>> {
        let mut grants: BTreeMap<i64, Vec<Grant>> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT r.user_id, r.role, o.code, o.kind FROM user_roles r JOIN offices o ON o.id = r.office_id",
        )
        .fetch_all(&self.reader)
        .await?
        {
            let grant = grant_from_row(
                &r.try_get::<String, _>("role")?,
                &r.try_get::<String, _>("code")?,
                &r.try_get::<String, _>("kind")?,
            )?;
            grants.entry(r.try_get("user_id")?).or_default().push(grant);
        }
        sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.disabled, u.created_at,
             (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.ended_at IS NULL) AS open_sessions
             FROM users u ORDER BY u.username",
        )
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let mut user_grants = grants.remove(&id).unwrap_or_default();
            user_grants.sort();
            Ok(UserSummary {
                id,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                disabled: r.try_get("disabled")?,
                created_at: r.try_get("created_at")?,
                grants: user_grants,
                open_sessions: r.try_get("open_sessions")?,
            })
        })
        .collect()
    }

    pub(super) async fn accounts_search_audit(
        &self,
        filter: &crate::store::AuditFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<crate::store::AuditRow>, i64)> {
        let from = filter.from.map(instant);
        let until = filter.until.map(instant);
        let bind_filter = |q: sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'static>>| {
            q.bind(filter.actor.clone())
                .bind(filter.actor.clone())
                .bind(filter.office_code.clone())
                .bind(filter.office_code.clone())
                .bind(filter.entity_type.clone())
                .bind(filter.entity_type.clone())
                .bind(from.clone())
                .bind(from.clone())
                .bind(until.clone())
                .bind(until.clone())
        };
        let total: i64 = bind_filter(sqlx::query(
            "SELECT count(*) FROM audit_log a LEFT JOIN offices o ON o.id = a.office_id
             WHERE (? IS NULL OR a.actor = ?) AND (? IS NULL OR o.code = ?)
             AND (? IS NULL OR a.entity_type = ?) AND (? IS NULL OR a.at >= ?) AND (? IS NULL OR a.at < ?)",
        ))
        .fetch_one(&self.reader)
        .await?
        .try_get(0)?;
        let rows = bind_filter(sqlx::query(
            "SELECT a.id, a.at, a.actor, o.code AS office_code, a.remote_addr, a.action, a.entity_type, a.entity_id,
             a.summary, a.before, a.after
             FROM audit_log a LEFT JOIN offices o ON o.id = a.office_id
             WHERE (? IS NULL OR a.actor = ?) AND (? IS NULL OR o.code = ?)
             AND (? IS NULL OR a.entity_type = ?) AND (? IS NULL OR a.at >= ?) AND (? IS NULL OR a.at < ?)
             ORDER BY a.at DESC, a.id DESC LIMIT ? OFFSET ?",
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|r| {
            Ok(crate::store::AuditRow {
                id: r.try_get("id")?,
                at: parse_instant(&r.try_get::<String, _>("at")?, "audit_log.at")?,
                actor: r.try_get("actor")?,
                office_code: r.try_get("office_code")?,
                remote_addr: r.try_get("remote_addr")?,
                action: r.try_get("action")?,
                entity_type: r.try_get("entity_type")?,
                entity_id: r.try_get("entity_id")?,
                summary: r.try_get("summary")?,
                before: r.try_get("before")?,
                after: r.try_get("after")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        Ok((rows, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_stored_in_the_schemas_format_and_sort_as_text_in_time_order() {
        let at = DateTime::parse_from_rfc3339("2024-06-03T09:05:07.25+08:00").unwrap().with_timezone(&Utc);
        assert_eq!(instant(at), "2024-06-03T01:05:07.250Z");
        assert_eq!(parse_instant(&instant(at), "x").unwrap(), at);
        let later = at + chrono::Duration::milliseconds(800);
        assert!(instant(at) < instant(later));
        assert!(parse_instant("yesterday", "x").is_err());
    }

    #[test]
    fn a_stored_grant_of_the_wrong_kind_is_reported_as_corrupt() {
        assert!(grant_from_row("district_admin", "0200", "direct_customs").is_ok());
        assert!(matches!(grant_from_row("district_admin", "0201", "subordinate"), Err(StoreError::Corrupt(_))));
        assert!(matches!(grant_from_row("root", "0000", "headquarters"), Err(StoreError::Corrupt(_))));
    }
}
