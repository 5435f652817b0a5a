//! The sent marker of `reassessment_due`: one row per (resource, due date,
//! stage), inserted in the transaction that queues the mail, so each stage is
//! announced once (DESIGN §8).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reassessment_reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resource_id: Uuid,
    pub due_on: Date,
    /// `d60` or `due` (`entities::resource::operation::ReminderStage`).
    pub stage: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
