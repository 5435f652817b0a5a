//! One recorded step of a development project (000 第十六条, 第二十条(五)(六)).

use sea_orm::entity::prelude::*;

use crate::resource::development::MilestoneKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "milestones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub kind: MilestoneKind,
    /// 1, 2, … in recording order per application.
    pub position: i32,
    pub held_on: Date,
    /// Attached document ids.
    pub documents: Json,
    /// [{name, expert_type, leader, main_writer}] (`resource::development::Person`).
    pub people: Json,
    /// Submission of a question bank: [{level, theory, practical}].
    pub item_counts: Json,
    /// Acceptance review: passed or not.
    pub passed: Option<bool>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// Comment period: the notice carrying it.
    pub notice_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
