//! 征集公告: a call for applications of one category (000 第十一条(一)).

use sea_orm::entity::prelude::*;

use crate::resource::Category;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub category: Category,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub document_id: Option<Uuid>,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

impl Model {
    /// Applications are accepted from `opens_at` until before `closes_at`.
    #[must_use]
    pub fn is_open(&self, now: DateTimeUtc) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
