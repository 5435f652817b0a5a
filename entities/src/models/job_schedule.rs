//! The schedule of one scheduled job: its cron expression (6 fields, seconds
//! first, evaluated in Asia/Shanghai) and whether it runs. Defaults live in
//! code (`jobs::registry`), the configuration overrides them, and every start
//! writes the result here so replicas and `GET /jobs` agree on one schedule.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "job_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub cron: String,
    pub enabled: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
