//! One run of a job. A scheduled run is claimed by inserting its row: the
//! unique `(job_name, tick_at)` lets exactly one replica run each tick. Manual
//! runs (`jobs run`, `POST /jobs/{name}/run`) have no tick.

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Claimed and under way (or died: superseded by the next tick).
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "succeeded")]
    Succeeded,
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl Outcome {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Running => "运行中",
            Self::Succeeded => "成功",
            Self::Failed => "失败",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Fired by the runner at a cron tick.
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    /// Run once from the CLI or the API.
    #[sea_orm(string_value = "manual")]
    Manual,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    /// UUID v7.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub job_name: String,
    /// The scheduled fire time this run serves; `None` for manual runs.
    pub tick_at: Option<DateTimeUtc>,
    pub trigger: Trigger,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub outcome: Outcome,
    pub seen: i64,
    pub acted: i64,
    pub failed: i64,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
