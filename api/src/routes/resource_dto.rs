//! API mirrors of the skill-resource enums and the response objects shared
//! by the resource routes (API types are not entities).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    models::{application, call, expert, objection, resource},
    resource::{
        ApplicationStatus, Category, ExpertType, NoticePurpose, NoticeStatus, ObjectionStatus, PanelMemberStatus, Recommendation,
        ResourceKind, SkillLevel, TeamRole, TitleLevel,
        development::MilestoneKind,
        funding::{FeeItem, PaymentStatus},
        operation::AssessmentOutcome,
        scoring::{PanelScore, format_hundredths},
    },
};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::services::resources::{applications, notices::NoticeView};

macro_rules! mirror {
    ($(#[$doc:meta])* $dto:ident, $name:literal, $ent:ident, [$($v:ident),+ $(,)?]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
        #[oai(rename = $name, rename_all = "snake_case")]
        pub enum $dto { $($v),+ }
        impl From<$dto> for $ent {
            fn from(v: $dto) -> Self { match v { $($dto::$v => Self::$v),+ } }
        }
        impl From<$ent> for $dto {
            fn from(v: $ent) -> Self { match v { $($ent::$v => Self::$v),+ } }
        }
    };
}

mirror!(
    /// 项目类别 (000 第四条): new_occupation 新职业, standard_upgrade 国家/省标准开发升级, training_resource 培训资源认定,
    /// evaluation_resource 评价资源开发, skill_research 技研项目.
    CategoryDto, "ResourceCategory", Category, [NewOccupation, StandardUpgrade, TrainingResource, EvaluationResource, SkillResearch]
);
mirror!(
    /// 资源类型.
    ResourceKindDto, "ResourceKind", ResourceKind,
    [PrintedTextbook, ETextbook, CourseStandard, TrainingCourse, OnlineCourse, EvaluationSpecification, TheoryQuestionBank, IntegratedCaseCourse, NewOccupationProposal]
);
mirror!(
    /// 经费支付标准项目 (附件2).
    FeeItemDto, "FeeItem", FeeItem,
    [PrintedTextbook, ETextbook, CertifiedCourse, OnlineCourse, EvaluationSpecification, TheoryQuestionBankLevel, IntegratedCaseCourse]
);
mirror!(
    /// 评估结论 (000 第二十一条): keep 继续保留, update_required 需要更新, withdraw 撤出目录.
    AssessmentOutcomeDto, "AssessmentOutcome", AssessmentOutcome, [Keep, UpdateRequired, Withdraw]
);
mirror!(
    /// 经费状态: committed 待拨付, disbursed 已拨付, clawed_back 已追回.
    PaymentStatusDto, "PaymentStatus", PaymentStatus, [Committed, Disbursed, ClawedBack]
);
mirror!(
    /// 申报状态.
    ApplicationStatusDto, "ApplicationStatus", ApplicationStatus,
    [Draft, Submitted, UnderReview, NotSelected, OnNotice, AwaitingRuling, AwaitingApproval, Refused, Published, ApprovedForDevelopment, ReportedUpward, Included, NotIncluded, Completed, Revoked,
     InDevelopment, Accepted, ResultsOnNotice, ResultsAwaitingRuling, AwaitingPublication, Ingested, Terminated]
);
mirror!(
    /// 专家类型: method 方法专家, content 内容专家, practical 实际工作专家.
    ExpertTypeDto, "ExpertType", ExpertType, [Method, Content, Practical]
);
mirror!(
    /// 职称: none, junior 初级, intermediate 中级, deputy_senior 副高级, senior 正高级.
    TitleLevelDto, "TitleLevel", TitleLevel, [None, Junior, Intermediate, DeputySenior, Senior]
);
mirror!(
    /// 职业技能等级.
    SkillLevelDto, "SkillLevel", SkillLevel,
    [None, JuniorWorker, IntermediateWorker, SeniorWorker, Technician, SeniorTechnician, PrincipalTechnician, ChiefTechnician]
);
mirror!(
    /// 团队角色: technician 技师, teacher 教师, engineer 工程师, other.
    TeamRoleDto, "TeamRole", TeamRole, [Technician, Teacher, Engineer, Other]
);
mirror!(
    /// 评审建议.
    RecommendationDto, "Recommendation", Recommendation, [Recommend, NotRecommend]
);
mirror!(
    /// 公示状态.
    NoticeStatusDto, "NoticeStatus", NoticeStatus, [Open, Closed]
);
mirror!(
    /// 公示用途: publicity 公示（拟认定、拟立项、结果公示）, comment_period 征求意见（评价规范，10个工作日）.
    NoticePurposeDto, "NoticePurpose", NoticePurpose, [Publicity, CommentPeriod]
);
mirror!(
    /// 开发环节 (000 第十六条, 第二十条).
    MilestoneKindDto, "MilestoneKind", MilestoneKind,
    [WritingGroup, Kickoff, InitialReview, CommentPeriod, FinalReview, Submission, Approval, ProgressReport, AcceptanceReview]
);
mirror!(
    /// 异议状态: open 调查核实中, upheld 异议成立, dismissed 异议不成立.
    ObjectionStatusDto, "ObjectionStatus", ObjectionStatus, [Open, Upheld, Dismissed]
);
mirror!(
    /// 专家席位: drawn 已抽取待声明, accepted 已声明无利益冲突, conflicted 已回避.
    PanelMemberStatusDto, "PanelMemberStatus", PanelMemberStatus, [Drawn, Accepted, Conflicted]
);

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CallOut {
    pub id: Uuid,
    pub category: CategoryDto,
    pub category_label: String,
    pub title: String,
    pub description: String,
    pub document_id: Option<Uuid>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Accepting applications now.
    pub open: bool,
}

impl CallOut {
    #[must_use]
    pub fn new(c: call::Model, now: DateTime<Utc>) -> Self {
        Self {
            open: c.is_open(now),
            id: c.id,
            category: c.category.into(),
            category_label: c.category.label_zh().into(),
            title: c.title,
            description: c.description,
            document_id: c.document_id,
            opens_at: c.opens_at,
            closes_at: c.closes_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EnterpriseOut {
    pub name: String,
    pub credit_code: Option<String>,
    pub usage_report_document_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeamMemberOut {
    pub name: String,
    pub role: TeamRoleDto,
    pub qualification: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LeaderOut {
    pub name: String,
    pub title_level: TitleLevelDto,
    pub skill_level: SkillLevelDto,
}

/// A coded message: a rule submission would refuse.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RuleIssue {
    pub code: String,
    pub field: String,
    pub message: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApplicationOut {
    pub id: Uuid,
    /// 申报编号 DGJN-YYYY-NNNN (from submission).
    pub number: Option<String>,
    pub call_id: Uuid,
    pub organization_id: Uuid,
    pub category: CategoryDto,
    pub category_label: String,
    pub resource_kind: ResourceKindDto,
    pub resource_kind_label: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub levels: Vec<String>,
    pub title: String,
    pub description: String,
    pub document_ids: Vec<Uuid>,
    pub trainees_last_3_years: Option<i64>,
    pub ip_declared: bool,
    pub enterprises: Vec<EnterpriseOut>,
    pub team: Vec<TeamMemberOut>,
    pub leader: Option<LeaderOut>,
    pub funding_source: Option<String>,
    pub status: ApplicationStatusDto,
    pub status_label: String,
    /// Why it was refused, declined or marked.
    pub status_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Drafts: what submission would refuse now, each with its code.
    pub readiness: Vec<RuleIssue>,
}

impl From<application::Model> for ApplicationOut {
    fn from(a: application::Model) -> Self {
        Self {
            enterprises: applications::enterprises(&a)
                .into_iter()
                .map(|e| EnterpriseOut { name: e.name, credit_code: e.credit_code, usage_report_document_id: e.usage_report_document_id })
                .collect(),
            team: applications::team(&a)
                .into_iter()
                .map(|t| TeamMemberOut { name: t.name, role: t.role.into(), qualification: t.qualification })
                .collect(),
            leader: applications::leader(&a).map(|l| LeaderOut {
                name: l.name,
                title_level: l.title_level.into(),
                skill_level: l.skill_level.into(),
            }),
            levels: serde_json::from_value(a.levels.clone()).unwrap_or_default(),
            document_ids: serde_json::from_value(a.document_ids.clone()).unwrap_or_default(),
            id: a.id,
            number: a.number,
            call_id: a.call_id,
            organization_id: a.organization_id,
            category: a.category.into(),
            category_label: a.category.label_zh().into(),
            resource_kind: a.resource_kind.into(),
            resource_kind_label: a.resource_kind.label_zh().into(),
            occupation_code: a.occupation_code,
            occupation_name: a.occupation_name,
            title: a.title,
            description: a.description,
            trainees_last_3_years: a.trainees_last_3_years,
            ip_declared: a.ip_declared,
            funding_source: a.funding_source,
            status: a.status.into(),
            status_label: a.status.label_zh().into(),
            status_reason: a.status_reason,
            version: a.version,
            created_at: a.created_at,
            submitted_at: a.submitted_at,
            readiness: Vec::new(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationOut>,
    pub next_cursor: Option<String>,
}

/// An exact mean: numerator / denominator hundredths of a point.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExactMean {
    pub numerator: u64,
    pub denominator: u64,
}

/// The panel's score: mean (rounded for display; ranking uses the exact value) and spread.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ScoreOut {
    /// e.g. "80.17"
    pub mean: String,
    pub mean_hundredths: u64,
    pub mean_exact: ExactMean,
    /// Highest minus lowest expert score, e.g. "5.50".
    pub spread: String,
    pub spread_hundredths: u32,
    pub min: String,
    pub max: String,
    pub reviews: u64,
}

impl From<PanelScore> for ScoreOut {
    fn from(p: PanelScore) -> Self {
        let (numerator, denominator) = p.mean_exact();
        Self {
            mean: format_hundredths(p.mean_hundredths()),
            mean_hundredths: p.mean_hundredths(),
            mean_exact: ExactMean { numerator, denominator },
            spread: format_hundredths(u64::from(p.spread_hundredths())),
            spread_hundredths: p.spread_hundredths(),
            min: format_hundredths(u64::from(p.min_hundredths())),
            max: format_hundredths(u64::from(p.max_hundredths())),
            reviews: p.count(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExpertOut {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub name: String,
    pub specialty: String,
    pub title: String,
    pub organization_id: Option<Uuid>,
    pub organization_name: String,
    pub expert_type: ExpertTypeDto,
    pub expert_type_label: String,
    pub active: bool,
}

impl From<expert::Model> for ExpertOut {
    fn from(e: expert::Model) -> Self {
        Self {
            id: e.id,
            user_id: e.user_id,
            name: e.name,
            specialty: e.specialty,
            title: e.title,
            organization_id: e.organization_id,
            organization_name: e.organization_name,
            expert_type: e.expert_type.into(),
            expert_type_label: e.expert_type.label_zh().into(),
            active: e.active,
        }
    }
}

/// An application on a notice, as anyone may read it: no personal data.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeItemOut {
    pub application_id: Uuid,
    pub number: Option<String>,
    pub title: String,
    /// 申报单位 (organisation name only).
    pub applicant: String,
    pub category_label: String,
    pub resource_kind_label: String,
    pub occupation_name: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeOut {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub published_at: DateTime<Utc>,
    /// 17:30 (+08:00) on the 5th working day (the 10th for a comment period).
    pub ends_at: DateTime<Utc>,
    pub end_date: NaiveDate,
    /// How the end was computed: working days counted and dates skipped.
    pub explanation: String,
    pub status: NoticeStatusDto,
    pub purpose: NoticePurposeDto,
    /// Objections (comments, for a comment period) are accepted now.
    pub accepting_objections: bool,
    pub items: Vec<NoticeItemOut>,
}

impl NoticeOut {
    #[must_use]
    pub fn new(v: NoticeView, now: DateTime<Utc>) -> Self {
        let n = v.notice;
        Self {
            accepting_objections: n.status == NoticeStatus::Open && entities::resource::notice::is_open(n.ends_at, now),
            end_date: n.ends_at.with_timezone(&jobs::clock::shanghai()).date_naive(),
            id: n.id,
            title: n.title,
            body: n.body,
            published_at: n.published_at,
            ends_at: n.ends_at,
            explanation: n.explanation,
            status: n.status.into(),
            purpose: n.purpose.into(),
            items: v
                .items
                .into_iter()
                .map(|(a, applicant)| NoticeItemOut {
                    application_id: a.id,
                    number: a.number,
                    title: a.title,
                    applicant,
                    category_label: a.category.label_zh().into(),
                    resource_kind_label: a.resource_kind.label_zh().into(),
                    occupation_name: a.occupation_name,
                })
                .collect(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticePage {
    pub items: Vec<NoticeOut>,
    pub next_cursor: Option<String>,
}

/// An objection as bureau staff see it (with the objector's contact details).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ObjectionOut {
    pub id: Uuid,
    pub notice_id: Uuid,
    pub application_id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub argument: String,
    pub evidence_filename: Option<String>,
    pub status: ObjectionStatusDto,
    pub status_label: String,
    pub ruling: Option<String>,
    pub ruled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<objection::Model> for ObjectionOut {
    fn from(o: objection::Model) -> Self {
        Self {
            id: o.id,
            notice_id: o.notice_id,
            application_id: o.application_id,
            name: o.name,
            phone: o.phone,
            email: o.email,
            argument: o.argument,
            evidence_filename: o.evidence_filename,
            status: o.status.into(),
            status_label: o.status.label_zh().into(),
            ruling: o.ruling,
            ruled_at: o.ruled_at,
            created_at: o.created_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PolicyRef {
    pub title: String,
    pub valid_until: Option<NaiveDate>,
}

/// A published resource of the catalogue.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResourceOut {
    pub id: Uuid,
    /// The application number it was certified under.
    pub number: String,
    pub category: CategoryDto,
    pub kind: ResourceKindDto,
    pub kind_label: String,
    pub title: String,
    pub description: String,
    pub occupation_code: String,
    pub occupation_name: String,
    pub levels: Vec<String>,
    /// 申报单位 (organisation name).
    pub publisher: String,
    pub published_on: NaiveDate,
    pub last_assessed_on: Option<NaiveDate>,
    pub next_assessment_due: NaiveDate,
    /// The governing policy at publication (seed 000).
    pub policy: PolicyRef,
}

impl From<resource::Model> for ResourceOut {
    fn from(r: resource::Model) -> Self {
        Self {
            levels: serde_json::from_value(r.levels.clone()).unwrap_or_default(),
            id: r.id,
            number: r.number,
            category: r.category.into(),
            kind: r.kind.into(),
            kind_label: r.kind.label_zh().into(),
            title: r.title,
            description: r.description,
            occupation_code: r.occupation_code,
            occupation_name: r.occupation_name,
            publisher: r.publisher_name,
            published_on: r.published_on,
            last_assessed_on: r.last_assessed_on,
            next_assessment_due: r.next_assessment_due,
            policy: PolicyRef { title: r.policy_title, valid_until: r.policy_valid_until },
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResourcePage {
    pub items: Vec<ResourceOut>,
    pub next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CallPage {
    pub items: Vec<CallOut>,
    pub next_cursor: Option<String>,
}
