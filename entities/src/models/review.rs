//! An expert's scores for one application (integer points; weighted score in hundredths).

use sea_orm::entity::prelude::*;

use crate::resource::Recommendation;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    #[sea_orm(unique)]
    pub panel_member_id: Uuid,
    pub expert_id: Uuid,
    /// Category 3: the five criteria of 附件1 (0–100 each).
    pub industry_match: Option<i32>,
    pub wide_application: Option<i32>,
    pub content_fit: Option<i32>,
    pub flexible_mode: Option<i32>,
    pub social_benefit: Option<i32>,
    /// Weighted score (category 3) or the single score ×100, in hundredths of a point.
    pub score_hundredths: i32,
    pub recommendation: Option<Recommendation>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub submitted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::panel_member::Entity", from = "Column::PanelMemberId", to = "super::panel_member::Column::Id")]
    PanelMember,
}

impl Related<super::panel_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PanelMember.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
