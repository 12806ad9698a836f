//! Accounts: creating users, signing in and out, resolving the session of a request, changing passwords, and
//! issuing API tokens.
//!
//! Rules these use cases keep:
//! - a guess of a password (signing in, or the current password on a password change) first takes a place in the
//!   hashing queue ([`crate::auth::password::enter_queue`]): when it is full the guess is refused at once, and
//!   nothing is recorded;
//! - then the throttling rule ([`crate::auth::throttle`]) is applied **before** the password is verified, so a
//!   delayed guess costs the server no hashing and reveals nothing; guesses take turns from that check to
//!   recording the attempt (as a failure until verified), so the rule holds under a burst of parallel guesses too,
//!   while the hashing itself runs outside the turn;
//! - a failure that brings an account or an address to its alert threshold is audited as an alert with it;
//! - an unknown user and a wrong password give the same answer ([`SignInError::InvalidCredentials`]) after the
//!   same work: an unknown name is verified against a dummy hash;
//! - every sign-in makes a new session token (and CSRF token); a session carried by the request that signs in is
//!   ended, never reused;
//! - an expired session (idle or absolute) or one whose account was disabled resolves to nothing and is ended;
//! - a password change ends every other session of the account, in the same transaction;
//! - passwords are hashed and verified on the blocking pool ([`crate::auth::password`]).

use analytics::offices::{Directory, OfficeCode};
use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::password::{self, check_policy, PasswordError, PasswordPolicyError};
use crate::auth::session::{new_csrf_token, SessionPolicy};
use crate::auth::throttle::{self, Delay, GuessKind, LoginAttempt, ThrottlePolicy};
use crate::auth::tokens::{self, NewApiToken, RandomError, SessionToken};
use crate::auth::username::{DisplayNameError, UsernameError};
use crate::auth::{DisplayName, Grant, GrantError, Hierarchy, Principal, Role, Username};
use crate::store::{
    Actor, NewApiTokenRecord, NewSessionRecord, NewUser, SessionEnd, Store, StoreError, StoredApiToken,
};

/// Session lifetimes, cookie flags and the throttling rule, as configured for this deployment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthPolicy {
    pub session: SessionPolicy,
    pub throttle: ThrottlePolicy,
}

/// Why an account operation (other than signing in) was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Username(#[from] UsernameError),
    #[error(transparent)]
    DisplayName(#[from] DisplayNameError),
    #[error(transparent)]
    Policy(#[from] PasswordPolicyError),
    #[error(transparent)]
    Grant(#[from] GrantError),
    #[error("至少需要授予一个角色")]
    NoGrant,
    #[error("接口令牌名称不能为空，且不能超过50个字符")]
    TokenName,
    #[error("原密码错误")]
    WrongPassword,
    #[error("新密码不能与原密码相同")]
    SamePassword,
    #[error("用户不存在")]
    UnknownUser,
    #[error("不能移除账号的最后一个角色：请先授予新角色，或停用该账号")]
    LastGrant,
    #[error("不能移除自己的总署办公厅管理员角色，以免无人能够管理系统")]
    OwnAdminGrant,
    /// Too many wrong current passwords on the password change: the next guess must wait.
    #[error("原密码错误次数过多，请在{seconds}秒后再试")]
    Throttled { seconds: i64 },
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    /// HTTP status for this error: 400 for input to correct, 404 for an unknown user, 409 for a taken user name,
    /// 429 for a guess to wait for, 503 for a full hashing queue, 500 otherwise.
    pub fn status_code(&self) -> u16 {
        match self {
            AccountError::Username(_)
            | AccountError::DisplayName(_)
            | AccountError::Policy(_)
            | AccountError::Grant(_)
            | AccountError::NoGrant
            | AccountError::LastGrant
            | AccountError::OwnAdminGrant
            | AccountError::TokenName
            | AccountError::WrongPassword
            | AccountError::SamePassword => 400,
            AccountError::UnknownUser | AccountError::Store(StoreError::NotFound(_)) => 404,
            AccountError::Store(StoreError::AlreadyExists(_)) => 409,
            AccountError::Throttled { .. } => 429,
            AccountError::Password(PasswordError::Busy) => 503,
            AccountError::Password(_) | AccountError::Random(_) | AccountError::Store(_) => 500,
        }
    }
}

/// Why signing in failed. The messages are what the sign-in page shows; internal causes keep their detail in
/// `source()` for the log and show only a generic message.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user name or wrong password: deliberately the same answer.
    #[error("用户名或密码错误")]
    InvalidCredentials,
    /// Too many failures of this account from this address (and maybe elsewhere): the next guess must wait.
    #[error("登录失败次数过多，请在{seconds}秒后再试")]
    Throttled { seconds: i64 },
    /// The hashing queue is full: refused at once, without verifying anything.
    #[error("登录请求过多，请稍后再试")]
    Busy,
    /// The right password for a disabled account.
    #[error("该账户已停用，请联系系统管理员")]
    Disabled,
    #[error("登录暂时无法完成，请稍后再试")]
    Store(#[from] StoreError),
    #[error("登录暂时无法完成，请稍后再试")]
    Password(#[from] PasswordError),
    #[error("登录暂时无法完成，请稍后再试")]
    Random(#[from] RandomError),
}

impl SignInError {
    /// HTTP status: 401 wrong credentials, 429 throttled, 503 queue full, 403 disabled, 500 internal.
    pub fn status_code(&self) -> u16 {
        match self {
            SignInError::InvalidCredentials => 401,
            SignInError::Throttled { .. } => 429,
            SignInError::Busy => 503,
            SignInError::Disabled => 403,
            SignInError::Store(_) | SignInError::Password(_) | SignInError::Random(_) => 500,
        }
    }
}

/// What an administrator (or `gongkai user add`) fills in to create an account.
#[derive(Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grants: Vec<(Role, OfficeCode)>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("grants", &self.grants)
            .finish_non_exhaustive()
    }
}

/// Creates an account: checks the names and the password policy, binds each role to an office in force on
/// `today` (of the kind the role requires), hashes the password off the runtime and stores it all in one
/// transaction. Returns the new user's id.
pub async fn create_user(
    store: &dyn Store,
    account: NewAccount,
    today: NaiveDate,
    actor: &Actor,
) -> Result<i64, AccountError> {
    let username = Username::parse(&account.username)?;
    let display_name = DisplayName::parse(&account.display_name)?;
    check_policy(username.as_str(), &account.password)?;
    if account.grants.is_empty() {
        return Err(AccountError::NoGrant);
    }
    let directory = Directory::new(store.office_versions().await?);
    let hierarchy = Hierarchy::new(&directory, today);
    let mut grants = account
        .grants
        .iter()
        .map(|(role, office)| Grant::in_hierarchy(*role, office, &hierarchy))
        .collect::<Result<Vec<_>, _>>()?;
    grants.sort();
    grants.dedup();
    let password_hash = password::hash_password(account.password).await?;
    Ok(store.create_user(&NewUser { username, display_name, password_hash, grants }, actor).await?)
}

/// A sign-in request as the sign-in form and the request deliver it.
#[derive(Clone, Copy)]
pub struct SignInRequest<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub remote_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The session cookie the request already carried, if any: it is ended, so signing in always starts afresh.
    pub previous_token: Option<&'a str>,
}

impl std::fmt::Debug for SignInRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("username", &self.username)
            .field("remote_addr", &self.remote_addr)
            .finish_non_exhaustive()
    }
}

/// A session just started: the cookie value to send (once) and what the pages need.
#[derive(Clone)]
pub struct NewSession {
    /// The session token for the cookie ([`SessionPolicy::set_cookie`]); stored only as its digest.
    pub token: String,
    pub session_id: i64,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub principal: Principal,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("session_id", &self.session_id)
            .field("expires_at", &self.expires_at)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl NewSession {
    /// The `Set-Cookie` header value that hands the session to the browser.
    pub fn set_cookie(&self, policy: &SessionPolicy) -> String {
        policy.set_cookie(&self.token)
    }
}

/// Guesses in this process take turns from the throttling check to the recording of the attempt: otherwise a
/// burst of parallel guesses would all pass the check before the first is recorded. The turn covers two small
/// queries, not the hashing, so guesses still verify in parallel.
static GUESS_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A guess the throttling rule let through, recorded as a failure until [`Guess::finish`] says how it ended (an
/// internal error in between leaves it a failure, erring on the side of the delay).
struct Guess {
    id: i64,
    attempt: LoginAttempt,
    /// The attempts the rule read, for the alerts.
    recent: Vec<LoginAttempt>,
}

impl Guess {
    /// Applies the rule at `now` to a guess of `username` from `remote_addr`: the delay to wait, or the guess,
    /// recorded as a failure.
    async fn begin(
        store: &dyn Store,
        policy: &ThrottlePolicy,
        username: &str,
        remote_addr: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Result<Guess, Delay>, StoreError> {
        let _turn = GUESS_TURN.lock().await;
        let recent = store.recent_login_attempts(username, remote_addr, policy.load_since(now)).await?;
        if let Err(delay) = throttle::check(policy, &recent, username, remote_addr, now) {
            return Ok(Err(delay));
        }
        let attempt = LoginAttempt {
            username: username.to_string(),
            remote_addr: remote_addr.map(str::to_string),
            at: now,
            succeeded: false,
        };
        let id = store.begin_login_attempt(&attempt).await?;
        Ok(Ok(Guess { id, attempt, recent }))
    }

    /// Records how the guess ended, with the alerts a failure raised, and audits it.
    async fn finish(
        self,
        store: &dyn Store,
        policy: &ThrottlePolicy,
        succeeded: bool,
        kind: GuessKind,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let Guess { id, attempt, mut recent } = self;
        let attempt = LoginAttempt { succeeded, ..attempt };
        let alerts = if succeeded {
            Vec::new()
        } else {
            recent.push(attempt.clone());
            throttle::alerts(policy, &recent, &attempt.username, attempt.remote_addr.as_deref(), attempt.at)
        };
        store.finish_login_attempt(id, &attempt, kind, &alerts, actor).await
    }
}

/// Signs in with a user name and password at `now`. See the module rules: a place in the hashing queue, then the
/// throttling rule, the same answer for an unknown user and a wrong password, a fresh session every time.
pub async fn sign_in(
    store: &dyn Store,
    policy: &AuthPolicy,
    request: SignInRequest<'_>,
    now: DateTime<Utc>,
) -> Result<NewSession, SignInError> {
    let ticket = password::enter_queue().map_err(|_| SignInError::Busy)?;
    let attempted = Username::normalise_attempt(request.username);
    let guess = Guess::begin(store, &policy.throttle, &attempted, request.remote_addr, now)
        .await?
        .map_err(|delay| SignInError::Throttled { seconds: delay.seconds_left(now) })?;

    let user = match Username::parse(request.username) {
        Ok(name) => store.find_user_for_login(name.as_str()).await?,
        Err(_) => None,
    };
    let password = request.password.to_string();
    let verified = match user.as_ref().and_then(|u| u.password_hash.clone()) {
        Some(hash) => ticket.verify(password, hash).await?,
        None => ticket.verify_against_dummy(password).await?,
    };
    let user = match user {
        Some(user) if verified => user,
        _ => {
            let anonymous = Actor::anonymous(request.remote_addr);
            guess.finish(store, &policy.throttle, false, GuessKind::SignIn, &anonymous).await?;
            return Err(SignInError::InvalidCredentials);
        }
    };
    let actor = Actor::user(user.id, &user.username, request.remote_addr);
    if user.disabled {
        guess.finish(store, &policy.throttle, false, GuessKind::SignIn, &actor).await?;
        return Err(SignInError::Disabled);
    }

    if let Some(previous) = request.previous_token.filter(|t| tokens::is_well_formed_secret(t)) {
        if let Some(old) = store.session_by_token(&tokens::token_sha256(previous)).await? {
            store.end_session(old.id, SessionEnd::SignedOut, now, &actor).await?;
        }
    }
    guess.finish(store, &policy.throttle, true, GuessKind::SignIn, &actor).await?;
    let token = SessionToken::generate()?;
    let csrf_token = new_csrf_token()?;
    let expires_at = policy.session.expires_at(now);
    let session_id = store
        .create_session(
            &NewSessionRecord {
                token_sha256: token.sha256,
                user_id: user.id,
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at,
                remote_addr: request.remote_addr.map(str::to_string),
                user_agent: request.user_agent.map(|ua| ua.chars().take(512).collect()),
            },
            &actor,
        )
        .await?;
    Ok(NewSession { token: token.token, session_id, csrf_token, expires_at, principal: user.principal() })
}

/// The signed-in session of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSession {
    pub session_id: i64,
    pub principal: Principal,
    /// The token every state-changing request of this session must echo.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// The session named by the cookie value, if it is open and has not expired at `now`. An expired session (idle or
/// absolute) or one of a disabled account is ended and resolves to `None`, as does a malformed or unknown token.
/// Refreshes the session's last use at most once a minute.
pub async fn resolve_session(
    store: &dyn Store,
    policy: &SessionPolicy,
    cookie_token: &str,
    now: DateTime<Utc>,
) -> Result<Option<CurrentSession>, StoreError> {
    if !tokens::is_well_formed_secret(cookie_token) {
        return Ok(None);
    }
    let Some(session) = store.session_by_token(&tokens::token_sha256(cookie_token)).await? else {
        return Ok(None);
    };
    let ended = if session.user_disabled {
        Some(SessionEnd::Disabled)
    } else {
        policy.expiry(session.last_seen_at, session.expires_at, now).map(|_| SessionEnd::Expired)
    };
    if let Some(reason) = ended {
        store.end_session(session.id, reason, now, &Actor::system()).await?;
        return Ok(None);
    }
    if policy.needs_touch(session.last_seen_at, now) {
        store.touch_session(session.id, now).await?;
    }
    Ok(Some(CurrentSession {
        session_id: session.id,
        principal: session.principal,
        csrf_token: session.csrf_token,
        expires_at: session.expires_at,
    }))
}

/// Ends the session named by the cookie value; `false` if there was no open session.
pub async fn sign_out(
    store: &dyn Store,
    cookie_token: &str,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if !tokens::is_well_formed_secret(cookie_token) {
        return Ok(false);
    }
    let Some(session) = store.session_by_token(&tokens::token_sha256(cookie_token)).await? else {
        return Ok(false);
    };
    let actor = Actor::user(session.principal.user_id, &session.principal.username, remote_addr);
    store.end_session(session.id, SessionEnd::SignedOut, now, &actor).await
}

/// Changes the password of the signed-in user: the current password must be right and the new one must meet the
/// policy and differ from it. The current password is a guess like a sign-in's, throttled by the same rule (the
/// account being the signed-in user) before it is verified. Every other session of the account ends; this one
/// stays. Returns how many sessions ended.
pub async fn change_password(
    store: &dyn Store,
    throttle: &ThrottlePolicy,
    session: &CurrentSession,
    current_password: String,
    new_password: String,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, AccountError> {
    let principal = &session.principal;
    let user = store.find_user_for_login(&principal.username).await?.ok_or(AccountError::UnknownUser)?;
    let ticket = password::enter_queue()?;
    let guess = Guess::begin(store, throttle, &user.username, remote_addr, now)
        .await?
        .map_err(|delay| AccountError::Throttled { seconds: delay.seconds_left(now) })?;
    let verified = match user.password_hash.clone() {
        Some(hash) => ticket.verify(current_password.clone(), hash).await?,
        None => false,
    };
    let actor = Actor::user(user.id, &user.username, remote_addr);
    guess.finish(store, throttle, verified, GuessKind::CurrentPassword, &actor).await?;
    if !verified {
        return Err(AccountError::WrongPassword);
    }
    check_policy(&user.username, &new_password)?;
    if new_password == current_password {
        return Err(AccountError::SamePassword);
    }
    let hash = password::hash_password(new_password).await?;
    store.set_password(user.id, &hash, Some(session.session_id), now, &actor).await?.ok_or(AccountError::UnknownUser)
}

/// Issues an API token for a machine client, bound to one role at one office in force on `today`. The returned
/// token is the only copy of it: show it once.
pub async fn issue_api_token(
    store: &dyn Store,
    name: &str,
    role: Role,
    office: &OfficeCode,
    today: NaiveDate,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<(i64, NewApiToken), AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 50 || name.chars().any(char::is_control) {
        return Err(AccountError::TokenName);
    }
    let directory = Directory::new(store.office_versions().await?);
    let grant = Grant::in_hierarchy(role, office, &Hierarchy::new(&directory, today))?;
    let token = NewApiToken::generate()?;
    let id = store
        .create_api_token(
            &NewApiTokenRecord {
                name: name.to_string(),
                token_prefix: token.prefix.clone(),
                token_sha256: token.sha256.clone(),
                grant,
                created_at: now,
            },
            actor,
        )
        .await?;
    Ok((id, token))
}

/// The API token presented as `Authorization: Bearer gk_…`, if it is well formed, known and not revoked.
pub async fn resolve_api_token(store: &dyn Store, presented: &str) -> Result<Option<StoredApiToken>, StoreError> {
    let Some(digest) = tokens::api_token_lookup_digest(presented) else {
        return Ok(None);
    };
    let token = store.api_token_by_hash(&digest).await?;
    if let Some(token) = &token {
        // Bookkeeping for the tokens page, at most once a minute.
        let now = Utc::now();
        if token.last_used_at.is_none_or(|t| now - t >= chrono::Duration::minutes(1)) {
            store.touch_api_token(token.id, now).await?;
        }
    }
    Ok(token)
}

/// Resets the password of another account (an administrator's act): the new password must meet the policy;
/// every session of the account ends. Returns how many sessions ended.
pub async fn reset_password(
    store: &dyn Store,
    user_id: i64,
    new_password: String,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<u64, AccountError> {
    let user = store.list_users().await?.into_iter().find(|u| u.id == user_id).ok_or(AccountError::UnknownUser)?;
    check_policy(&user.username, &new_password)?;
    let hash = password::hash_password(new_password).await?;
    store.set_password(user_id, &hash, None, now, actor).await?.ok_or(AccountError::UnknownUser)
}

/// Whether a role is being granted or taken away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantChange {
    Add,
    Remove,
}

/// Grants a role at an office to an existing account (the office must be in force on `today` and of the kind the
/// role requires), or takes one away. An account keeps at least one role, and an administrator cannot take away
/// their own 总署办公厅管理员 role. Returns whether anything changed; the store audits the change.
pub async fn change_grant(
    store: &dyn Store,
    user_id: i64,
    change: GrantChange,
    (role, office): (Role, OfficeCode),
    today: NaiveDate,
    actor: &Actor,
) -> Result<bool, AccountError> {
    let user = store.list_users().await?.into_iter().find(|u| u.id == user_id).ok_or(AccountError::UnknownUser)?;
    match change {
        GrantChange::Add => {
            let directory = Directory::new(store.office_versions().await?);
            let grant = Grant::in_hierarchy(role, &office, &Hierarchy::new(&directory, today))?;
            Ok(store.grant_role(user_id, &grant, actor).await?)
        }
        GrantChange::Remove => {
            let Some(grant) = user.grants.iter().find(|g| g.role() == role && *g.office() == office).cloned() else {
                return Ok(false);
            };
            if user.grants.len() == 1 {
                return Err(AccountError::LastGrant);
            }
            if role == Role::HqAdmin && actor.user_id == Some(user_id) {
                return Err(AccountError::OwnAdminGrant);
            }
            Ok(store.revoke_role(user_id, &grant, actor).await?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::setup;

    const PASSWORD: &str = "Haiguan-Gongkai-2024";

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-03T01:00:00Z").unwrap().with_timezone(&Utc)
    }

    async fn store_with_admin() -> std::sync::Arc<dyn Store> {
        let store = crate::store::connect("sqlite::memory:").await.unwrap();
        setup::prepare(store.as_ref(), false).await.unwrap();
        let account = NewAccount {
            username: "tj.admin".into(),
            display_name: "天津海关办公室".into(),
            password: PASSWORD.into(),
            grants: vec![(Role::DistrictAdmin, OfficeCode::parse("0200").unwrap())],
        };
        create_user(store.as_ref(), account, t0().date_naive(), &Actor::cli()).await.unwrap();
        store
    }

    fn request<'a>(username: &'a str, password: &'a str) -> SignInRequest<'a> {
        SignInRequest { username, password, remote_addr: Some("192.0.2.1"), user_agent: None, previous_token: None }
    }

    #[tokio::test]
    async fn a_delayed_guess_is_refused_before_its_password_is_checked_and_only_from_the_failing_address() {
        let store = store_with_admin().await;
        let mut throttle = ThrottlePolicy::default();
        throttle.pair.free = 0;
        throttle.pair.first = chrono::Duration::seconds(10);
        let policy = AuthPolicy { throttle, ..AuthPolicy::default() };
        let error = sign_in(store.as_ref(), &policy, request("tj.admin", "Wrong-Password-1"), t0()).await.unwrap_err();
        assert!(matches!(error, SignInError::InvalidCredentials));
        let error = sign_in(store.as_ref(), &policy, request("tj.admin", PASSWORD), t0()).await.unwrap_err();
        assert_eq!(error.to_string(), "登录失败次数过多，请在10秒后再试");
        let mut elsewhere = request("tj.admin", PASSWORD);
        elsewhere.remote_addr = Some("198.51.100.7");
        sign_in(store.as_ref(), &policy, elsewhere, t0()).await.expect("another address is not delayed");
        let session =
            sign_in(store.as_ref(), &policy, request("tj.admin", PASSWORD), t0() + chrono::Duration::seconds(10))
                .await
                .unwrap();
        assert_eq!(session.principal.home_path(), "/offices/0200");
    }

    #[tokio::test]
    async fn a_new_session_neither_prints_nor_stores_its_token() {
        let store = store_with_admin().await;
        let session =
            sign_in(store.as_ref(), &AuthPolicy::default(), request("tj.admin", PASSWORD), t0()).await.unwrap();
        assert!(!format!("{session:?}").contains(&session.token));
        let stored = store.session_by_token(&tokens::token_sha256(&session.token)).await.unwrap().unwrap();
        assert_eq!(stored.id, session.session_id);
        assert!(store.session_by_token(&session.token).await.unwrap().is_none());
        let request = request("tj.admin", PASSWORD);
        assert!(!format!("{request:?}").contains(PASSWORD));
    }

    #[test]
    fn errors_say_what_to_do_in_chinese_and_carry_their_http_status() {
        assert_eq!(SignInError::InvalidCredentials.status_code(), 401);
        assert_eq!(SignInError::Throttled { seconds: 3 }.to_string(), "登录失败次数过多，请在3秒后再试");
        assert_eq!(SignInError::Throttled { seconds: 3 }.status_code(), 429);
        assert_eq!(SignInError::Busy.to_string(), "登录请求过多，请稍后再试");
        assert_eq!(SignInError::Busy.status_code(), 503);
        assert_eq!(AccountError::Throttled { seconds: 4 }.to_string(), "原密码错误次数过多，请在4秒后再试");
        assert_eq!(AccountError::Throttled { seconds: 4 }.status_code(), 429);
        assert_eq!(AccountError::Password(PasswordError::Busy).status_code(), 503);
        assert_eq!(SignInError::Disabled.status_code(), 403);
        let internal = SignInError::Store(StoreError::Corrupt("detail for the log".into()));
        assert_eq!(internal.to_string(), "登录暂时无法完成，请稍后再试", "internal details stay in the log");
        assert_eq!(internal.status_code(), 500);
        assert_eq!(AccountError::WrongPassword.status_code(), 400);
        assert_eq!(AccountError::Store(StoreError::AlreadyExists("用户名“x”".into())).status_code(), 409);
        assert_eq!(AccountError::Store(StoreError::AlreadyExists("用户名“x”".into())).to_string(), "用户名“x”已存在");
    }
}
