//! 职业培训联盟成员单位登记表 (003 附件1), one per member and alliance.

use sea_orm::entity::prelude::*;

use crate::alliance::StaffCounts;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "member_forms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alliance_id: Uuid,
    pub organization_id: Uuid,
    pub address: String,
    pub postcode: String,
    pub email: String,
    pub legal_representative: String,
    pub contact_person: String,
    pub office_phone: String,
    pub mobile: String,
    pub fax: Option<String>,
    pub total_staff: i64,
    pub management: i64,
    pub title_senior: i64,
    pub title_intermediate: i64,
    pub title_junior: i64,
    pub skill_senior_technician: i64,
    pub skill_technician: i64,
    pub skill_senior_worker: i64,
    pub skill_intermediate_worker: i64,
    pub skill_junior_worker: i64,
    pub skill_special: i64,
    pub general_workers: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub profile: Option<String>,
    pub filled_by: Uuid,
    /// Filled by the initiator on the member's behalf.
    pub filled_by_initiator: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    #[must_use]
    pub fn counts(&self) -> StaffCounts {
        StaffCounts {
            total_staff: self.total_staff,
            management: self.management,
            title_senior: self.title_senior,
            title_intermediate: self.title_intermediate,
            title_junior: self.title_junior,
            skill_senior_technician: self.skill_senior_technician,
            skill_technician: self.skill_technician,
            skill_senior_worker: self.skill_senior_worker,
            skill_intermediate_worker: self.skill_intermediate_worker,
            skill_junior_worker: self.skill_junior_worker,
            skill_special: self.skill_special,
            general_workers: self.general_workers,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
