//! The skill-resource sections of `DashboardOverview` (issues 6 and 7):
//! applications and their funnel, notices ending this week, funding against
//! the fee schedule, reassessments due.

use chrono::{DateTime, NaiveDate, Utc};
use entities::dashboard::FUNNEL_STAGES;
use poem_openapi::Object;
use uuid::Uuid;

use crate::{
    routes::resource_dto::{ApplicationStatusDto, CategoryDto, FeeItemDto, NoticeStatusDto},
    services::dashboard::resources::{
        ApplicationFigures, FundingFigures, Money, NoticeEnding, NoticeFigures, ReassessmentFigures, notice_path,
    },
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryStatusCount {
    pub category: CategoryDto,
    pub status: ApplicationStatusDto,
    pub status_label: String,
    pub count: u64,
}

/// One stage of the funnel: applications that reached it (or went further).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FunnelStage {
    /// 已申报, 专家评审, 公示, 认定公布或立项
    pub stage: String,
    pub count: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryFunnel {
    pub category: CategoryDto,
    pub label: String,
    pub funnel: Vec<FunnelStage>,
}

/// 申报: applications handed in during `year` (Beijing dates), by category and status, and the funnel from submitted to published.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApplicationsSection {
    pub year: i32,
    pub total: u64,
    /// Reached 认定公布或立项 (published, approved for development, or published then revoked).
    pub published: u64,
    pub by_status: Vec<CategoryStatusCount>,
    pub funnel: Vec<FunnelStage>,
    pub by_category: Vec<CategoryFunnel>,
}

fn stages(counts: &[u64; 4]) -> Vec<FunnelStage> {
    FUNNEL_STAGES.iter().zip(counts).map(|(s, n)| FunnelStage { stage: (*s).to_string(), count: *n }).collect()
}

impl From<&ApplicationFigures> for ApplicationsSection {
    fn from(a: &ApplicationFigures) -> Self {
        Self {
            year: a.year,
            total: a.total,
            published: a.funnel[3],
            by_status: a
                .by_status
                .iter()
                .map(|(c, s, n)| CategoryStatusCount {
                    category: (*c).into(),
                    status: (*s).into(),
                    status_label: s.label_zh().into(),
                    count: *n,
                })
                .collect(),
            funnel: stages(&a.funnel),
            by_category: a
                .funnel_by_category
                .iter()
                .map(|(c, f)| CategoryFunnel { category: (*c).into(), label: c.label_zh().into(), funnel: stages(f) })
                .collect(),
        }
    }
}

/// A notice ending this week.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticeEndingDto {
    pub id: Uuid,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: NoticeStatusDto,
    pub applications: u64,
    pub open_objections: u64,
    /// The notice resource: `/api/v1/notices/{id}`.
    pub url: String,
}

impl From<&NoticeEnding> for NoticeEndingDto {
    fn from(n: &NoticeEnding) -> Self {
        Self {
            id: n.id,
            title: n.title.clone(),
            published_at: n.published_at,
            ends_at: n.ends_at,
            status: n.status.into(),
            applications: n.applications,
            open_objections: n.open_objections,
            url: notice_path(n.id),
        }
    }
}

/// 公示: notices open, those ending in the service's week (Monday–Sunday, Asia/Shanghai), objections not yet ruled on.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NoticesSection {
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    pub open: u64,
    pub ending_this_week: u64,
    pub open_objections: u64,
    /// Notices ending this week, soonest first (at most 50).
    pub ending: Vec<NoticeEndingDto>,
}

impl From<&NoticeFigures> for NoticesSection {
    fn from(n: &NoticeFigures) -> Self {
        Self {
            week_start: n.week.0,
            week_end: n.week.1,
            open: n.open,
            ending_this_week: n.ending_this_week,
            open_objections: n.open_objections,
            ending: n.ending.iter().map(Into::into).collect(),
        }
    }
}

/// Payments, integer yuan.
#[derive(Object, Clone, Copy)]
#[oai(skip_serializing_if_is_none)]
pub struct MoneyDto {
    pub payments: u64,
    pub quantity: i64,
    /// Every payment recorded (committed on publication; clawed-back ones included).
    pub committed: i64,
    /// Disbursed and standing.
    pub disbursed: i64,
    /// Committed, not yet disbursed.
    pub undisbursed: i64,
    /// Payments clawed back (000 第二十二条): their amount and count.
    pub clawed_back: i64,
    pub clawed_back_payments: u64,
    /// What is to be recovered of the clawed-back payments (what had been disbursed).
    pub to_recover: i64,
}

impl From<Money> for MoneyDto {
    fn from(m: Money) -> Self {
        Self {
            payments: m.payments,
            quantity: m.quantity,
            committed: m.committed,
            disbursed: m.disbursed,
            undisbursed: m.undisbursed(),
            clawed_back: m.clawed_back,
            clawed_back_payments: m.clawed_back_payments,
            to_recover: m.to_recover,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryMoney {
    pub category: CategoryDto,
    pub label: String,
    pub money: MoneyDto,
}

/// One line of 附件2 with the payments made under it.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeeItemMoney {
    pub fee_item: FeeItemDto,
    pub label: String,
    /// Integer yuan per unit in the version in force today (null before the first version).
    pub unit_amount: Option<i64>,
    pub money: MoneyDto,
}

/// 经费: payments of `year` (year of publication) by category and by line of the fee schedule.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FundingSection {
    pub year: i32,
    pub total: MoneyDto,
    pub by_category: Vec<CategoryMoney>,
    pub by_fee_item: Vec<FeeItemMoney>,
    /// The fee schedule version in force today.
    pub schedule_version: Option<i32>,
    pub schedule_effective_from: Option<NaiveDate>,
}

impl From<&FundingFigures> for FundingSection {
    fn from(f: &FundingFigures) -> Self {
        Self {
            year: f.year,
            total: f.total.into(),
            by_category: f
                .by_category
                .iter()
                .map(|(c, m)| CategoryMoney { category: (*c).into(), label: c.label_zh().into(), money: (*m).into() })
                .collect(),
            by_fee_item: f
                .by_fee_item
                .iter()
                .map(|(i, m, unit)| FeeItemMoney {
                    fee_item: (*i).into(),
                    label: i.label_zh().into(),
                    unit_amount: *unit,
                    money: (*m).into(),
                })
                .collect(),
            schedule_version: f.schedule_version,
            schedule_effective_from: f.schedule_effective_from,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryReassessments {
    pub category: CategoryDto,
    pub label: String,
    pub overdue: u64,
    pub due_soon: u64,
}

/// 复评: published resources (not revoked) whose next assessment is past (overdue) or within 60 days (due_soon).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReassessmentsSection {
    pub total: u64,
    pub overdue: u64,
    pub due_soon: u64,
    pub by_category: Vec<CategoryReassessments>,
}

impl From<&ReassessmentFigures> for ReassessmentsSection {
    fn from(r: &ReassessmentFigures) -> Self {
        Self {
            total: r.total(),
            overdue: r.overdue,
            due_soon: r.due_soon,
            by_category: r
                .by_category
                .iter()
                .map(|(c, o, d)| CategoryReassessments { category: (*c).into(), label: c.label_zh().into(), overdue: *o, due_soon: *d })
                .collect(),
        }
    }
}
