//! A seat on an application's panel and the expert's conflict declaration.

use sea_orm::entity::prelude::*;

use crate::resource::PanelMemberStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "panel_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub expert_id: Uuid,
    pub draw_id: Uuid,
    pub status: PanelMemberStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub conflict_reason: Option<String>,
    pub declared_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::expert::Entity", from = "Column::ExpertId", to = "super::expert::Column::Id")]
    Expert,
    #[sea_orm(belongs_to = "super::application::Entity", from = "Column::ApplicationId", to = "super::application::Column::Id")]
    Application,
}

impl Related<super::expert::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Expert.def()
    }
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
