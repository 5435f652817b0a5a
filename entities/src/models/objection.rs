//! 异议: filed by anyone during a notice; contact details are never public.

use sea_orm::entity::prelude::*;

use crate::resource::ObjectionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "objections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub notice_id: Uuid,
    pub application_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub argument: String,
    pub evidence_filename: Option<String>,
    pub evidence_content_type: Option<String>,
    pub evidence_sha256: Option<String>,
    /// SHA-256 of the client address (rate limiting without keeping the address).
    pub ip_hash: String,
    pub status: ObjectionStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub ruling: Option<String>,
    pub ruled_by: Option<Uuid>,
    pub ruled_at: Option<DateTimeUtc>,
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
