//! API mirrors of the stored enums (API types are not entities), each with
//! its Chinese label available to responses.

use entities::{OrgKind, Role};
use poem_openapi::Enum;

/// 单位类型 (003 附件2 order).
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename = "OrgKind", rename_all = "snake_case")]
pub enum OrgKindDto {
    /// 企业
    Enterprise,
    /// 职业院校
    VocationalCollege,
    /// 技工院校
    TechnicalSchool,
    /// 职业培训机构
    TrainingInstitution,
    /// 科研机构
    ResearchInstitute,
    /// 行业协会
    IndustryAssociation,
    /// 其他
    Other,
}

impl From<OrgKindDto> for OrgKind {
    fn from(k: OrgKindDto) -> Self {
        match k {
            OrgKindDto::Enterprise => Self::Enterprise,
            OrgKindDto::VocationalCollege => Self::VocationalCollege,
            OrgKindDto::TechnicalSchool => Self::TechnicalSchool,
            OrgKindDto::TrainingInstitution => Self::TrainingInstitution,
            OrgKindDto::ResearchInstitute => Self::ResearchInstitute,
            OrgKindDto::IndustryAssociation => Self::IndustryAssociation,
            OrgKindDto::Other => Self::Other,
        }
    }
}

impl From<OrgKind> for OrgKindDto {
    fn from(k: OrgKind) -> Self {
        match k {
            OrgKind::Enterprise => Self::Enterprise,
            OrgKind::VocationalCollege => Self::VocationalCollege,
            OrgKind::TechnicalSchool => Self::TechnicalSchool,
            OrgKind::TrainingInstitution => Self::TrainingInstitution,
            OrgKind::ResearchInstitute => Self::ResearchInstitute,
            OrgKind::IndustryAssociation => Self::IndustryAssociation,
            OrgKind::Other => Self::Other,
        }
    }
}

/// 账户角色.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "Role", rename_all = "snake_case")]
pub enum RoleDto {
    /// 系统管理员
    BureauAdmin,
    /// 业务经办人员
    BureauStaff,
    /// 单位用户
    OrgUser,
    /// 评审专家
    Expert,
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::BureauAdmin => Self::BureauAdmin,
            RoleDto::BureauStaff => Self::BureauStaff,
            RoleDto::OrgUser => Self::OrgUser,
            RoleDto::Expert => Self::Expert,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::BureauAdmin => Self::BureauAdmin,
            Role::BureauStaff => Self::BureauStaff,
            Role::OrgUser => Self::OrgUser,
            Role::Expert => Self::Expert,
        }
    }
}
