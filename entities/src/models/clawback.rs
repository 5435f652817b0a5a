//! A claw-back (追回已发放的资金, 000 第二十二条 第二款) of one payment after
//! its certification was revoked for fraud.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "clawbacks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub payment_id: Uuid,
    pub sanction_id: Uuid,
    pub organization_id: Uuid,
    /// Integer yuan to recover: what was disbursed (0 when it never was).
    pub amount: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
