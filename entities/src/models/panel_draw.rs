//! One recorded random draw of experts for an application (auditable: seed and candidates).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "panel_draws")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    /// The SplitMix64 seed (`entities::resource::panel`), stored as its two's-complement i64.
    pub seed: i64,
    pub requested: i32,
    /// Eligible expert ids, sorted.
    pub candidates: Json,
    /// Drawn expert ids, in draw order.
    pub chosen: Json,
    pub drawn_by: Uuid,
    pub drawn_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
