//! Test mail: bureau_admin (or the CLI) queues a `test_message` to check the
//! mail settings end to end. It goes through the outbox like any other mail.

use entities::{models::user, values::Email};
use jobs::outbox::{self, OutgoingMail};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    state::AppState,
};

/// Queues a test message to `to` (default: the caller's own address). An
/// account with that address also gets the in-app notification.
///
/// # Errors
/// 422 `to_address` when no address is given and the caller has none.
pub async fn send_test(state: &AppState, caller: Option<&Caller>, to: Option<Email>) -> ApiResult<Uuid> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let me = match caller {
        Some(c) => user::Entity::find_by_id(c.user_id).one(&txn).await?,
        None => None,
    };
    let address = match (&to, me.as_ref().and_then(|u| u.email.clone())) {
        (Some(e), _) => e.as_str().to_string(),
        (None, Some(own)) => own,
        (None, None) => {
            return Err(ApiError::field("to_address", "请填写收件地址（当前账户没有电子邮箱）", "Give an address: your account has none"));
        }
    };
    let recipient = user::Entity::find().filter(user::Column::Email.eq(address.as_str())).one(&txn).await?;
    let mail = OutgoingMail {
        to_address: address.clone(),
        to_user_id: recipient.as_ref().map(|u| u.id),
        template: "test_message",
        vars: json!({
            "recipient_name": recipient.as_ref().map_or_else(|| address.clone(), |u| u.display_name.clone()),
            "sent_by": me.as_ref().map_or_else(|| "系统管理员（命令行）".to_string(), |u| u.display_name.clone()),
            "link": format!("{}/docs", state.settings.public_base_url.trim_end_matches('/')),
        }),
        dedupe_key: None,
    };
    let id = outbox::enqueue(&txn, mail, now).await?.ok_or_else(|| ApiError::internal(&"test message not queued"))?;
    audit::record(&txn, Actor(caller), now, Entry::new("outbox.test_queued", "outbox", id).after(&json!({ "to_address": address })))
        .await?;
    txn.commit().await?;
    Ok(id)
}
