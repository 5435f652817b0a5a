//! A payment (经费拨付, 000 第二十三条) computed when a project is published:
//! quantity × the unit amount of the fee schedule version in force on the
//! publication date, which it states.

use sea_orm::entity::prelude::*;

use crate::resource::{
    Category, ResourceKind,
    funding::{FeeItem, PaymentStatus},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub application_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub organization_id: Uuid,
    pub category: Category,
    pub kind: ResourceKind,
    pub fee_item: FeeItem,
    pub quantity: i64,
    /// Integer yuan per unit, copied from the schedule version.
    pub unit_amount: i64,
    /// Integer yuan.
    pub amount: i64,
    pub fee_schedule_id: Uuid,
    pub schedule_version: i32,
    pub published_on: Date,
    /// Year of `published_on`: the budget year totals are kept by.
    pub year: i32,
    pub status: PaymentStatus,
    pub disbursed_at: Option<DateTimeUtc>,
    pub disbursed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
