//! The last 备案编号 issued per year; incremented inside the registering
//! transaction, so numbers are consecutive and never skipped or doubled.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_counters")]
pub struct Model {
    /// e.g. `DGLM-2026`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub series: String,
    pub last_number: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
