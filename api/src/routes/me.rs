//! `me`: the signed-in account.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::ApiResult,
    pagination::{parse_cursor, parse_limit},
    routes::{Tag, auth::NoContent, users::User},
    services::{accounts, tasks},
    state::AppState,
    text::Str,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChangePassword {
    current_password: Str,
    new_password: Str,
}

/// One thing the signed-in user must do next (我的待办).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TaskItem {
    /// `member_form`, `charter_signature`, `filing_returned`, `filing_draft`,
    /// `report_rows`, `report_submit`, `join_pending`, `filing_review`, `report_review`,
    /// `application_draft`, `project_development` (for these two `alliance_id` / `alliance_name` are the application's id and title).
    pub kind: String,
    /// What to do, in Chinese.
    pub kind_label: String,
    pub alliance_id: Uuid,
    pub alliance_name: String,
    /// The half-year (`2026H1`) of report tasks.
    pub period: Option<String>,
    /// The member unit concerned (forms, signatures, rows).
    pub organization_id: Option<Uuid>,
    pub due_on: Option<NaiveDate>,
    /// How the due date was reached (days after the period, moved past non-working days).
    pub due_explained: Option<String>,
    /// The due date has passed.
    pub overdue: bool,
    /// Waiting since (bureau queues: the submission).
    pub since: Option<DateTime<Utc>>,
    /// Return reasons, rows still missing, days late.
    pub details: Vec<String>,
    /// The web page where it is done.
    pub page: String,
    /// The API resource it concerns.
    pub api: String,
}

/// A page of tasks.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TaskPage {
    pub items: Vec<TaskItem>,
    pub total: u64,
    pub next_cursor: Option<String>,
}

impl TaskItem {
    pub fn new(t: tasks::Task, today: NaiveDate) -> Self {
        Self {
            kind: t.kind.code().into(),
            kind_label: t.kind.label_zh().into(),
            page: t.page(),
            api: t.api(),
            alliance_id: t.alliance_id,
            alliance_name: t.alliance_name,
            period: t.period.map(|p| p.code()),
            organization_id: t.organization_id,
            overdue: t.due_on.is_some_and(|d| d < today),
            due_on: t.due_on,
            due_explained: t.due_explained,
            since: t.since,
            details: t.details,
        }
    }
}

fn decode_offset(c: &str) -> Option<usize> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?.strip_prefix("o:")?.parse().ok()
}

#[derive(Default)]
pub struct MeApi;

#[OpenApi(tag = "Tag::Me")]
impl MeApi {
    /// 当前用户 The signed-in user.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<User>> {
        Ok(Json(accounts::get(&state, auth.0.user_id).await?.into()))
    }

    /// 我的待办 What the signed-in user must do next.
    ///
    /// Forms to fill and charters to sign, returned filings with their
    /// reasons, half-year rows owed and reports to submit (with the due date
    /// explained), for bureau roles the filings and reports awaiting review.
    /// Nearest due date first; derived from the current state, so a cursor
    /// is a position in the list as it is now.
    #[oai(path = "/me/tasks", method = "get")]
    async fn tasks(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<TaskPage>> {
        let limit = usize::try_from(parse_limit(limit.0)?).unwrap_or(usize::MAX);
        let from = parse_cursor(cursor.0.as_deref(), decode_offset)?.unwrap_or(0);
        let all = tasks::for_caller(&state, &auth.0).await?;
        let total = all.len() as u64;
        let today = state.clock.today();
        let next_cursor = (from + limit < all.len()).then(|| URL_SAFE_NO_PAD.encode(format!("o:{}", from + limit)));
        let items = all.into_iter().skip(from).take(limit).map(|t| TaskItem::new(t, today)).collect();
        Ok(Json(TaskPage { items, total, next_cursor }))
    }

    /// 修改密码 Change the own password.
    #[oai(path = "/me/password", method = "post")]
    async fn change_password(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ChangePassword>) -> ApiResult<NoContent> {
        accounts::change_password(&state, &auth.0, &body.current_password, &body.new_password).await?;
        Ok(NoContent::Done)
    }
}
