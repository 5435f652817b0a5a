//! What submission checks (003 §二(四)(六), DESIGN §4): the composition, one
//! registration form (附件1) per member and consistent, the charter signed by
//! all members, the cooperation agreement, the initiator's report, the
//! licence copy unless the bureau can fetch it by credit code, and no active
//! ban on the initiator (000 第二十二条). All failures are answered at once.

use uuid::Uuid;

use super::{
    composition::{CompositionFacts, CompositionProblem, check_composition},
    staff::{StaffCounts, check_staff_counts},
};

#[derive(Debug, Clone)]
pub struct MemberFacts {
    pub organization_id: Uuid,
    pub name: String,
    /// The member's form (附件1), if filled.
    pub form: Option<StaffCounts>,
    /// Signed the current version of the charter.
    pub signed_charter: bool,
}

#[derive(Debug, Clone)]
pub struct FilingFacts {
    pub composition: CompositionFacts,
    pub members: Vec<MemberFacts>,
    pub has_charter: bool,
    pub has_agreement: bool,
    pub has_report: bool,
    pub has_licence: bool,
    /// Bureau staff confirmed the licence can be fetched by credit code (003 §二(六)1).
    pub initiator_credit_code_verified: bool,
    pub initiator_banned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingProblem {
    Composition(CompositionProblem),
    /// 003 §二(六)2: every member fills 附件1.
    MemberFormMissing {
        organization_id: Uuid,
        name: String,
    },
    MemberFormInconsistent {
        organization_id: Uuid,
        name: String,
        detail: String,
    },
    /// 003 §二(四)(六)3
    CharterMissing,
    CharterNotSignedByAll {
        names: Vec<String>,
    },
    /// 003 §二(六)1
    LicenceMissing,
    /// 003 §二(四): written cooperation agreement.
    AgreementMissing,
    /// 003 §二(六)1: the initiator's report.
    ReportMissing,
    /// 000 第二十二条: a 5-year ban after confirmed fraud.
    InitiatorBanned,
}

impl FilingProblem {
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Composition(p) => p.code(),
            Self::MemberFormMissing { .. } => "member_form_missing",
            Self::MemberFormInconsistent { .. } => "member_form_inconsistent",
            Self::CharterMissing => "charter_missing",
            Self::CharterNotSignedByAll { .. } => "charter_not_signed_by_all",
            Self::LicenceMissing => "licence_missing",
            Self::AgreementMissing => "agreement_missing",
            Self::ReportMissing => "report_missing",
            Self::InitiatorBanned => "initiator_banned",
        }
    }

    #[must_use]
    pub fn zh(&self) -> String {
        match self {
            Self::Composition(p) => p.zh().to_string(),
            Self::MemberFormMissing { name, .. } => format!("成员单位“{name}”尚未填报《职业培训联盟成员单位登记表》（附件1）"),
            Self::MemberFormInconsistent { name, detail, .. } => format!("成员单位“{name}”的登记表数据不一致：{detail}"),
            Self::CharterMissing => "尚未上传联盟章程".into(),
            Self::CharterNotSignedByAll { names } => format!("以下成员单位尚未确认签署现行章程：{}", names.join("、")),
            Self::LicenceMissing => "尚未上传发起单位营业执照或法人登记证复印件（市人社局已核验信用代码的除外）".into(),
            Self::AgreementMissing => "尚未上传成员单位签订的书面合作协议".into(),
            Self::ReportMissing => "尚未提交发起单位建立职业培训联盟的报告".into(),
            Self::InitiatorBanned => "发起单位因弄虚作假被限制申报，限制期内不能备案".into(),
        }
    }

    #[must_use]
    pub fn en(&self) -> String {
        match self {
            Self::Composition(p) => p.en().to_string(),
            Self::MemberFormMissing { name, .. } => format!("Member {name} has not filled its registration form"),
            Self::MemberFormInconsistent { name, detail, .. } => format!("Member {name}'s form is inconsistent: {detail}"),
            Self::CharterMissing => "The charter is missing".into(),
            Self::CharterNotSignedByAll { names } => format!("Not yet signed the current charter: {}", names.join(", ")),
            Self::LicenceMissing => "The initiator's business licence copy is missing".into(),
            Self::AgreementMissing => "The written cooperation agreement is missing".into(),
            Self::ReportMissing => "The initiator's report is missing".into(),
            Self::InitiatorBanned => "The initiator is under a ban and cannot file".into(),
        }
    }

    /// The request field the problem is about, for problem details.
    #[must_use]
    pub fn field(&self) -> String {
        match self {
            Self::Composition(CompositionProblem::InitiatorKindNotAllowed) | Self::InitiatorBanned => "initiator".into(),
            Self::Composition(CompositionProblem::LeadNotEnterprise) => "lead_organization_id".into(),
            Self::Composition(_) => "members".into(),
            Self::MemberFormMissing { organization_id, .. } | Self::MemberFormInconsistent { organization_id, .. } => {
                format!("members[{organization_id}].form")
            }
            Self::CharterMissing | Self::CharterNotSignedByAll { .. } => "charter_document_id".into(),
            Self::LicenceMissing => "licence_document_id".into(),
            Self::AgreementMissing => "agreement_document_id".into(),
            Self::ReportMissing => "report".into(),
        }
    }
}

/// Every reason the filing cannot be submitted — or registered: the bureau's
/// registration judges the filing again as it stands that day, since a
/// member's kind, form or signature may have changed after submission
/// (003 §二(二)(三)(六)) — yet (empty: it can).
#[must_use]
pub fn check_filing(f: &FilingFacts) -> Vec<FilingProblem> {
    let mut out: Vec<FilingProblem> = check_composition(&f.composition).into_iter().map(FilingProblem::Composition).collect();
    for m in &f.members {
        match &m.form {
            None => out.push(FilingProblem::MemberFormMissing { organization_id: m.organization_id, name: m.name.clone() }),
            Some(counts) => {
                if let Some((_, zh, _)) = check_staff_counts(counts).into_iter().next() {
                    out.push(FilingProblem::MemberFormInconsistent {
                        organization_id: m.organization_id,
                        name: m.name.clone(),
                        detail: zh,
                    });
                }
            }
        }
    }
    if f.has_charter {
        let unsigned: Vec<String> = f.members.iter().filter(|m| !m.signed_charter).map(|m| m.name.clone()).collect();
        if !unsigned.is_empty() {
            out.push(FilingProblem::CharterNotSignedByAll { names: unsigned });
        }
    } else {
        out.push(FilingProblem::CharterMissing);
    }
    if !f.has_licence && !f.initiator_credit_code_verified {
        out.push(FilingProblem::LicenceMissing);
    }
    if !f.has_agreement {
        out.push(FilingProblem::AgreementMissing);
    }
    if !f.has_report {
        out.push(FilingProblem::ReportMissing);
    }
    if f.initiator_banned {
        out.push(FilingProblem::InitiatorBanned);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::OrgKind::*;

    fn member(name: &str) -> MemberFacts {
        MemberFacts {
            organization_id: Uuid::nil(),
            name: name.into(),
            form: Some(StaffCounts { total_staff: 10, management: 2, ..StaffCounts::default() }),
            signed_charter: true,
        }
    }

    fn complete() -> FilingFacts {
        FilingFacts {
            composition: CompositionFacts {
                initiator_kind: TechnicalSchool,
                lead_kind: Enterprise,
                member_kinds: vec![TechnicalSchool, Enterprise, Enterprise, ResearchInstitute],
            },
            members: vec![member("甲"), member("乙"), member("丙"), member("丁")],
            has_charter: true,
            has_agreement: true,
            has_report: true,
            has_licence: true,
            initiator_credit_code_verified: false,
            initiator_banned: false,
        }
    }

    fn codes(f: &FilingFacts) -> Vec<&'static str> {
        check_filing(f).iter().map(FilingProblem::code).collect()
    }

    #[test]
    fn a_complete_filing_passes() {
        assert!(check_filing(&complete()).is_empty());
    }

    #[test]
    fn each_material_is_checked() {
        let mut f = complete();
        f.members[1].form = None;
        assert_eq!(codes(&f), ["member_form_missing"]);
        let mut f = complete();
        f.members[2].form = Some(StaffCounts { total_staff: 5, management: 6, ..StaffCounts::default() });
        assert_eq!(codes(&f), ["member_form_inconsistent"]);
        let mut f = complete();
        f.members[3].signed_charter = false;
        assert_eq!(check_filing(&f), vec![FilingProblem::CharterNotSignedByAll { names: vec!["丁".into()] }]);
        let mut f = complete();
        f.has_charter = false;
        f.members[0].signed_charter = false;
        assert_eq!(codes(&f), ["charter_missing"], "no signature complaint without a charter");
        let mut f = complete();
        f.has_licence = false;
        assert_eq!(codes(&f), ["licence_missing"]);
        f.initiator_credit_code_verified = true;
        assert!(codes(&f).is_empty(), "003 §二(六)1: not required when the bureau can fetch it");
        let mut f = complete();
        f.has_agreement = false;
        assert_eq!(codes(&f), ["agreement_missing"]);
        let mut f = complete();
        f.has_report = false;
        assert_eq!(codes(&f), ["report_missing"]);
        let mut f = complete();
        f.initiator_banned = true;
        assert_eq!(codes(&f), ["initiator_banned"]);
    }

    #[test]
    fn everything_at_once() {
        let f = FilingFacts {
            composition: CompositionFacts { initiator_kind: Enterprise, lead_kind: Other, member_kinds: vec![Enterprise, Other] },
            members: vec![MemberFacts { form: None, signed_charter: false, ..member("甲") }],
            has_charter: false,
            has_agreement: false,
            has_report: false,
            has_licence: false,
            initiator_credit_code_verified: false,
            initiator_banned: true,
        };
        assert_eq!(check_filing(&f).len(), 4 + 1 + 1 + 1 + 1 + 1 + 1);
    }
}
