//! Sanctions (000 第二十二条): a recorded violation; fraud bans the
//! organisation's credit code for 5 years from the confirmation date.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sanctions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// Checked on every submission: the ban follows the code, not the row.
    pub credit_code: String,
    /// `agreement_breach`, `fraud_development`, `fraud_certification`.
    pub kind: String,
    pub confirmed_on: Date,
    /// First day the organisation may apply again (the ban is `confirmed_on..ban_until`); None: no ban.
    pub ban_until: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub application_id: Option<Uuid>,
    /// When `ban_expiry` recorded that the ban ended (the organisation was told).
    pub ban_ended_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
