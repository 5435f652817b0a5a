//! Closed sets stored as strings, each with its Chinese label (DESIGN §2: every
//! enum also carries its Chinese label).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Account roles (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员（市人社局）
    #[sea_orm(string_value = "bureau_admin")]
    BureauAdmin,
    /// 业务经办人员（市人社局 / 市人力资源服务中心 / 市职教城管理中心）
    #[sea_orm(string_value = "bureau_staff")]
    BureauStaff,
    /// 单位用户：acts as initiator, member or applicant through its organisation
    #[sea_orm(string_value = "org_user")]
    OrgUser,
    /// 评审专家
    #[sea_orm(string_value = "expert")]
    Expert,
}

impl Role {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::BureauAdmin => "系统管理员",
            Self::BureauStaff => "业务经办人员",
            Self::OrgUser => "单位用户",
            Self::Expert => "评审专家",
        }
    }

    /// Bureau roles see everything (DESIGN §3, object-level rule).
    #[must_use]
    pub fn is_bureau(self) -> bool {
        matches!(self, Self::BureauAdmin | Self::BureauStaff)
    }

    /// Only organisation users belong to an organisation.
    #[must_use]
    pub fn needs_organization(self) -> bool {
        matches!(self, Self::OrgUser)
    }
}

/// Organisation kinds: the seven categories of 003 附件2/附件3, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    #[sea_orm(string_value = "enterprise")]
    Enterprise,
    #[sea_orm(string_value = "vocational_college")]
    VocationalCollege,
    #[sea_orm(string_value = "technical_school")]
    TechnicalSchool,
    #[sea_orm(string_value = "training_institution")]
    TrainingInstitution,
    #[sea_orm(string_value = "research_institute")]
    ResearchInstitute,
    #[sea_orm(string_value = "industry_association")]
    IndustryAssociation,
    #[sea_orm(string_value = "other")]
    Other,
}

impl OrgKind {
    /// The seven kinds in the order of 003 附件2 (一、企业 … 七、其他).
    pub const ALL: [Self; 7] = [
        Self::Enterprise,
        Self::VocationalCollege,
        Self::TechnicalSchool,
        Self::TrainingInstitution,
        Self::ResearchInstitute,
        Self::IndustryAssociation,
        Self::Other,
    ];

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Enterprise => "企业",
            Self::VocationalCollege => "职业院校",
            Self::TechnicalSchool => "技工院校",
            Self::TrainingInstitution => "职业培训机构",
            Self::ResearchInstitute => "科研机构",
            Self::IndustryAssociation => "行业协会",
            Self::Other => "其他",
        }
    }

    /// Whether an organisation of this kind may be marked a 高等院校 (issue 16
    /// item 3). 附件2/附件3 have no 高等院校 row: a 高等职业院校 is reported
    /// under 二、职业院校 (it is one), any other 高等院校 (a university or
    /// 本科 college) under 七、其他 — not under 职业院校, which would swell the
    /// vocational figures the reports exist to show (003 §二(三) counts
    /// 职业院校 towards an alliance's composition). No other kind is a
    /// 高等院校; 000 第十九条(一) is the only rule that asks.
    #[must_use]
    pub fn may_be_higher_education(self) -> bool {
        matches!(self, Self::VocationalCollege | Self::Other)
    }

    /// Group heading as printed in 003 附件2 and 附件3, e.g. "一、企业".
    #[must_use]
    pub fn group_heading(self) -> String {
        const NUMERALS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "七"];
        let index = Self::ALL.iter().position(|k| *k == self).unwrap_or(6);
        format!("{}、{}", NUMERALS[index], self.label_zh())
    }
}

/// How a review round of a filing or a report ended (stored as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum RoundOutcome {
    /// 退回修改
    #[sea_orm(string_value = "returned")]
    Returned,
    /// 予以备案 (alliance filings)
    #[sea_orm(string_value = "registered")]
    Registered,
    /// 审核通过 (half-year reports)
    #[sea_orm(string_value = "accepted")]
    Accepted,
}

impl RoundOutcome {
    /// The stored and API code, e.g. `returned`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Returned => "returned",
            Self::Registered => "registered",
            Self::Accepted => "accepted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_vocational_colleges_and_others_are_universities() {
        let may: Vec<OrgKind> = OrgKind::ALL.into_iter().filter(|k| k.may_be_higher_education()).collect();
        assert_eq!(may, [OrgKind::VocationalCollege, OrgKind::Other]);
    }

    #[test]
    fn kinds_follow_the_order_of_annex_2() {
        let headings: Vec<String> = OrgKind::ALL.iter().map(|k| k.group_heading()).collect();
        assert_eq!(headings, ["一、企业", "二、职业院校", "三、技工院校", "四、职业培训机构", "五、科研机构", "六、行业协会", "七、其他"]);
    }

    #[test]
    fn only_bureau_roles_are_bureau() {
        assert!(Role::BureauAdmin.is_bureau());
        assert!(Role::BureauStaff.is_bureau());
        assert!(!Role::OrgUser.is_bureau());
        assert!(!Role::Expert.is_bureau());
    }
}
