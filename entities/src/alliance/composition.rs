//! Who may initiate, who leads, what the members must include (003 §二(一)–(三)).

use crate::enums::OrgKind;

/// The kinds that may initiate: 003 §二(一) "职业培训相关单位（如职业院校、技工院校、
/// 职业培训机构、科研机构、行业协会等）". The text's list ends in 等; DESIGN §4
/// closes it to these five, and enterprises (the lead's role) never initiate.
pub const INITIATOR_KINDS: [OrgKind; 5] = [
    OrgKind::VocationalCollege,
    OrgKind::TechnicalSchool,
    OrgKind::TrainingInstitution,
    OrgKind::ResearchInstitute,
    OrgKind::IndustryAssociation,
];

/// Alliances whose composition is kept checked after registration: a
/// membership change or a member's change of kind re-checks them and flags a
/// broken composition to the initiator and the bureau (003 §二(二)(三),
/// DESIGN §4). Drafts and filings under review are judged at submission and
/// again at registration instead.
pub const WATCHED_STATUSES: [crate::alliance::AllianceStatus; 2] =
    [crate::alliance::AllianceStatus::Registered, crate::alliance::AllianceStatus::Suspended];

/// The facts the composition rules look at: kinds of the initiator, the lead
/// and every current member (initiator and lead included).
#[derive(Debug, Clone)]
pub struct CompositionFacts {
    pub initiator_kind: OrgKind,
    pub lead_kind: OrgKind,
    /// Kinds of the current members, the lead counted once among them.
    pub member_kinds: Vec<OrgKind>,
}

/// A broken composition rule, with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompositionProblem {
    /// 003 §二(一)
    InitiatorKindNotAllowed,
    /// 003 §二(二): the lead (承担主体) is a leading enterprise of the industry.
    LeadNotEnterprise,
    /// 003 §二(三)1: a vocational college, technical school or training institution.
    MissingSchoolOrTrainingInstitution,
    /// 003 §二(三)2: a research institute.
    MissingResearchInstitute,
    /// 003 §二(三)3: enterprises of the same industry — at least one besides the lead.
    MissingEnterpriseMember,
}

impl CompositionProblem {
    pub const ALL: [Self; 5] = [
        Self::InitiatorKindNotAllowed,
        Self::LeadNotEnterprise,
        Self::MissingSchoolOrTrainingInstitution,
        Self::MissingResearchInstitute,
        Self::MissingEnterpriseMember,
    ];

    /// The problem a stored code names.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::InitiatorKindNotAllowed => "initiator_kind_not_allowed",
            Self::LeadNotEnterprise => "lead_not_enterprise",
            Self::MissingSchoolOrTrainingInstitution => "missing_school_or_training_institution",
            Self::MissingResearchInstitute => "missing_research_institute",
            Self::MissingEnterpriseMember => "missing_enterprise_member",
        }
    }

    #[must_use]
    pub fn zh(self) -> &'static str {
        match self {
            Self::InitiatorKindNotAllowed => "发起单位应为职业院校、技工院校、职业培训机构、科研机构或行业协会（《实施意见》二(一)）",
            Self::LeadNotEnterprise => "联盟承担主体应为在区域产业行业中处于领先地位的企业（《实施意见》二(二)）",
            Self::MissingSchoolOrTrainingInstitution => "成员单位应包括职业院校、技工院校或职业培训机构（《实施意见》二(三)1）",
            Self::MissingResearchInstitute => "成员单位应包括科研机构（《实施意见》二(三)2）",
            Self::MissingEnterpriseMember => "成员单位除承担主体外，还应包括同行业、同类型的企业（《实施意见》二(三)3）",
        }
    }

    #[must_use]
    pub fn en(self) -> &'static str {
        match self {
            Self::InitiatorKindNotAllowed => {
                "The initiator must be a vocational college, technical school, training institution, research institute or industry association"
            }
            Self::LeadNotEnterprise => "The lead body must be an enterprise",
            Self::MissingSchoolOrTrainingInstitution => {
                "Members must include a vocational college, technical school or training institution"
            }
            Self::MissingResearchInstitute => "Members must include a research institute",
            Self::MissingEnterpriseMember => "Members must include at least one enterprise besides the lead",
        }
    }
}

/// Every broken composition rule (empty when the composition is sound).
#[must_use]
pub fn check_composition(f: &CompositionFacts) -> Vec<CompositionProblem> {
    let mut out = Vec::new();
    if !INITIATOR_KINDS.contains(&f.initiator_kind) {
        out.push(CompositionProblem::InitiatorKindNotAllowed);
    }
    if f.lead_kind != OrgKind::Enterprise {
        out.push(CompositionProblem::LeadNotEnterprise);
    }
    let has = |kinds: &[OrgKind]| f.member_kinds.iter().any(|k| kinds.contains(k));
    if !has(&[OrgKind::VocationalCollege, OrgKind::TechnicalSchool, OrgKind::TrainingInstitution]) {
        out.push(CompositionProblem::MissingSchoolOrTrainingInstitution);
    }
    if !has(&[OrgKind::ResearchInstitute]) {
        out.push(CompositionProblem::MissingResearchInstitute);
    }
    let enterprises = f.member_kinds.iter().filter(|k| **k == OrgKind::Enterprise).count();
    let lead_is_enterprise_member = usize::from(f.lead_kind == OrgKind::Enterprise);
    if enterprises <= lead_is_enterprise_member {
        out.push(CompositionProblem::MissingEnterpriseMember);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgKind::*;

    fn facts(initiator: OrgKind, lead: OrgKind, members: &[OrgKind]) -> CompositionFacts {
        CompositionFacts { initiator_kind: initiator, lead_kind: lead, member_kinds: members.to_vec() }
    }

    #[test]
    fn the_acceptance_alliance_is_sound() {
        // technical school initiates; lead enterprise + 2 enterprises + training institution + research institute
        let f = facts(
            TechnicalSchool,
            Enterprise,
            &[TechnicalSchool, Enterprise, Enterprise, Enterprise, TrainingInstitution, ResearchInstitute],
        );
        assert!(check_composition(&f).is_empty());
    }

    #[test]
    fn each_rule_is_named() {
        use CompositionProblem as P;
        let cases: [(CompositionFacts, P); 6] = [
            (facts(Enterprise, Enterprise, &[Enterprise, Enterprise, TechnicalSchool, ResearchInstitute]), P::InitiatorKindNotAllowed),
            (facts(Other, Enterprise, &[Other, Enterprise, Enterprise, TechnicalSchool, ResearchInstitute]), P::InitiatorKindNotAllowed),
            (
                facts(TechnicalSchool, IndustryAssociation, &[TechnicalSchool, IndustryAssociation, Enterprise, ResearchInstitute]),
                P::LeadNotEnterprise,
            ),
            (facts(ResearchInstitute, Enterprise, &[ResearchInstitute, Enterprise, Enterprise]), P::MissingSchoolOrTrainingInstitution),
            (facts(TechnicalSchool, Enterprise, &[TechnicalSchool, Enterprise, Enterprise]), P::MissingResearchInstitute),
            (facts(TechnicalSchool, Enterprise, &[TechnicalSchool, Enterprise, ResearchInstitute]), P::MissingEnterpriseMember),
        ];
        for (f, expected) in cases {
            assert_eq!(check_composition(&f), vec![expected], "{f:?}");
        }
    }

    #[test]
    fn all_failures_at_once() {
        let f = facts(Enterprise, Other, &[Enterprise, Other]);
        assert_eq!(check_composition(&f).len(), 4);
    }

    #[test]
    fn only_registered_alliances_are_watched_after_a_change() {
        use crate::alliance::AllianceStatus as S;
        assert_eq!(WATCHED_STATUSES, [S::Registered, S::Suspended]);
        assert!(WATCHED_STATUSES.iter().all(|s| !s.is_editable()), "drafts are judged at submission");
    }
}
