//! 公示: a public notice of proposed applications, 5 working days.

use sea_orm::entity::prelude::*;

use crate::resource::{NoticePurpose, NoticeStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub published_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// How the end was computed (working days counted, dates skipped), in Chinese.
    #[sea_orm(column_type = "Text")]
    pub explanation: String,
    pub status: NoticeStatus,
    /// 公示 or a comment period (征求意见).
    pub purpose: NoticePurpose,
    pub closed_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
