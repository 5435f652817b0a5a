//! In-app notifications (DESIGN §8): every email also creates one for its
//! recipient account; some events notify without email.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    /// UUID v7: ordered by creation time, the paging cursor.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// What it is about, e.g. the mail template name or `alliance_composition`.
    pub kind: String,
    /// Empty for a mail's notification (`outbox_id` set): worded from the
    /// message when read.
    pub title: Option<String>,
    pub body: Option<String>,
    /// Absolute or API-relative link to the object concerned.
    pub link: Option<String>,
    /// The mail this notification accompanies.
    pub outbox_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
