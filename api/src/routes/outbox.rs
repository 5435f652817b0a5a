//! `outbox`: outgoing mail for bureau_admin — list by status (dead messages
//! are the ones to look at), put a dead one back in the queue, queue a test message.

use ::jobs::outbox::{self, Status};
use chrono::{DateTime, Utc};
use entities::{Role, models::outbox_message, values::Email};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{
    auth::BearerAuth,
    error::{ApiError, ApiResult},
    pagination::PageParams,
    routes::Tag,
    services::{jobs, mail},
    state::AppState,
    text::Str,
};

/// 邮件状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "MailStatus", rename_all = "snake_case")]
pub enum MailStatusDto {
    /// 待发送（含等待重试）
    Pending,
    /// 已发送
    Sent,
    /// 投递失败，已停止重试
    Dead,
}

impl From<MailStatusDto> for Status {
    fn from(s: MailStatusDto) -> Self {
        match s {
            MailStatusDto::Pending => Self::Pending,
            MailStatusDto::Sent => Self::Sent,
            MailStatusDto::Dead => Self::Dead,
        }
    }
}

/// An outgoing message (bodies left out).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OutboxMessage {
    id: Uuid,
    to_address: String,
    to_user_id: Option<Uuid>,
    template: String,
    subject: String,
    status: MailStatusDto,
    created_at: DateTime<Utc>,
    attempts: i32,
    /// When the next attempt may start (pending messages).
    next_attempt_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    dead_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
}

impl From<outbox_message::Model> for OutboxMessage {
    fn from(m: outbox_message::Model) -> Self {
        let status = match outbox::status(&m) {
            Status::Pending => MailStatusDto::Pending,
            Status::Sent => MailStatusDto::Sent,
            Status::Dead => MailStatusDto::Dead,
        };
        // Queued as variables and not yet sent: worded now, as it will be sent.
        let subject = outbox::content(&m).map(|r| r.subject).unwrap_or_default();
        Self {
            id: m.id,
            to_address: m.to_address,
            to_user_id: m.to_user_id,
            template: m.template,
            subject,
            status,
            created_at: m.created_at,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
            dead_at: m.dead_at,
            last_error: m.last_error,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OutboxPage {
    items: Vec<OutboxMessage>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TestMailRequest {
    /// Recipient; default: the caller's own address.
    to_address: Option<Str>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Queued {
    id: Uuid,
}

#[derive(ApiResponse)]
pub enum QueuedResponse {
    /// Queued; the `mail_delivery` job sends it.
    #[oai(status = 202)]
    Accepted(Json<Queued>),
}

#[derive(Default)]
pub struct OutboxApi;

#[OpenApi(prefix_path = "/outbox", tag = "Tag::Jobs")]
impl OutboxApi {
    /// 邮件队列 Outgoing mail, oldest first; `status=dead` lists undeliverable mail (bureau_admin).
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<MailStatusDto>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<OutboxPage>> {
        auth.0.require(&[Role::BureauAdmin])?;
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = jobs::outbox(&state, status.0.map(Into::into), page).await?;
        Ok(Json(OutboxPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 重新发送 Put a dead message back in the queue (bureau_admin).
    #[oai(path = "/:id/retry", method = "post")]
    async fn retry(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<OutboxMessage>> {
        auth.0.require(&[Role::BureauAdmin])?;
        Ok(Json(jobs::retry(&state, &auth.0, id.0).await?.into()))
    }

    /// 发送测试邮件 Queue a test message to check the mail settings (bureau_admin).
    #[oai(path = "/test", method = "post")]
    async fn test(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<TestMailRequest>) -> ApiResult<QueuedResponse> {
        auth.0.require(&[Role::BureauAdmin])?;
        let to = match body.0.to_address.as_deref() {
            Some(raw) => Some(Email::parse("to_address", raw).map_err(|e| ApiError::validation([e]))?),
            None => None,
        };
        let id = mail::send_test(&state, Some(&auth.0), to).await?;
        Ok(QueuedResponse::Accepted(Json(Queued { id })))
    }
}
