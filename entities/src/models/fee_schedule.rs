//! One version of the fee schedule (附件2, 000 第二十三条): integer yuan per
//! unit for each line, in force from `effective_from`.

use sea_orm::entity::prelude::*;

use crate::resource::funding::FeeAmounts;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "fee_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub version: i32,
    pub effective_from: Date,
    pub printed_textbook: i64,
    pub e_textbook: i64,
    pub certified_course: i64,
    pub online_course: i64,
    pub evaluation_specification: i64,
    pub theory_question_bank_level: i64,
    pub integrated_case_course: i64,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// None for the version seeded by migration.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

impl Model {
    #[must_use]
    pub fn amounts(&self) -> FeeAmounts {
        FeeAmounts {
            printed_textbook: self.printed_textbook,
            e_textbook: self.e_textbook,
            certified_course: self.certified_course,
            online_course: self.online_course,
            evaluation_specification: self.evaluation_specification,
            theory_question_bank_level: self.theory_question_bank_level,
            integrated_case_course: self.integrated_case_course,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
