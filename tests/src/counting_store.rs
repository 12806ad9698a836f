//! A [`Store`] that records the name of every method called on it, in order, and passes the call on: for tests that
//! check two paths do the same work (issue 13: an unknown return and one outside the caller's scope).
//!
//! One method per method of the trait: a new method of [`Store`] needs its line here.

use std::sync::{Arc, Mutex};

use analytics::catalog::Catalog;
use analytics::offices::{OfficeCode, OfficeVersion};
use app::auth::throttle::LoginAttempt;
use app::auth::Grant;
use app::store::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The calls made through a [`CountingStore`], shared with the test.
pub type Calls = Arc<Mutex<Vec<&'static str>>>;

/// Records every call, then makes it on `inner`.
pub struct CountingStore {
    pub inner: Arc<dyn Store>,
    pub calls: Calls,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> (Self, Calls) {
        let calls = Calls::default();
        (CountingStore { inner, calls: calls.clone() }, calls)
    }

    fn note(&self, method: &'static str) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(method);
        }
    }
}

#[async_trait]
impl Store for CountingStore {
    async fn migrate(&self) -> StoreResult<()> {
        self.note("migrate");
        self.inner.migrate().await
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.note("setting");
        self.inner.setting(key).await
    }

    async fn set_setting(&self, key: &str, value: &str, actor: &Actor) -> StoreResult<()> {
        self.note("set_setting");
        self.inner.set_setting(key, value, actor).await
    }

    async fn install_catalog(
        &self,
        catalog: &Catalog,
        source_sha256: &str,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        self.note("install_catalog");
        self.inner.install_catalog(catalog, source_sha256, actor).await
    }

    async fn catalog(&self, code: &str) -> StoreResult<Option<Catalog>> {
        self.note("catalog");
        self.inner.catalog(code).await
    }

    async fn standard_catalog(&self) -> StoreResult<Option<Catalog>> {
        self.note("standard_catalog");
        self.inner.standard_catalog().await
    }

    async fn catalog_versions(&self) -> StoreResult<Vec<CatalogVersionSummary>> {
        self.note("catalog_versions");
        self.inner.catalog_versions().await
    }

    async fn office_versions(&self) -> StoreResult<Vec<OfficeVersion>> {
        self.note("office_versions");
        self.inner.office_versions().await
    }

    async fn office_directory(&self) -> StoreResult<std::sync::Arc<analytics::offices::Directory>> {
        self.note("office_directory");
        self.inner.office_directory().await
    }

    async fn office_generation(&self) -> StoreResult<i64> {
        self.note("office_generation");
        self.inner.office_generation().await
    }

    async fn has_sample_offices(&self) -> StoreResult<bool> {
        self.note("has_sample_offices");
        self.inner.has_sample_offices().await
    }

    async fn apply_office_import(&self, import: &OfficeImport, actor: &Actor) -> StoreResult<OfficeImportOutcome> {
        self.note("apply_office_import");
        self.inner.apply_office_import(import, actor).await
    }

    async fn create_user(&self, user: &NewUser, actor: &Actor) -> StoreResult<i64> {
        self.note("create_user");
        self.inner.create_user(user, actor).await
    }

    async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.note("set_user_disabled");
        self.inner.set_user_disabled(user_id, disabled, at, actor).await
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<i64>,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<Option<u64>> {
        self.note("set_password");
        self.inner.set_password(user_id, password_hash, keep_session, at, actor).await
    }

    async fn grant_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool> {
        self.note("grant_role");
        self.inner.grant_role(user_id, grant, actor).await
    }

    async fn revoke_role(&self, user_id: i64, grant: &Grant, actor: &Actor) -> StoreResult<bool> {
        self.note("revoke_role");
        self.inner.revoke_role(user_id, grant, actor).await
    }

    async fn find_user_for_login(&self, username: &str) -> StoreResult<Option<LoginUser>> {
        self.note("find_user_for_login");
        self.inner.find_user_for_login(username).await
    }

    async fn record_login_attempt(&self, attempt: &LoginAttempt, actor: &Actor) -> StoreResult<()> {
        self.note("record_login_attempt");
        self.inner.record_login_attempt(attempt, actor).await
    }

    async fn begin_login_attempt(&self, attempt: &LoginAttempt) -> StoreResult<i64> {
        self.note("begin_login_attempt");
        self.inner.begin_login_attempt(attempt).await
    }

    async fn finish_login_attempt(
        &self,
        id: i64,
        attempt: &LoginAttempt,
        kind: app::auth::throttle::GuessKind,
        alerts: &[app::auth::throttle::Alert],
        actor: &Actor,
    ) -> StoreResult<()> {
        self.note("finish_login_attempt");
        self.inner.finish_login_attempt(id, attempt, kind, alerts, actor).await
    }

    async fn recent_login_attempts(
        &self,
        username: &str,
        remote_addr: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<LoginAttempt>> {
        self.note("recent_login_attempts");
        self.inner.recent_login_attempts(username, remote_addr, since).await
    }

    async fn create_session(&self, session: &NewSessionRecord, actor: &Actor) -> StoreResult<i64> {
        self.note("create_session");
        self.inner.create_session(session, actor).await
    }

    async fn session_by_token(&self, token_sha256: &str) -> StoreResult<Option<StoredSession>> {
        self.note("session_by_token");
        self.inner.session_by_token(token_sha256).await
    }

    async fn touch_session(&self, session_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        self.note("touch_session");
        self.inner.touch_session(session_id, at).await
    }

    async fn touch_api_token(&self, token_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        self.note("touch_api_token");
        self.inner.touch_api_token(token_id, at).await
    }

    async fn end_session(
        &self,
        session_id: i64,
        reason: SessionEnd,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.note("end_session");
        self.inner.end_session(session_id, reason, at, actor).await
    }

    async fn end_sessions_of_user(
        &self,
        user_id: i64,
        except: Option<i64>,
        reason: SessionEnd,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<u64> {
        self.note("end_sessions_of_user");
        self.inner.end_sessions_of_user(user_id, except, reason, at, actor).await
    }

    async fn create_api_token(&self, token: &NewApiTokenRecord, actor: &Actor) -> StoreResult<i64> {
        self.note("create_api_token");
        self.inner.create_api_token(token, actor).await
    }

    async fn revoke_api_token(&self, token_id: i64, at: DateTime<Utc>, actor: &Actor) -> StoreResult<bool> {
        self.note("revoke_api_token");
        self.inner.revoke_api_token(token_id, at, actor).await
    }

    async fn api_token_by_hash(&self, token_sha256: &str) -> StoreResult<Option<StoredApiToken>> {
        self.note("api_token_by_hash");
        self.inner.api_token_by_hash(token_sha256).await
    }

    async fn list_users(&self) -> StoreResult<Vec<UserSummary>> {
        self.note("list_users");
        self.inner.list_users().await
    }

    async fn list_api_tokens(&self) -> StoreResult<Vec<ApiTokenSummary>> {
        self.note("list_api_tokens");
        self.inner.list_api_tokens().await
    }

    async fn create_return_draft(&self, draft: &NewReturnDraft, actor: &Actor) -> StoreResult<DraftOutcome> {
        self.note("create_return_draft");
        self.inner.create_return_draft(draft, actor).await
    }

    async fn create_and_submit_return(
        &self,
        draft: &NewReturnDraft,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<(DraftOutcome, Option<SubmitOutcome>)> {
        self.note("create_and_submit_return");
        self.inner.create_and_submit_return(draft, at, actor).await
    }

    async fn return_record(&self, id: i64) -> StoreResult<Option<ReturnRecord>> {
        self.note("return_record");
        self.inner.return_record(id).await
    }

    async fn return_summary(&self, id: i64) -> StoreResult<Option<ReturnSummary>> {
        self.note("return_summary");
        self.inner.return_summary(id).await
    }

    async fn submit_return(&self, id: i64, at: DateTime<Utc>, actor: &Actor) -> StoreResult<SubmitOutcome> {
        self.note("submit_return");
        self.inner.submit_return(id, at, actor).await
    }

    async fn discard_return_draft(&self, id: i64, actor: &Actor) -> StoreResult<bool> {
        self.note("discard_return_draft");
        self.inner.discard_return_draft(id, actor).await
    }

    async fn list_returns(&self, filter: &ReturnFilter) -> StoreResult<Vec<ReturnSummary>> {
        self.note("list_returns");
        self.inner.list_returns(filter).await
    }

    async fn decide_return(
        &self,
        id: i64,
        decision: Decision,
        comment: &str,
        reasons: &[ReturnReason],
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> StoreResult<bool> {
        self.note("decide_return");
        self.inner.decide_return(id, decision, comment, reasons, at, actor).await
    }

    async fn accepted_snapshots(
        &self,
        office: Option<&OfficeCode>,
    ) -> StoreResult<Vec<analytics::returns::ReturnSnapshot>> {
        self.note("accepted_snapshots");
        self.inner.accepted_snapshots(office).await
    }

    async fn record_rollout(&self, record: &RolloutRecord, actor: &Actor) -> StoreResult<i64> {
        self.note("record_rollout");
        self.inner.record_rollout(record, actor).await
    }

    async fn district_inputs(&self) -> StoreResult<Vec<analytics::rollout::DistrictInput>> {
        self.note("district_inputs");
        self.inner.district_inputs().await
    }

    async fn install_scheme(
        &self,
        scheme: &analytics::assessment::Scheme,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        self.note("install_scheme");
        self.inner.install_scheme(scheme, actor).await
    }

    async fn schemes(&self) -> StoreResult<Vec<analytics::assessment::Scheme>> {
        self.note("schemes");
        self.inner.schemes().await
    }

    async fn scheme_records(&self) -> StoreResult<Vec<SchemeRecord>> {
        self.note("scheme_records");
        self.inner.scheme_records().await
    }

    async fn import_calendar_year(
        &self,
        arrangement: &analytics::calendar::YearArrangement,
        actor: &Actor,
    ) -> StoreResult<CatalogInstall> {
        self.note("import_calendar_year");
        self.inner.import_calendar_year(arrangement, actor).await
    }

    async fn rollout_generation(&self) -> StoreResult<i64> {
        self.note("rollout_generation");
        self.inner.rollout_generation().await
    }

    async fn calendar_years(&self) -> StoreResult<Vec<CalendarYearRecord>> {
        self.note("calendar_years");
        self.inner.calendar_years().await
    }

    async fn return_file(&self, id: i64) -> StoreResult<Option<(String, Vec<u8>)>> {
        self.note("return_file");
        self.inner.return_file(id).await
    }

    async fn audit_count(&self) -> StoreResult<i64> {
        self.note("audit_count");
        self.inner.audit_count().await
    }

    async fn search_audit(&self, filter: &AuditFilter, limit: i64, offset: i64) -> StoreResult<(Vec<AuditRow>, i64)> {
        self.note("search_audit");
        self.inner.search_audit(filter, limit, offset).await
    }

    fn instance(&self) -> u64 {
        self.inner.instance()
    }

    async fn close(&self) {
        self.inner.close().await
    }
}
