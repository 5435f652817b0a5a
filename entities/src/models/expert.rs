//! 专家库: an expert of the pool; `user_id` is the account the expert signs in with.

use sea_orm::entity::prelude::*;

use crate::resource::ExpertType;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "experts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub user_id: Option<Uuid>,
    pub name: String,
    pub specialty: String,
    pub title: String,
    /// The expert's organisation when it is registered here (excluded from its applications).
    pub organization_id: Option<Uuid>,
    pub organization_name: String,
    pub expert_type: ExpertType,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
