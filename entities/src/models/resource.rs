//! A published skill resource: the catalogue (000 第十一条(四), 第二十一条).

use sea_orm::entity::prelude::*;

use crate::resource::{Category, ResourceKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub application_id: Uuid,
    pub number: String,
    pub category: Category,
    pub kind: ResourceKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub levels: Json,
    pub publisher_org_id: Uuid,
    pub publisher_name: String,
    pub published_on: Date,
    pub last_assessed_on: Option<Date>,
    pub next_assessment_due: Date,
    /// The governing policy (seed 000) at publication: items decided under it stay bound by it (第二十六条).
    pub policy_document_id: Option<Uuid>,
    pub policy_title: String,
    pub policy_valid_until: Option<Date>,
    /// Revoked for fraud (000 第二十二条): gone from the public catalogue.
    pub revoked_on: Option<Date>,
    /// Withdrawn by an assessment (000 第二十一条): gone from the public catalogue.
    pub withdrawn_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
