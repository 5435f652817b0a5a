//! 项目开发工作协议: signed by the 市人力资源服务中心 and the developer after
//! 立项 (000 第十四条(四), 第二十条(四)); due 6–12 months later (第十七条).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "development_agreements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub application_id: Uuid,
    pub organization_id: Uuid,
    pub signed_on: Date,
    pub due_on: Date,
    /// [{kind, quantity, description}] (`resource::development::Deliverable`).
    pub deliverables: Json,
    /// Total agreed quantity (levels of a question bank, else items): what the payment counts.
    pub quantity: i64,
    pub document_id: Option<Uuid>,
    /// When the project reached publication or ingestion (the overdue job stops then).
    pub completed_at: Option<DateTimeUtc>,
    /// The last overdue stage told (`agreement_overdue`): the sent marker.
    pub overdue_stage: Option<i32>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::application::Entity", from = "Column::ApplicationId", to = "super::application::Column::Id")]
    Application,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
