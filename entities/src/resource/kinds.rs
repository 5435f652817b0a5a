//! Closed sets of the skill-resource rules, stored as strings, each with its
//! Chinese label.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The five kinds of project of 000 第四条.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// (一) 新职业
    #[sea_orm(string_value = "new_occupation")]
    NewOccupation,
    /// (二) 国家或广东省职业标准、培训包、题库开发或升级
    #[sea_orm(string_value = "standard_upgrade")]
    StandardUpgrade,
    /// (三) 培训资源认定
    #[sea_orm(string_value = "training_resource")]
    TrainingResource,
    /// (四) 评价资源开发
    #[sea_orm(string_value = "evaluation_resource")]
    EvaluationResource,
    /// (五) 技研项目
    #[sea_orm(string_value = "skill_research")]
    SkillResearch,
}

impl Category {
    pub const ALL: [Self; 5] =
        [Self::NewOccupation, Self::StandardUpgrade, Self::TrainingResource, Self::EvaluationResource, Self::SkillResearch];

    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NewOccupation => "新职业",
            Self::StandardUpgrade => "国家及广东省职业标准、培训包、题库开发升级",
            Self::TrainingResource => "培训资源认定",
            Self::EvaluationResource => "评价资源开发",
            Self::SkillResearch => "“技能+科研”项目",
        }
    }

    /// The resource kinds an application of this category may be for.
    #[must_use]
    pub fn allows(self, kind: ResourceKind) -> bool {
        use ResourceKind as K;
        match self {
            Self::NewOccupation => kind == K::NewOccupationProposal,
            // 000 第八条: run under national or provincial rules; any standard-like kind.
            Self::StandardUpgrade => {
                matches!(kind, K::CourseStandard | K::EvaluationSpecification | K::TheoryQuestionBank | K::TrainingCourse)
            }
            // 000 第九条: course standards, online courses, textbooks (and certified courses, 附件2 row 2).
            Self::TrainingResource => {
                matches!(kind, K::PrintedTextbook | K::ETextbook | K::CourseStandard | K::TrainingCourse | K::OnlineCourse)
            }
            // 000 第十二条
            Self::EvaluationResource => matches!(kind, K::EvaluationSpecification | K::TheoryQuestionBank),
            // 000 第十八条
            Self::SkillResearch => kind == K::IntegratedCaseCourse,
        }
    }

    /// Whether an expert panel scores applications of this category (000 第十一条(二), 十四条(二), 二十条(二)).
    #[must_use]
    pub fn is_reviewed(self) -> bool {
        matches!(self, Self::TrainingResource | Self::EvaluationResource | Self::SkillResearch)
    }

    /// Development projects (立项) rather than certification (认定).
    #[must_use]
    pub fn is_development(self) -> bool {
        matches!(self, Self::EvaluationResource | Self::SkillResearch)
    }
}

/// What the application is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    #[sea_orm(string_value = "printed_textbook")]
    PrintedTextbook,
    #[sea_orm(string_value = "e_textbook")]
    ETextbook,
    #[sea_orm(string_value = "course_standard")]
    CourseStandard,
    #[sea_orm(string_value = "training_course")]
    TrainingCourse,
    #[sea_orm(string_value = "online_course")]
    OnlineCourse,
    #[sea_orm(string_value = "evaluation_specification")]
    EvaluationSpecification,
    #[sea_orm(string_value = "theory_question_bank")]
    TheoryQuestionBank,
    #[sea_orm(string_value = "integrated_case_course")]
    IntegratedCaseCourse,
    #[sea_orm(string_value = "new_occupation_proposal")]
    NewOccupationProposal,
}

impl ResourceKind {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PrintedTextbook => "技能培训教材（纸质）",
            Self::ETextbook => "技能培训教材（电子）",
            Self::CourseStandard => "培训课程标准",
            Self::TrainingCourse => "技能培训课程",
            Self::OnlineCourse => "线上培训课程",
            Self::EvaluationSpecification => "行业企业评价规范",
            Self::TheoryQuestionBank => "技能人才评价公共理论题库",
            Self::IntegratedCaseCourse => "工学一体化案例课程",
            Self::NewOccupationProposal => "新职业建议书",
        }
    }

    /// The stored and API code, e.g. `online_course`.
    #[must_use]
    pub fn code(self) -> String {
        self.to_value()
    }
}

/// 专家类型 (000 第十六条(一)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ExpertType {
    /// 方法专家
    #[sea_orm(string_value = "method")]
    Method,
    /// 内容专家
    #[sea_orm(string_value = "content")]
    Content,
    /// 实际工作专家
    #[sea_orm(string_value = "practical")]
    Practical,
}

impl ExpertType {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Method => "方法专家",
            Self::Content => "内容专家",
            Self::Practical => "实际工作专家",
        }
    }
}

/// Professional title (职称), ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    None,
    /// 初级
    Junior,
    /// 中级
    Intermediate,
    /// 副高级
    DeputySenior,
    /// 正高级
    Senior,
}

/// Skill level (职业技能等级), ordered (the eight levels without 首席技师/特级技师).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillLevel {
    None,
    /// 初级工
    JuniorWorker,
    /// 中级工
    IntermediateWorker,
    /// 高级工
    SeniorWorker,
    /// 技师
    Technician,
    /// 高级技师
    SeniorTechnician,
    /// 特级技师
    PrincipalTechnician,
    /// 首席技师
    ChiefTechnician,
}

/// A development-team role of a 技研项目 (000 第十九条(三)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// 技师
    Technician,
    /// 教师
    Teacher,
    /// 工程师
    Engineer,
    Other,
}

/// An expert's recommendation (categories other than 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// 建议立项 / 推荐
    #[sea_orm(string_value = "recommend")]
    Recommend,
    /// 不建议
    #[sea_orm(string_value = "not_recommend")]
    NotRecommend,
}

/// A panel seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PanelMemberStatus {
    /// Drawn; has not declared yet (cannot see the application).
    #[sea_orm(string_value = "drawn")]
    Drawn,
    /// Declared no conflict of interest: may read and score.
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// Declared a conflict (回避): removed from the panel, never drawn again for this application.
    #[sea_orm(string_value = "conflicted")]
    Conflicted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// 公示中
    #[sea_orm(string_value = "open")]
    Open,
    /// 公示期满
    #[sea_orm(string_value = "closed")]
    Closed,
}

/// What a notice is for: the 5-working-day 公示 of proposed or developed
/// projects, or the 10-working-day comment period of an evaluation
/// specification (000 第十六条(四)), which collects comments like objections
/// and moves no application when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum NoticePurpose {
    /// 公示 (拟认定、拟立项、结果公示)
    #[sea_orm(string_value = "publicity")]
    Publicity,
    /// 征求意见
    #[sea_orm(string_value = "comment_period")]
    CommentPeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    /// 调查核实中
    #[sea_orm(string_value = "open")]
    Open,
    /// 异议成立
    #[sea_orm(string_value = "upheld")]
    Upheld,
    /// 异议不成立
    #[sea_orm(string_value = "dismissed")]
    Dismissed,
}

impl ObjectionStatus {
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Open => "调查核实中",
            Self::Upheld => "异议成立",
            Self::Dismissed => "异议不成立",
        }
    }
}
