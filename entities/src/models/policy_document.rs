//! Policy documents with their validity windows; each filing type names the
//! one that governs it (DESIGN §4, §6).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "policy_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// 文号 or registration number, e.g. DGSRLZYHSHBZJ-2019-024.
    pub number: String,
    pub issuer: String,
    pub effective_from: Date,
    pub valid_until: Option<Date>,
    /// The filing type it governs: `alliance_filing`, `skill_resource`, or none.
    pub governs: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
