//! An assessment of a published resource by the bureau (000 第二十一条):
//! keep, update required or withdraw, and the next due date it set.

use sea_orm::entity::prelude::*;

use crate::resource::operation::AssessmentOutcome;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resource_id: Uuid,
    pub outcome: AssessmentOutcome,
    pub assessed_on: Date,
    /// The due date the assessment answered.
    pub previous_due: Date,
    /// The next assessment due it set (unchanged by a withdrawal).
    pub next_due: Date,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub assessed_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
