//! `changes`: the integration feed, written by database triggers in the
//! transaction of each change (migration `m20261206_000100_changes_feed`);
//! `position` is given in commit order by the reader (`api::services::changes`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    /// Write order (a sequence; not commit order on PostgreSQL).
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The feed cursor: commit order, no gaps between batches, never reused.
    pub position: Option<i64>,
    /// `alliance`, `alliance_member`, `report`, `application`, `resource`, `notice`, `sanction`.
    pub entity: String,
    pub entity_id: String,
    /// `created`, `updated`, `deleted`.
    pub action: String,
    /// Part of `GET /public/changes`.
    pub public: bool,
    /// The entity's public state after the change (JSON text); none when deleted.
    pub state: Option<String>,
    /// The database's clock when the change was written.
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
