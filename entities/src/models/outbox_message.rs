//! The mail outbox (DESIGN §8): a message is written in the same transaction
//! as the event that causes it, as a template name and its variables, and
//! delivered later by the `mail_delivery` job, which renders it and keeps the
//! rendered text with the row. Pending: `sent_at` and `dead_at` both empty.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// UUID v7; also the message's `Message-ID`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub to_address: String,
    pub to_user_id: Option<Uuid>,
    pub template: String,
    /// The rendered message: empty until delivery renders `vars` (or, for
    /// rows written before `vars` existed, rendered when queued).
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    /// The template's variables as JSON text.
    pub vars: Option<String>,
    /// "At most once, ever": a second message with the same key is never written.
    #[sea_orm(unique)]
    pub dedupe_key: Option<String>,
    pub created_at: DateTimeUtc,
    /// Delivery attempts made so far.
    pub attempts: i32,
    /// When the next attempt may start (also the claim lease while sending).
    pub next_attempt_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// Set after the last retry failed; shown to bureau_admin.
    pub dead_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    /// Queued in bulk: the row is also its recipient's in-app notification
    /// (listed with the `notifications` rows, worded from the message).
    pub in_app: bool,
    /// When the recipient read it as a notification (`in_app` rows only).
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
