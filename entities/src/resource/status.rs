//! The application lifecycle (DESIGN §6, 000 第七条, 十一条, 十四条, 二十条):
//!
//! ```text
//! draft ─submit→ submitted ─draw panel→ under_review ─propose→ on_notice ─close→ awaiting_approval ─approve→ published (3)
//!                    │                        └decline→ not_selected        │   └(open objection)→ awaiting_ruling     └→ approved_for_development (4, 5)
//!                    │                                              uphold objection → refused ←───────┘ (dismissed → awaiting_approval)
//!                    └(1) report upward→ reported_upward ─→ included ─→ completed
//!                                                       └→ not_included
//! ```
//!
//! `published ─revoke→ revoked` when fraud in certification is confirmed (000 第二十二条).
//!
//! Development after 立项 (000 第十四条(四)—第十七条, 第二十条(四)—(八)):
//!
//! ```text
//! approved_for_development ─sign agreement→ in_development
//!   (4) in_development ─submission (报批)→ awaiting_publication ─approve→ published (specification)
//!                                                               └ingest→ ingested (question bank)
//!   (5) in_development ─acceptance passed→ accepted ─results notice→ results_on_notice ─close→ awaiting_publication ─approve→ published
//!                                                                    └(open objection)→ results_awaiting_ruling
//! any development status ─fraud in development→ terminated (000 第二十二条(二))
//! ```

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use super::Category;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "under_review")]
    UnderReview,
    #[sea_orm(string_value = "not_selected")]
    NotSelected,
    #[sea_orm(string_value = "on_notice")]
    OnNotice,
    #[sea_orm(string_value = "awaiting_ruling")]
    AwaitingRuling,
    #[sea_orm(string_value = "awaiting_approval")]
    AwaitingApproval,
    #[sea_orm(string_value = "refused")]
    Refused,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "approved_for_development")]
    ApprovedForDevelopment,
    #[sea_orm(string_value = "reported_upward")]
    ReportedUpward,
    #[sea_orm(string_value = "included")]
    Included,
    #[sea_orm(string_value = "not_included")]
    NotIncluded,
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Certification revoked for fraud (000 第二十二条 第二款).
    #[sea_orm(string_value = "revoked")]
    Revoked,
    /// Development agreement signed; milestones under way (000 第十四条(四), 第二十条(五)).
    #[sea_orm(string_value = "in_development")]
    InDevelopment,
    /// (5) Passed the acceptance review (验收, 000 第二十条(六)).
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// (5) On the results notice (结果公示, 000 第二十条(七)).
    #[sea_orm(string_value = "results_on_notice")]
    ResultsOnNotice,
    /// (5) Results notice ended with an objection under investigation.
    #[sea_orm(string_value = "results_awaiting_ruling")]
    ResultsAwaitingRuling,
    /// Submitted for approval (报批) or through the results notice: awaits 审定.
    #[sea_orm(string_value = "awaiting_publication")]
    AwaitingPublication,
    /// (4) Question bank ingested into the public question bank system (000 第十六条(七)).
    #[sea_orm(string_value = "ingested")]
    Ingested,
    /// Development terminated for fraud (000 第二十二条(二)).
    #[sea_orm(string_value = "terminated")]
    Terminated,
}

impl ApplicationStatus {
    pub const ALL: [Self; 22] = [
        Self::Draft,
        Self::Submitted,
        Self::UnderReview,
        Self::NotSelected,
        Self::OnNotice,
        Self::AwaitingRuling,
        Self::AwaitingApproval,
        Self::Refused,
        Self::Published,
        Self::ApprovedForDevelopment,
        Self::ReportedUpward,
        Self::Included,
        Self::NotIncluded,
        Self::Completed,
        Self::Revoked,
        Self::InDevelopment,
        Self::Accepted,
        Self::ResultsOnNotice,
        Self::ResultsAwaitingRuling,
        Self::AwaitingPublication,
        Self::Ingested,
        Self::Terminated,
    ];

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已申报",
            Self::UnderReview => "专家评审中",
            Self::NotSelected => "未入选",
            Self::OnNotice => "公示中",
            Self::AwaitingRuling => "异议处理中",
            Self::AwaitingApproval => "待审定",
            Self::Refused => "不予认定（立项）",
            Self::Published => "已认定并公布",
            Self::ApprovedForDevelopment => "已立项",
            Self::ReportedUpward => "已汇总上报",
            Self::Included => "已纳入开发计划",
            Self::NotIncluded => "未纳入开发计划",
            Self::Completed => "开发完成",
            Self::Revoked => "已取消认定",
            Self::InDevelopment => "开发中",
            Self::Accepted => "已通过验收",
            Self::ResultsOnNotice => "结果公示中",
            Self::ResultsAwaitingRuling => "结果公示异议处理中",
            Self::AwaitingPublication => "待审定公布",
            Self::Ingested => "已入库公共题库",
            Self::Terminated => "已终止开发",
        }
    }

    /// The stored and API code.
    #[must_use]
    pub fn code(self) -> String {
        self.to_value()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationAction {
    /// Applicant submits (eligibility checked).
    Submit,
    /// Bureau draws the expert panel (000 第十一条(二)).
    DrawPanel,
    /// Bureau picks it for the proposed list (拟认定 / 拟立项) and publishes the notice.
    Propose,
    /// Bureau does not pick it.
    Decline,
    /// The notice ends and no objection is open.
    CloseNotice,
    /// The notice ends with an objection still under investigation.
    CloseNoticeWithOpenObjection,
    /// An objection is upheld: not certified / not approved (000 第十一条(三)).
    UpholdObjection,
    /// The last open objection is dismissed after the notice closed.
    DismissObjection,
    /// Bureau approves (审定 / 立项).
    Approve,
    /// (1) The centre reports the proposal upward in a batch (000 第七条(二)).
    ReportUpward,
    /// (1) Included in the national development plan.
    MarkIncluded,
    MarkNotIncluded,
    /// (1) Development of an included occupation completed (000 第七条(三)).
    MarkCompleted,
    /// Fraud in certification confirmed: the certification is revoked (000 第二十二条 第二款).
    Revoke,
    /// The development agreement is signed (000 第十四条(四), 第二十条(四)).
    SignAgreement,
    /// (4) 报批 (000 第十六条(六)).
    SubmitForApproval,
    /// (5) The acceptance review passed (000 第二十条(六)).
    PassAcceptance,
    /// (4) A question bank approved is ingested into the public question bank system (000 第十六条(七)).
    Ingest,
    /// Fraud in development confirmed: the project is terminated (000 第二十二条(二)).
    Terminate,
}

impl ApplicationAction {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submit => "提交申报",
            Self::DrawPanel => "抽取评审专家",
            Self::Propose => "列入公示",
            Self::Decline => "确定不入选",
            Self::CloseNotice | Self::CloseNoticeWithOpenObjection => "结束公示",
            Self::UpholdObjection => "认定异议成立",
            Self::DismissObjection => "认定异议不成立",
            Self::Approve => "审定",
            Self::ReportUpward => "汇总上报",
            Self::MarkIncluded => "标记纳入开发计划",
            Self::MarkNotIncluded => "标记未纳入开发计划",
            Self::MarkCompleted => "标记开发完成",
            Self::Revoke => "取消认定",
            Self::SignAgreement => "签订开发工作协议",
            Self::SubmitForApproval => "报批",
            Self::PassAcceptance => "通过验收",
            Self::Ingest => "审定入库",
            Self::Terminate => "终止开发",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} is not allowed from {from:?} for category {category:?}")]
pub struct TransitionError {
    pub from: ApplicationStatus,
    pub action: ApplicationAction,
    pub category: Category,
}

impl TransitionError {
    #[must_use]
    pub fn zh(&self) -> String {
        format!("申报当前状态为“{}”，不能{}", self.from.label_zh(), self.action.label_zh())
    }
}

/// The next status of an application of `category`, or why not.
///
/// # Errors
/// [`TransitionError`] for a step the lifecycle does not have.
pub fn transition(from: ApplicationStatus, action: ApplicationAction, category: Category) -> Result<ApplicationStatus, TransitionError> {
    use ApplicationAction as A;
    use ApplicationStatus as S;
    let reviewed = category.is_reviewed();
    let new_occupation = category == Category::NewOccupation;
    match (from, action) {
        (S::Draft, A::Submit) => Ok(S::Submitted),
        (S::Submitted | S::UnderReview, A::DrawPanel) if reviewed => Ok(S::UnderReview),
        (S::UnderReview, A::Propose) => Ok(S::OnNotice),
        (S::UnderReview, A::Decline) => Ok(S::NotSelected),
        (S::OnNotice, A::CloseNotice) => Ok(S::AwaitingApproval),
        (S::OnNotice, A::CloseNoticeWithOpenObjection) => Ok(S::AwaitingRuling),
        (S::OnNotice | S::AwaitingRuling, A::UpholdObjection) => Ok(S::Refused),
        (S::AwaitingRuling, A::DismissObjection) => Ok(S::AwaitingApproval),
        // 000 第十一条(四) certification is published; 第十四条(四), 二十条(四) development is approved (立项).
        (S::AwaitingApproval, A::Approve) if category.is_development() => Ok(S::ApprovedForDevelopment),
        (S::AwaitingApproval, A::Approve) if category == Category::TrainingResource => Ok(S::Published),
        (S::Submitted, A::ReportUpward) if new_occupation => Ok(S::ReportedUpward),
        (S::ReportedUpward, A::MarkIncluded) => Ok(S::Included),
        (S::ReportedUpward, A::MarkNotIncluded) => Ok(S::NotIncluded),
        (S::Included, A::MarkCompleted) => Ok(S::Completed),
        // 000 第二十二条 第二款: 取消该认定项目.
        (S::Published, A::Revoke) if category == Category::TrainingResource => Ok(S::Revoked),
        (S::ApprovedForDevelopment, A::SignAgreement) if category.is_development() => Ok(S::InDevelopment),
        (S::InDevelopment, A::SubmitForApproval) if category == Category::EvaluationResource => Ok(S::AwaitingPublication),
        (S::InDevelopment, A::PassAcceptance) if category == Category::SkillResearch => Ok(S::Accepted),
        // 000 第二十条(七): the results notice works like the 立项 notice.
        (S::Accepted, A::Propose) => Ok(S::ResultsOnNotice),
        (S::ResultsOnNotice, A::CloseNotice) => Ok(S::AwaitingPublication),
        (S::ResultsOnNotice, A::CloseNoticeWithOpenObjection) => Ok(S::ResultsAwaitingRuling),
        (S::ResultsOnNotice | S::ResultsAwaitingRuling, A::UpholdObjection) => Ok(S::Refused),
        (S::ResultsAwaitingRuling, A::DismissObjection) => Ok(S::AwaitingPublication),
        // 000 第十六条(七), 第二十条(八): 审定 and publication.
        (S::AwaitingPublication, A::Approve) if category.is_development() => Ok(S::Published),
        (S::AwaitingPublication, A::Ingest) if category == Category::EvaluationResource => Ok(S::Ingested),
        (
            S::ApprovedForDevelopment
            | S::InDevelopment
            | S::Accepted
            | S::ResultsOnNotice
            | S::ResultsAwaitingRuling
            | S::AwaitingPublication
            | S::Published
            | S::Ingested,
            A::Terminate,
        ) if category.is_development() => Ok(S::Terminated),
        _ => Err(TransitionError { from, action, category }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationAction as A;
    use ApplicationStatus as S;
    use Category as C;

    const ACTIONS: [A; 19] = [
        A::Submit,
        A::DrawPanel,
        A::Propose,
        A::Decline,
        A::CloseNotice,
        A::CloseNoticeWithOpenObjection,
        A::UpholdObjection,
        A::DismissObjection,
        A::Approve,
        A::ReportUpward,
        A::MarkIncluded,
        A::MarkNotIncluded,
        A::MarkCompleted,
        A::Revoke,
        A::SignAgreement,
        A::SubmitForApproval,
        A::PassAcceptance,
        A::Ingest,
        A::Terminate,
    ];

    /// Every (status, action, category) against the one table of allowed steps.
    #[test]
    fn every_transition() {
        let reviewed = [C::TrainingResource, C::EvaluationResource, C::SkillResearch];
        let mut allowed: Vec<(S, A, C, S)> = Vec::new();
        for c in C::ALL {
            allowed.push((S::Draft, A::Submit, c, S::Submitted));
            allowed.push((S::UnderReview, A::Propose, c, S::OnNotice));
            allowed.push((S::UnderReview, A::Decline, c, S::NotSelected));
            allowed.push((S::OnNotice, A::CloseNotice, c, S::AwaitingApproval));
            allowed.push((S::OnNotice, A::CloseNoticeWithOpenObjection, c, S::AwaitingRuling));
            allowed.push((S::OnNotice, A::UpholdObjection, c, S::Refused));
            allowed.push((S::AwaitingRuling, A::UpholdObjection, c, S::Refused));
            allowed.push((S::AwaitingRuling, A::DismissObjection, c, S::AwaitingApproval));
            allowed.push((S::ReportedUpward, A::MarkIncluded, c, S::Included));
            allowed.push((S::ReportedUpward, A::MarkNotIncluded, c, S::NotIncluded));
            allowed.push((S::Included, A::MarkCompleted, c, S::Completed));
            allowed.push((S::Accepted, A::Propose, c, S::ResultsOnNotice));
            allowed.push((S::ResultsOnNotice, A::CloseNotice, c, S::AwaitingPublication));
            allowed.push((S::ResultsOnNotice, A::CloseNoticeWithOpenObjection, c, S::ResultsAwaitingRuling));
            allowed.push((S::ResultsOnNotice, A::UpholdObjection, c, S::Refused));
            allowed.push((S::ResultsAwaitingRuling, A::UpholdObjection, c, S::Refused));
            allowed.push((S::ResultsAwaitingRuling, A::DismissObjection, c, S::AwaitingPublication));
        }
        for c in [C::EvaluationResource, C::SkillResearch] {
            allowed.push((S::ApprovedForDevelopment, A::SignAgreement, c, S::InDevelopment));
            allowed.push((S::AwaitingPublication, A::Approve, c, S::Published));
            for from in [
                S::ApprovedForDevelopment,
                S::InDevelopment,
                S::Accepted,
                S::ResultsOnNotice,
                S::ResultsAwaitingRuling,
                S::AwaitingPublication,
                S::Published,
                S::Ingested,
            ] {
                allowed.push((from, A::Terminate, c, S::Terminated));
            }
        }
        allowed.push((S::InDevelopment, A::SubmitForApproval, C::EvaluationResource, S::AwaitingPublication));
        allowed.push((S::AwaitingPublication, A::Ingest, C::EvaluationResource, S::Ingested));
        allowed.push((S::InDevelopment, A::PassAcceptance, C::SkillResearch, S::Accepted));
        for c in reviewed {
            allowed.push((S::Submitted, A::DrawPanel, c, S::UnderReview));
            allowed.push((S::UnderReview, A::DrawPanel, c, S::UnderReview));
        }
        allowed.push((S::AwaitingApproval, A::Approve, C::TrainingResource, S::Published));
        allowed.push((S::AwaitingApproval, A::Approve, C::EvaluationResource, S::ApprovedForDevelopment));
        allowed.push((S::AwaitingApproval, A::Approve, C::SkillResearch, S::ApprovedForDevelopment));
        allowed.push((S::Submitted, A::ReportUpward, C::NewOccupation, S::ReportedUpward));
        allowed.push((S::Published, A::Revoke, C::TrainingResource, S::Revoked));
        let mut checked = 0;
        for from in S::ALL {
            for action in ACTIONS {
                for c in C::ALL {
                    let expected = allowed.iter().find(|(f, a, cat, _)| *f == from && *a == action && *cat == c).map(|(_, _, _, to)| *to);
                    assert_eq!(transition(from, action, c).ok(), expected, "{from:?} {action:?} {c:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 22 * 19 * 5);
    }

    #[test]
    fn the_certification_path_end_to_end() {
        let c = C::TrainingResource;
        let mut s = S::Draft;
        for a in [A::Submit, A::DrawPanel, A::Propose, A::CloseNotice, A::Approve] {
            s = transition(s, a, c).unwrap();
        }
        assert_eq!(s, S::Published);
    }

    #[test]
    fn the_development_paths_end_to_end() {
        // 000 第十四条, 十六条: (4) 立项 → agreement → 报批 → 审定 (published or ingested).
        let mut s = S::AwaitingApproval;
        for a in [A::Approve, A::SignAgreement, A::SubmitForApproval] {
            s = transition(s, a, C::EvaluationResource).unwrap();
        }
        assert_eq!(transition(s, A::Approve, C::EvaluationResource), Ok(S::Published));
        assert_eq!(transition(s, A::Ingest, C::EvaluationResource), Ok(S::Ingested));
        // 000 第二十条: (5) 验收 → 结果公示 → 审定 and publication.
        let mut s = S::AwaitingApproval;
        for a in [A::Approve, A::SignAgreement, A::PassAcceptance, A::Propose, A::CloseNotice, A::Approve] {
            s = transition(s, a, C::SkillResearch).unwrap();
        }
        assert_eq!(s, S::Published);
        // 000 第二十二条(二): fraud terminates; a certification (3) is revoked instead.
        assert_eq!(transition(S::InDevelopment, A::Terminate, C::SkillResearch), Ok(S::Terminated));
        assert!(transition(S::Published, A::Terminate, C::TrainingResource).is_err());
    }

    #[test]
    fn new_occupations_are_not_reviewed_and_cannot_be_published() {
        assert!(transition(S::Submitted, A::DrawPanel, C::NewOccupation).is_err());
        assert!(transition(S::AwaitingApproval, A::Approve, C::NewOccupation).is_err());
        assert!(transition(S::Submitted, A::ReportUpward, C::TrainingResource).is_err());
    }

    #[test]
    fn refusals_explain_themselves_in_chinese() {
        let err = transition(S::Published, A::Submit, C::TrainingResource).unwrap_err();
        assert_eq!(err.zh(), "申报当前状态为“已认定并公布”，不能提交申报");
    }
}
