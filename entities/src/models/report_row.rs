//! One member unit's row of a report: its line of 附件2 (基本情况表) and of
//! 附件3 (工作进展情况表).

use sea_orm::entity::prelude::*;

use crate::{
    OrgKind,
    alliance::StaffCounts,
    report::{ProgressCounts, RowCounts},
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "report_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub organization_id: Uuid,
    /// The organisation's kind when the row was written: the category it is
    /// printed and subtotalled under.
    pub org_kind: OrgKind,
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
    pub trainees: i64,
    pub new_occupations: i64,
    pub special_abilities: i64,
    pub members_joined: i64,
    pub trained_senior_technician: i64,
    pub trained_technician: i64,
    pub trained_senior_worker: i64,
    pub trained_intermediate_worker: i64,
    pub trained_junior_worker: i64,
    pub trained_special: i64,
    pub trained_general_workers: i64,
    pub filled_by: Uuid,
    /// Filled by the initiator for a late member.
    pub filled_by_initiator: bool,
    /// The member confirmed its previous values ("no change").
    pub confirmed_no_change: bool,
    /// The period the values were copied from, for "no change".
    pub copied_from: Option<String>,
    /// 附件2 confirmed ("与上期相同") but 附件3 not yet entered: the row does
    /// not count as filled (`entities::report::confirm`).
    pub progress_pending: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    #[must_use]
    pub fn counts(&self) -> RowCounts {
        RowCounts {
            basic: StaffCounts {
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
            },
            progress: ProgressCounts {
                trainees: self.trainees,
                new_occupations: self.new_occupations,
                special_abilities: self.special_abilities,
                members_joined: self.members_joined,
                trained_senior_technician: self.trained_senior_technician,
                trained_technician: self.trained_technician,
                trained_senior_worker: self.trained_senior_worker,
                trained_intermediate_worker: self.trained_intermediate_worker,
                trained_junior_worker: self.trained_junior_worker,
                trained_special: self.trained_special,
                trained_general_workers: self.trained_general_workers,
            },
        }
    }

    /// Sets every count of `m` from `c`.
    pub fn set_counts(m: &mut ActiveModel, c: &RowCounts) {
        use sea_orm::Set;
        let (b, p) = (&c.basic, &c.progress);
        m.total_staff = Set(b.total_staff);
        m.management = Set(b.management);
        m.title_senior = Set(b.title_senior);
        m.title_intermediate = Set(b.title_intermediate);
        m.title_junior = Set(b.title_junior);
        m.skill_senior_technician = Set(b.skill_senior_technician);
        m.skill_technician = Set(b.skill_technician);
        m.skill_senior_worker = Set(b.skill_senior_worker);
        m.skill_intermediate_worker = Set(b.skill_intermediate_worker);
        m.skill_junior_worker = Set(b.skill_junior_worker);
        m.skill_special = Set(b.skill_special);
        m.general_workers = Set(b.general_workers);
        m.trainees = Set(p.trainees);
        m.new_occupations = Set(p.new_occupations);
        m.special_abilities = Set(p.special_abilities);
        m.members_joined = Set(p.members_joined);
        m.trained_senior_technician = Set(p.trained_senior_technician);
        m.trained_technician = Set(p.trained_technician);
        m.trained_senior_worker = Set(p.trained_senior_worker);
        m.trained_intermediate_worker = Set(p.trained_intermediate_worker);
        m.trained_junior_worker = Set(p.trained_junior_worker);
        m.trained_special = Set(p.trained_special);
        m.trained_general_workers = Set(p.trained_general_workers);
    }
}

/// The count columns, in 附件2 then 附件3 order (for SQL sums).
pub const COUNT_COLUMNS: [Column; 23] = [
    Column::TotalStaff,
    Column::Management,
    Column::TitleSenior,
    Column::TitleIntermediate,
    Column::TitleJunior,
    Column::SkillSeniorTechnician,
    Column::SkillTechnician,
    Column::SkillSeniorWorker,
    Column::SkillIntermediateWorker,
    Column::SkillJuniorWorker,
    Column::SkillSpecial,
    Column::GeneralWorkers,
    Column::Trainees,
    Column::NewOccupations,
    Column::SpecialAbilities,
    Column::MembersJoined,
    Column::TrainedSeniorTechnician,
    Column::TrainedTechnician,
    Column::TrainedSeniorWorker,
    Column::TrainedIntermediateWorker,
    Column::TrainedJuniorWorker,
    Column::TrainedSpecial,
    Column::TrainedGeneralWorkers,
];

/// Counts in [`COUNT_COLUMNS`] order back into a [`RowCounts`].
#[must_use]
pub fn counts_from_values(v: &[i64; 23]) -> RowCounts {
    RowCounts {
        basic: StaffCounts {
            total_staff: v[0],
            management: v[1],
            title_senior: v[2],
            title_intermediate: v[3],
            title_junior: v[4],
            skill_senior_technician: v[5],
            skill_technician: v[6],
            skill_senior_worker: v[7],
            skill_intermediate_worker: v[8],
            skill_junior_worker: v[9],
            skill_special: v[10],
            general_workers: v[11],
        },
        progress: ProgressCounts {
            trainees: v[12],
            new_occupations: v[13],
            special_abilities: v[14],
            members_joined: v[15],
            trained_senior_technician: v[16],
            trained_technician: v[17],
            trained_senior_worker: v[18],
            trained_intermediate_worker: v[19],
            trained_junior_worker: v[20],
            trained_special: v[21],
            trained_general_workers: v[22],
        },
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
