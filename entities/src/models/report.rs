//! 半年度报送: one alliance's report for one half-year (003 §二(七)).

use sea_orm::entity::prelude::*;

use crate::report::ReportStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alliance_id: Uuid,
    /// `2026H1` (`entities::report::Period`).
    pub period: String,
    pub status: ReportStatus,
    /// Due dates as computed at the last write (the live values come from the calendar).
    pub member_rows_due_on: Date,
    pub report_due_on: Date,
    /// Latest submission.
    pub submitted_at: Option<DateTimeUtc>,
    pub first_submitted_at: Option<DateTimeUtc>,
    /// Days late of the first submission (0 on time); None until submitted.
    pub late_days: Option<i32>,
    /// 年终工作总结 (H2).
    #[sea_orm(column_type = "Text", nullable)]
    pub summary_text: Option<String>,
    pub summary_doc_id: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
