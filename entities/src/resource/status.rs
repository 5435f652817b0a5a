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
//! Development (agreement, milestones) after `approved_for_development` is issue 7.

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
}

impl ApplicationStatus {
    pub const ALL: [Self; 15] = [
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
        _ => Err(TransitionError { from, action, category }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationAction as A;
    use ApplicationStatus as S;
    use Category as C;

    const ACTIONS: [A; 14] = [
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
        }
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
        assert_eq!(checked, 15 * 14 * 5);
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
