//! The filing lifecycle (DESIGN §4): `draft → submitted → (returned ⇄
//! submitted) → registered (备案编号) → suspended / dissolved`. 003 §二(五):
//! alliances are filed with the bureau (备案制).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AllianceStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "returned")]
    Returned,
    #[sea_orm(string_value = "registered")]
    Registered,
    #[sea_orm(string_value = "suspended")]
    Suspended,
    #[sea_orm(string_value = "dissolved")]
    Dissolved,
}

impl AllianceStatus {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已提交待审核",
            Self::Returned => "已退回修改",
            Self::Registered => "已备案",
            Self::Suspended => "已暂停",
            Self::Dissolved => "已解散",
        }
    }

    /// The initiator may edit the filing (materials, members, forms).
    #[must_use]
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Membership changes with effective dates happen after registration.
    #[must_use]
    pub fn is_active(self) -> bool {
        matches!(self, Self::Registered)
    }

    /// Statuses in which members file their registration form (附件1) and
    /// sign the charter: while the filing is prepared or corrected, and after
    /// registration for units that join (003 §二(四)(六)).
    pub const TAKES_MEMBER_PAPERS: [Self; 3] = [Self::Draft, Self::Returned, Self::Registered];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllianceAction {
    /// Initiator submits (first time or after a return).
    Submit,
    /// Bureau staff return with reasons.
    Return,
    /// Bureau staff register and issue the number.
    Register,
    Suspend,
    /// Bureau staff lift a suspension.
    Reinstate,
    Dissolve,
}

impl AllianceAction {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submit => "提交备案",
            Self::Return => "退回修改",
            Self::Register => "予以备案",
            Self::Suspend => "暂停",
            Self::Reinstate => "恢复",
            Self::Dissolve => "解散",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} is not allowed from {from:?}")]
pub struct TransitionError {
    pub from: AllianceStatus,
    pub action: AllianceAction,
}

impl TransitionError {
    #[must_use]
    pub fn zh(&self) -> String {
        format!("当前状态为“{}”，不能{}", self.from.label_zh(), self.action.label_zh())
    }
}

/// The next status, or why not.
///
/// # Errors
/// [`TransitionError`] for a step the lifecycle does not have.
pub fn transition(from: AllianceStatus, action: AllianceAction) -> Result<AllianceStatus, TransitionError> {
    use AllianceAction as A;
    use AllianceStatus as S;
    match (from, action) {
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::Return) => Ok(S::Returned),
        (S::Submitted, A::Register) => Ok(S::Registered),
        (S::Registered, A::Suspend) => Ok(S::Suspended),
        (S::Suspended, A::Reinstate) => Ok(S::Registered),
        (S::Registered | S::Suspended, A::Dissolve) => Ok(S::Dissolved),
        _ => Err(TransitionError { from, action }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AllianceAction as A;
    use AllianceStatus as S;

    #[test]
    fn every_transition() {
        let all_status = [S::Draft, S::Submitted, S::Returned, S::Registered, S::Suspended, S::Dissolved];
        let all_actions = [A::Submit, A::Return, A::Register, A::Suspend, A::Reinstate, A::Dissolve];
        let allowed = [
            (S::Draft, A::Submit, S::Submitted),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Return, S::Returned),
            (S::Submitted, A::Register, S::Registered),
            (S::Registered, A::Suspend, S::Suspended),
            (S::Suspended, A::Reinstate, S::Registered),
            (S::Registered, A::Dissolve, S::Dissolved),
            (S::Suspended, A::Dissolve, S::Dissolved),
        ];
        for from in all_status {
            for action in all_actions {
                let expected = allowed.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to);
                assert_eq!(transition(from, action).ok(), expected, "{from:?} {action:?}");
            }
        }
    }

    #[test]
    fn refusals_explain_themselves_in_chinese() {
        let err = transition(S::Registered, A::Submit).unwrap_err();
        assert_eq!(err.zh(), "当前状态为“已备案”，不能提交备案");
    }
}
