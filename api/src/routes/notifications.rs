//! `notifications`: the signed-in user's in-app notifications (own only;
//! another user's id answers 404).

use chrono::{DateTime, Utc};
use entities::models::notification;
use poem::web::Data;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use crate::{auth::BearerAuth, error::ApiResult, pagination::PageParams, routes::Tag, services::notifications, state::AppState};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Notification {
    id: Uuid,
    /// What it is about (e.g. the mail template name).
    kind: String,
    title: String,
    body: String,
    link: Option<String>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for Notification {
    fn from(n: notification::Model) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title.unwrap_or_default(),
            body: n.body.unwrap_or_default(),
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationPage {
    items: Vec<Notification>,
    next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UnreadCount {
    unread: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReadAll {
    /// Only notifications up to this one (inclusive, by creation order): mark
    /// what the user has seen, not what arrived since. Absent: all.
    up_to: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MarkedRead {
    /// How many notifications were unread and are now read.
    marked_read: u64,
}

#[derive(Default)]
pub struct NotificationsApi;

#[OpenApi(prefix_path = "/notifications", tag = "Tag::Notifications")]
impl NotificationsApi {
    /// 我的通知 The caller's notifications, newest first.
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only unread ones.
        unread: Query<Option<bool>>,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<NotificationPage>> {
        let page = PageParams::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = notifications::list(&state, &auth.0, unread.0.unwrap_or(false), page).await?;
        Ok(Json(NotificationPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// 未读数量 How many are unread.
    #[oai(path = "/unread-count", method = "get")]
    async fn unread_count(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<UnreadCount>> {
        Ok(Json(UnreadCount { unread: notifications::unread_count(&state, &auth.0).await? }))
    }

    /// 标记已读 Mark one read.
    #[oai(path = "/:id/read", method = "post")]
    async fn read(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Notification>> {
        Ok(Json(notifications::mark_read(&state, &auth.0, id.0).await?.into()))
    }

    /// 全部已读 Mark all read (send `{}`), or all up to one.
    #[oai(path = "/read-all", method = "post")]
    async fn read_all(&self, state: Data<&AppState>, auth: BearerAuth, body: Json<ReadAll>) -> ApiResult<Json<MarkedRead>> {
        Ok(Json(MarkedRead { marked_read: notifications::mark_all_read(&state, &auth.0, body.0.up_to).await? }))
    }
}
