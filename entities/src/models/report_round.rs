//! One review round of a report: submitted, then returned (with reasons) or
//! accepted. The history of rounds is kept.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "report_rounds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub round: i32,
    pub submitted_at: DateTimeUtc,
    pub submitted_by: Uuid,
    /// Days after the report's due date this round was submitted (0 on time).
    pub days_after_due: i32,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    /// `returned` or `accepted`.
    pub outcome: Option<crate::enums::RoundOutcome>,
    /// `[{item, reason}]` when returned.
    pub reasons: Option<Json>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
