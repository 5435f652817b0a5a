//! 职业培训联盟: one filing and, once registered, the alliance itself.

use sea_orm::entity::prelude::*;

use crate::alliance::AllianceStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "alliances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// 产业领域 (free text).
    pub industry: String,
    pub industry_code: Option<String>,
    pub initiator_org_id: Uuid,
    /// 承担主体.
    pub lead_org_id: Uuid,
    pub status: AllianceStatus,
    /// 备案编号 DGLM-YYYY-NNNN.
    #[sea_orm(unique)]
    pub registration_no: Option<String>,
    pub registered_on: Option<Date>,
    pub agreement_doc_id: Option<Uuid>,
    pub charter_doc_id: Option<Uuid>,
    /// Bumped whenever the charter document changes: older signatures stop counting.
    pub charter_version: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub report_text: Option<String>,
    pub report_doc_id: Option<Uuid>,
    pub licence_doc_id: Option<Uuid>,
    /// Codes of composition rules a registered alliance no longer meets.
    pub composition_warnings: Option<Json>,
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    pub version: i32,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub submitted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
