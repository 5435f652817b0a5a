//! What submission checks (DESIGN §6): each failure a stable code and a
//! Chinese message, all answered at once.
//!
//! - every category: the call is open (000 第十一条(一)), no 5-year ban (000 第二十二条);
//!   categories 2–5: the occupation is not under an access-type national qualification (000 第四条);
//! - categories 3–5: registered in Dongguan with independent legal-person status (000 第十条(一), 十三条(一), 十九条(一));
//! - category 3: IP declaration (000 第十条(二)), more than 300 trainee person-times in the last 3 years and at least
//!   5 above-scale enterprises using it, each with a usage report (附件1 应用广泛, 内容适用);
//! - category 4: an expert team and funding (000 第十三条(二)(三));
//! - category 5: a 高等院校 (`higher_education`), vocational college or technical school; a leader with a 副高 title or higher or
//!   高级技师 or higher; a 技师 + 教师 + 工程师 team; funding (000 第十九条).

use crate::enums::OrgKind;

use super::{Category, SkillLevel, TeamRole, TitleLevel};

/// 附件1 应用广泛: "近3年内使用该资源培训超300人次" — more than 300.
pub const MIN_TRAINEES_EXCLUSIVE: i64 = 300;
/// 附件1 内容适用: "至少5家规模以上企业使用并提供使用报告".
pub const MIN_ENTERPRISES: usize = 5;

/// An enterprise using the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseFacts {
    pub name: String,
    pub has_usage_report: bool,
}

/// The project leader of a 技研项目.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaderFacts {
    pub title: TitleLevel,
    pub skill: SkillLevel,
}

#[derive(Debug, Clone)]
pub struct EligibilityFacts {
    pub category: Category,
    pub call_open: bool,
    pub registered_in_dongguan: bool,
    pub independent_legal_person: bool,
    pub applicant_kind: OrgKind,
    /// The organisation record says it is a 高等院校 (issue 16 item 3).
    pub applicant_higher_education: bool,
    pub applicant_banned: bool,
    pub occupation_is_access_type: bool,
    pub ip_declared: bool,
    /// Trainee person-times in the last 3 years (None: not given).
    pub trainees_last_3_years: Option<i64>,
    pub enterprises: Vec<EnterpriseFacts>,
    pub leader: Option<LeaderFacts>,
    pub team_roles: Vec<TeamRole>,
    pub has_funding: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EligibilityProblem {
    CallNotOpen,
    NotRegisteredInDongguan,
    NotIndependentLegalPerson,
    OccupationAccessType,
    ApplicantBanned,
    IpDeclarationMissing,
    TraineesBelow300 { given: i64 },
    FewerThan5Enterprises { given: usize },
    UsageReportMissing { names: Vec<String> },
    ApplicantKindNotAllowed { kind: OrgKind },
    LeaderNotQualified,
    TeamRolesMissing { missing: Vec<&'static str> },
    ExpertTeamMissing,
    FundingMissing,
}

impl EligibilityProblem {
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::CallNotOpen => "call_not_open",
            Self::NotRegisteredInDongguan => "not_registered_in_dongguan",
            Self::NotIndependentLegalPerson => "not_independent_legal_person",
            Self::OccupationAccessType => "occupation_access_type",
            Self::ApplicantBanned => "applicant_banned",
            Self::IpDeclarationMissing => "ip_declaration_missing",
            Self::TraineesBelow300 { .. } => "trainees_below_300",
            Self::FewerThan5Enterprises { .. } => "fewer_than_5_enterprises",
            Self::UsageReportMissing { .. } => "usage_report_missing",
            Self::ApplicantKindNotAllowed { .. } => "applicant_kind_not_allowed",
            Self::LeaderNotQualified => "leader_not_qualified",
            Self::TeamRolesMissing { .. } => "team_roles_missing",
            Self::ExpertTeamMissing => "expert_team_missing",
            Self::FundingMissing => "funding_missing",
        }
    }

    #[must_use]
    pub fn zh(&self) -> String {
        match self {
            Self::CallNotOpen => "征集公告不在申报期内，不能提交申报".into(),
            Self::NotRegisteredInDongguan => "申报单位须在我市依法注册登记（第十条）".into(),
            Self::NotIndependentLegalPerson => "申报单位须具有独立法人资格（第十条）".into(),
            Self::OccupationAccessType => "该职业（工种）已纳入准入类国家职业资格，不适用本细则（第四条）".into(),
            Self::ApplicantBanned => "申报单位因弄虚作假被限制申报，限制期内不得参与技能资源开发或认定（第二十二条）".into(),
            Self::IpDeclarationMissing => "须提交知识产权清晰的声明（第十条）".into(),
            Self::TraineesBelow300 { given } => format!("近3年内使用该资源培训须超过300人次（填报{given}人次）"),
            Self::FewerThan5Enterprises { given } => format!("须至少5家规模以上企业使用（填报{given}家）"),
            Self::UsageReportMissing { names } => format!("以下企业未提供使用报告：{}", names.join("、")),
            Self::ApplicantKindNotAllowed { kind } => {
                format!("“技能+科研”项目的申报单位须为高等院校、职业院校或技工院校（当前为{}）", kind.label_zh())
            }
            Self::LeaderNotQualified => "项目负责人须具备副高以上职称或高级技师以上技能等级（第十九条）".into(),
            Self::TeamRolesMissing { missing } => format!("开发团队须包括技师、教师和工程师，缺少：{}", missing.join("、")),
            Self::ExpertTeamMissing => "须具有与开发评价资源相适应的专家队伍（第十三条）".into(),
            Self::FundingMissing => "须说明经费来源（有经费支持）".into(),
        }
    }

    #[must_use]
    pub fn en(&self) -> String {
        match self {
            Self::CallNotOpen => "The call is not open for applications".into(),
            Self::NotRegisteredInDongguan => "The applicant must be registered in Dongguan".into(),
            Self::NotIndependentLegalPerson => "The applicant must be an independent legal person".into(),
            Self::OccupationAccessType => "The occupation is under an access-type national qualification".into(),
            Self::ApplicantBanned => "The applicant is under a ban".into(),
            Self::IpDeclarationMissing => "The IP declaration is missing".into(),
            Self::TraineesBelow300 { given } => format!("More than 300 trainee person-times in 3 years are required ({given} given)"),
            Self::FewerThan5Enterprises { given } => format!("At least 5 enterprises must use it ({given} given)"),
            Self::UsageReportMissing { names } => format!("Usage reports missing: {}", names.join(", ")),
            Self::ApplicantKindNotAllowed { kind } => format!("Applicant kind {kind:?} may not apply in this category"),
            Self::LeaderNotQualified => "The leader needs a deputy-senior title or higher, or senior technician or higher".into(),
            Self::TeamRolesMissing { missing } => format!("Team roles missing: {}", missing.join(", ")),
            Self::ExpertTeamMissing => "An expert team is required".into(),
            Self::FundingMissing => "A funding source is required".into(),
        }
    }

    /// The request field the problem is about.
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            Self::CallNotOpen => "call_id",
            Self::NotRegisteredInDongguan
            | Self::NotIndependentLegalPerson
            | Self::ApplicantBanned
            | Self::ApplicantKindNotAllowed { .. } => "organization",
            Self::OccupationAccessType => "occupation_code",
            Self::IpDeclarationMissing => "ip_declared",
            Self::TraineesBelow300 { .. } => "trainees_last_3_years",
            Self::FewerThan5Enterprises { .. } | Self::UsageReportMissing { .. } => "enterprises",
            Self::LeaderNotQualified => "leader",
            Self::TeamRolesMissing { .. } | Self::ExpertTeamMissing => "team",
            Self::FundingMissing => "funding_source",
        }
    }
}

/// Kinds allowed for a 技研项目 whatever else the record says (000 第十九条(一): 职业院校、技工院校).
pub const SKILL_RESEARCH_APPLICANTS: [OrgKind; 2] = [OrgKind::VocationalCollege, OrgKind::TechnicalSchool];

/// Whether an organisation may apply for a 技研项目: 000 第十九条(一)
/// "高等院校、职业院校、技工院校". A 高等院校 is recorded as a mark on the
/// organisation (`higher_education`), not as an eighth kind, because the
/// reports keep the seven categories of 003 附件2/附件3; its kind is
/// 职业院校 or 其他 ([`OrgKind::may_be_higher_education`]).
#[must_use]
pub fn may_apply_for_skill_research(kind: OrgKind, higher_education: bool) -> bool {
    SKILL_RESEARCH_APPLICANTS.contains(&kind) || (higher_education && kind.may_be_higher_education())
}

/// 000 第十九条(二): 副高以上职称 or 高级技师以上.
#[must_use]
pub fn leader_qualified(l: LeaderFacts) -> bool {
    l.title >= TitleLevel::DeputySenior || l.skill >= SkillLevel::SeniorTechnician
}

/// Every reason the application cannot be submitted (empty: it can).
#[must_use]
pub fn check_eligibility(f: &EligibilityFacts) -> Vec<EligibilityProblem> {
    use EligibilityProblem as P;
    let mut out = Vec::new();
    let c = f.category;
    if !f.call_open {
        out.push(P::CallNotOpen);
    }
    if matches!(c, Category::TrainingResource | Category::EvaluationResource | Category::SkillResearch) {
        if !f.registered_in_dongguan {
            out.push(P::NotRegisteredInDongguan);
        }
        if !f.independent_legal_person {
            out.push(P::NotIndependentLegalPerson);
        }
    }
    if c != Category::NewOccupation && f.occupation_is_access_type {
        out.push(P::OccupationAccessType);
    }
    if f.applicant_banned {
        out.push(P::ApplicantBanned);
    }
    match c {
        Category::TrainingResource => {
            if !f.ip_declared {
                out.push(P::IpDeclarationMissing);
            }
            let trainees = f.trainees_last_3_years.unwrap_or(0);
            if trainees <= MIN_TRAINEES_EXCLUSIVE {
                out.push(P::TraineesBelow300 { given: trainees });
            }
            if f.enterprises.len() < MIN_ENTERPRISES {
                out.push(P::FewerThan5Enterprises { given: f.enterprises.len() });
            }
            let without: Vec<String> = f.enterprises.iter().filter(|e| !e.has_usage_report).map(|e| e.name.clone()).collect();
            if !without.is_empty() {
                out.push(P::UsageReportMissing { names: without });
            }
        }
        Category::EvaluationResource => {
            if f.team_roles.is_empty() {
                out.push(P::ExpertTeamMissing);
            }
            if !f.has_funding {
                out.push(P::FundingMissing);
            }
        }
        Category::SkillResearch => {
            if !may_apply_for_skill_research(f.applicant_kind, f.applicant_higher_education) {
                out.push(P::ApplicantKindNotAllowed { kind: f.applicant_kind });
            }
            if !f.leader.is_some_and(leader_qualified) {
                out.push(P::LeaderNotQualified);
            }
            let missing: Vec<&'static str> = [(TeamRole::Technician, "技师"), (TeamRole::Teacher, "教师"), (TeamRole::Engineer, "工程师")]
                .into_iter()
                .filter(|(r, _)| !f.team_roles.contains(r))
                .map(|(_, label)| label)
                .collect();
            if !missing.is_empty() {
                out.push(P::TeamRolesMissing { missing });
            }
            if !f.has_funding {
                out.push(P::FundingMissing);
            }
        }
        Category::NewOccupation | Category::StandardUpgrade => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enterprises(n: usize) -> Vec<EnterpriseFacts> {
        (0..n).map(|i| EnterpriseFacts { name: format!("企业{i}"), has_usage_report: true }).collect()
    }

    fn eligible(category: Category) -> EligibilityFacts {
        EligibilityFacts {
            category,
            call_open: true,
            registered_in_dongguan: true,
            independent_legal_person: true,
            applicant_kind: OrgKind::TechnicalSchool,
            applicant_higher_education: false,
            applicant_banned: false,
            occupation_is_access_type: false,
            ip_declared: true,
            trainees_last_3_years: Some(301),
            enterprises: enterprises(5),
            leader: Some(LeaderFacts { title: TitleLevel::DeputySenior, skill: SkillLevel::None }),
            team_roles: vec![TeamRole::Technician, TeamRole::Teacher, TeamRole::Engineer],
            has_funding: true,
        }
    }

    fn codes(f: &EligibilityFacts) -> Vec<&'static str> {
        check_eligibility(f).iter().map(EligibilityProblem::code).collect()
    }

    #[test]
    fn complete_applications_pass_in_every_category() {
        for c in Category::ALL {
            assert!(codes(&eligible(c)).is_empty(), "{c:?}");
        }
    }

    #[test]
    fn each_code_on_its_own() {
        let t = Category::TrainingResource;
        type Case = (Category, fn(&mut EligibilityFacts), &'static str);
        let cases: Vec<Case> = vec![
            (t, |f| f.call_open = false, "call_not_open"),
            (t, |f| f.registered_in_dongguan = false, "not_registered_in_dongguan"),
            (t, |f| f.independent_legal_person = false, "not_independent_legal_person"),
            (t, |f| f.occupation_is_access_type = true, "occupation_access_type"),
            (t, |f| f.applicant_banned = true, "applicant_banned"),
            (t, |f| f.ip_declared = false, "ip_declaration_missing"),
            (t, |f| f.trainees_last_3_years = Some(300), "trainees_below_300"),
            (t, |f| f.trainees_last_3_years = None, "trainees_below_300"),
            (t, |f| f.enterprises = enterprises(4), "fewer_than_5_enterprises"),
            (t, |f| f.enterprises[2].has_usage_report = false, "usage_report_missing"),
            (Category::SkillResearch, |f| f.applicant_kind = OrgKind::Enterprise, "applicant_kind_not_allowed"),
            (
                Category::SkillResearch,
                |f| f.leader = Some(LeaderFacts { title: TitleLevel::Intermediate, skill: SkillLevel::Technician }),
                "leader_not_qualified",
            ),
            (Category::SkillResearch, |f| f.leader = None, "leader_not_qualified"),
            (Category::SkillResearch, |f| f.team_roles = vec![TeamRole::Teacher, TeamRole::Engineer], "team_roles_missing"),
            (Category::SkillResearch, |f| f.has_funding = false, "funding_missing"),
            (Category::EvaluationResource, |f| f.team_roles.clear(), "expert_team_missing"),
            (Category::EvaluationResource, |f| f.has_funding = false, "funding_missing"),
        ];
        for (category, change, code) in cases {
            let mut f = eligible(category);
            change(&mut f);
            assert_eq!(codes(&f), [code], "{category:?} {code}");
            let p = check_eligibility(&f).remove(0);
            assert!(p.zh().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code}");
            assert!(!p.field().is_empty());
        }
    }

    #[test]
    fn universities_may_apply_for_skill_research_projects() {
        // 000 第十九条(一): 高等院校、职业院校、技工院校.
        let cases = [
            (OrgKind::Other, true, true),
            (OrgKind::VocationalCollege, true, true),
            (OrgKind::Other, false, false),
            (OrgKind::VocationalCollege, false, true),
            (OrgKind::TechnicalSchool, false, true),
            (OrgKind::Enterprise, false, false),
            (OrgKind::TrainingInstitution, false, false),
            // A mark on a kind that cannot be a university does not make one.
            (OrgKind::Enterprise, true, false),
            (OrgKind::IndustryAssociation, true, false),
        ];
        for (kind, higher_education, may) in cases {
            assert_eq!(may_apply_for_skill_research(kind, higher_education), may, "{kind:?} {higher_education}");
            let mut f = eligible(Category::SkillResearch);
            (f.applicant_kind, f.applicant_higher_education) = (kind, higher_education);
            let refused = codes(&f) == ["applicant_kind_not_allowed"];
            assert_eq!(refused, !may, "{kind:?} {higher_education}");
        }
    }

    #[test]
    fn leaders_qualify_by_title_or_skill() {
        let l = |title, skill| leader_qualified(LeaderFacts { title, skill });
        assert!(l(TitleLevel::DeputySenior, SkillLevel::None));
        assert!(l(TitleLevel::Senior, SkillLevel::None));
        assert!(l(TitleLevel::None, SkillLevel::SeniorTechnician));
        assert!(l(TitleLevel::None, SkillLevel::ChiefTechnician));
        assert!(!l(TitleLevel::Intermediate, SkillLevel::Technician));
    }

    #[test]
    fn category_rules_do_not_leak_into_other_categories() {
        let mut f = eligible(Category::NewOccupation);
        f.registered_in_dongguan = false;
        f.occupation_is_access_type = true;
        f.ip_declared = false;
        f.enterprises.clear();
        f.applicant_kind = OrgKind::Enterprise;
        assert!(codes(&f).is_empty(), "new occupations: only the call and the ban are checked");
        let mut f = eligible(Category::TrainingResource);
        f.applicant_kind = OrgKind::Enterprise;
        f.leader = None;
        f.team_roles.clear();
        assert!(codes(&f).is_empty());
    }

    #[test]
    fn everything_at_once() {
        let f = EligibilityFacts {
            category: Category::TrainingResource,
            call_open: false,
            registered_in_dongguan: false,
            independent_legal_person: false,
            applicant_kind: OrgKind::Enterprise,
            applicant_higher_education: false,
            applicant_banned: true,
            occupation_is_access_type: true,
            ip_declared: false,
            trainees_last_3_years: Some(10),
            enterprises: vec![EnterpriseFacts { name: "甲".into(), has_usage_report: false }],
            leader: None,
            team_roles: vec![],
            has_funding: false,
        };
        assert_eq!(
            codes(&f),
            [
                "call_not_open",
                "not_registered_in_dongguan",
                "not_independent_legal_person",
                "occupation_access_type",
                "applicant_banned",
                "ip_declaration_missing",
                "trainees_below_300",
                "fewer_than_5_enterprises",
                "usage_report_missing"
            ]
        );
    }
}
