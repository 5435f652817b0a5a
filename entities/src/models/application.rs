//! 申报: one application for certification or a development project.

use sea_orm::entity::prelude::*;

use crate::resource::{ApplicationStatus, Category, ResourceKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// DGJN-YYYY-NNNN, issued at submission.
    #[sea_orm(unique)]
    pub number: Option<String>,
    pub call_id: Uuid,
    pub organization_id: Uuid,
    pub category: Category,
    pub resource_kind: ResourceKind,
    /// National occupation catalogue code, e.g. 6-30-99-00.
    pub occupation_code: String,
    pub occupation_name: String,
    /// Levels as codes, e.g. ["senior_worker", "technician"].
    pub levels: Json,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Attached document ids.
    pub document_ids: Json,
    pub trainees_last_3_years: Option<i64>,
    pub ip_declared: bool,
    /// [{name, credit_code, usage_report_document_id}]
    pub enterprises: Json,
    /// [{name, role, qualification}]
    pub team: Json,
    /// {name, title_level, skill_level}
    pub leader: Option<Json>,
    pub funding_source: Option<String>,
    pub status: ApplicationStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    /// Category 1: the upward report batch.
    pub batch_id: Option<Uuid>,
    pub version: i32,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::organization::Entity", from = "Column::OrganizationId", to = "super::organization::Column::Id")]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
