//! Membership of an organisation in an alliance, with its history: a row per
//! stay, from `joined_on` (None: founding member, from registration) to
//! `left_on`. The role (initiator / member) is derived from the alliance.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "alliance_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alliance_id: Uuid,
    pub organization_id: Uuid,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub leave_reason: Option<String>,
    /// A join after registration still lacking its 附件1 form or charter
    /// signature (`crate::alliance::join`): not yet a member.
    pub pending: bool,
    pub created_at: DateTimeUtc,
}

impl Model {
    /// Member on `day` (a founding member counts from registration; a
    /// pending join not at all).
    #[must_use]
    pub fn is_member_on(&self, day: Date) -> bool {
        !self.pending && self.joined_on.is_none_or(|j| j <= day) && self.left_on.is_none_or(|l| l > day)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::organization::Entity", from = "Column::OrganizationId", to = "super::organization::Column::Id")]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
