//! One review round of a filing: submitted, then returned (with reasons per
//! item) or registered. The history of rounds is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "alliance_rounds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alliance_id: Uuid,
    pub round: i32,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: Uuid,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    /// `returned` or `registered`.
    pub outcome: Option<crate::enums::RoundOutcome>,
    /// `[{item, reason}]` when returned.
    pub reasons: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
