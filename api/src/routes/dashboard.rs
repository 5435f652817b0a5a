//! `dashboard`: the bureau's overview of a period and the overdue list, with
//! exports (bureau roles only; org users and experts get 403). The HTML page
//! `/dashboard` (crate `page`) shows the same figures.
//!
//! The overview is an object of sections (the skill-resource ones in
//! [`sections`]); new sections are added as new fields, so clients must
//! ignore fields they do not know.

pub mod sections;

use chrono::NaiveDate;
use entities::{OrgKind, dashboard::Change, report::Standing};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::Query,
    payload::{Attachment, AttachmentType, Json},
};
use uuid::Uuid;

use super::{alliances::StatusDto, enums::OrgKindDto, reports::dto::StandingDto};
use crate::{
    auth::BearerAuth,
    error::ApiResult,
    routes::Tag,
    services::dashboard::{
        self as svc, AllianceTraining, Compliance, Overview, Training,
        export::{self, report_path},
        overdue::{self, OverdueItem, OverduePaging},
    },
    state::AppState,
};

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StatusCount {
    pub status: StatusDto,
    pub label: String,
    pub count: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct IndustryCount {
    pub industry: String,
    pub count: u64,
}

/// 联盟: every alliance by status; those on file (registered, suspended) by industry.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlliancesSection {
    pub total: u64,
    pub registered: u64,
    pub by_status: Vec<StatusCount>,
    pub by_industry: Vec<IndustryCount>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct KindCount {
    pub kind: OrgKindDto,
    /// 一、企业 … 七、其他
    pub label: String,
    /// Distinct organisations.
    pub units: u64,
    /// Memberships (an organisation in two alliances counts twice).
    pub memberships: u64,
}

/// 成员单位: current members of registered or suspended alliances, by kind.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MembersSection {
    pub units: u64,
    pub memberships: u64,
    pub by_kind: Vec<KindCount>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StandingCount {
    pub status: StandingDto,
    pub label: String,
    pub count: u64,
}

/// 报送情况 of one period.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ComplianceDto {
    pub period: String,
    pub period_label: String,
    pub report_due: NaiveDate,
    /// Alliances owing the period.
    pub owed: u64,
    pub not_started: u64,
    pub in_progress: u64,
    /// Submitted on time, awaiting review.
    pub submitted_on_time: u64,
    /// Submitted after the due date, awaiting review.
    pub late: u64,
    pub overdue: u64,
    pub accepted: u64,
    pub returned: u64,
    /// Every standing, in order.
    pub by_status: Vec<StandingCount>,
    /// Submitted at least once (submitted, late, accepted, returned).
    pub handed_in: u64,
    /// First submission on or before the due date.
    pub on_time: u64,
    /// handed_in ÷ owed in ‰ (tenths of a percent); null when nothing is owed.
    pub handed_in_permille: Option<u32>,
    /// on_time ÷ owed in ‰: the compliance rate.
    pub on_time_permille: Option<u32>,
    /// "83.3%"
    pub on_time_rate_label: String,
}

impl From<&Compliance> for ComplianceDto {
    fn from(c: &Compliance) -> Self {
        Self {
            period: c.period.code(),
            period_label: c.period.label_zh(),
            report_due: c.deadlines.report.due,
            owed: c.owed,
            not_started: c.count(Standing::NotStarted),
            in_progress: c.count(Standing::InProgress),
            submitted_on_time: c.count(Standing::Submitted),
            late: c.count(Standing::Late),
            overdue: c.count(Standing::Overdue),
            accepted: c.count(Standing::Accepted),
            returned: c.count(Standing::Returned),
            by_status: c
                .by_standing
                .iter()
                .map(|(s, n)| StandingCount { status: (*s).into(), label: s.label_zh().into(), count: *n })
                .collect(),
            handed_in: c.handed_in,
            on_time: c.on_time,
            handed_in_permille: c.handed_in_permille(),
            on_time_permille: c.on_time_permille(),
            on_time_rate_label: entities::dashboard::percent_label(c.on_time_permille()),
        }
    }
}

/// 附件3 figures: trainees (当期培训人数) and staff trained by level.
#[derive(Object, Clone, Copy)]
#[oai(skip_serializing_if_is_none)]
pub struct TrainingDto {
    pub trainees: i64,
    pub senior_technician: i64,
    pub technician: i64,
    pub senior_worker: i64,
    pub intermediate_worker: i64,
    pub junior_worker: i64,
    pub special: i64,
    pub general_workers: i64,
}

impl From<Training> for TrainingDto {
    fn from(t: Training) -> Self {
        Self {
            trainees: t.trainees,
            senior_technician: t.senior_technician,
            technician: t.technician,
            senior_worker: t.senior_worker,
            intermediate_worker: t.intermediate_worker,
            junior_worker: t.junior_worker,
            special: t.special,
            general_workers: t.general_workers,
        }
    }
}

/// Change from the previous period.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChangeDto {
    pub delta: i64,
    /// Relative change in ‰; null when the previous figure is 0.
    pub permille: Option<i64>,
}

impl From<Change> for ChangeDto {
    fn from(c: Change) -> Self {
        Self { delta: c.delta, permille: c.permille }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryTraining {
    pub kind: OrgKindDto,
    pub label: String,
    pub current: TrainingDto,
    pub previous: TrainingDto,
    pub trainees_change: ChangeDto,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AllianceTrainingDto {
    pub alliance_id: Uuid,
    pub alliance_name: String,
    pub current: TrainingDto,
    pub previous: TrainingDto,
    pub trainees_change: ChangeDto,
}

impl From<&AllianceTraining> for AllianceTrainingDto {
    fn from(a: &AllianceTraining) -> Self {
        Self {
            alliance_id: a.alliance_id,
            alliance_name: a.name.clone(),
            current: a.current.into(),
            previous: a.previous.into(),
            trainees_change: entities::dashboard::change(a.current.trainees, a.previous.trainees).into(),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PeriodTrainees {
    pub period: String,
    pub period_label: String,
    pub trainees: i64,
}

/// 培训情况: sums of 附件3 over reports handed in (submitted or accepted), rows of members on the period's last day.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TrainingSection {
    pub period: String,
    pub previous_period: Option<String>,
    pub total: TrainingDto,
    pub previous_total: TrainingDto,
    pub trainees_change: ChangeDto,
    pub by_category: Vec<CategoryTraining>,
    /// The ten alliances with the most trainees (the XLSX export lists every alliance).
    pub top_alliances: Vec<AllianceTrainingDto>,
    /// The last six periods, oldest first.
    pub trainees_by_period: Vec<PeriodTrainees>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OverdueSection {
    /// Reports not handed in after their due date, all periods.
    pub total: u64,
    pub oldest_period: Option<String>,
}

/// 禁入: bans in force (000 第二十二条).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BansSection {
    pub active: u64,
    /// Distinct credit codes.
    pub organizations: u64,
    pub ending_within_90_days: u64,
}

/// 邮件: outgoing mail that failed for good, and mail waiting.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MailSection {
    pub dead: u64,
    pub pending: u64,
}

/// 统计看板 of one period. New sections are added as new fields.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DashboardOverview {
    pub period: String,
    pub period_label: String,
    pub year: i32,
    /// The service's date (Asia/Shanghai) the figures are for.
    pub as_of: NaiveDate,
    pub alliances: AlliancesSection,
    pub members: MembersSection,
    pub reports: ComplianceDto,
    /// The last six periods, oldest first (the last one is `reports`).
    pub reports_by_period: Vec<ComplianceDto>,
    pub training: TrainingSection,
    pub overdue: OverdueSection,
    pub bans: BansSection,
    pub mail: MailSection,
    /// Applications handed in during `year`.
    pub applications: sections::ApplicationsSection,
    pub notices: sections::NoticesSection,
    /// Payments of `year`.
    pub funding: sections::FundingSection,
    pub reassessments: sections::ReassessmentsSection,
}

impl From<Overview> for DashboardOverview {
    fn from(o: Overview) -> Self {
        let a = &o.alliances;
        let t = &o.training;
        Self {
            period: o.scope.period.code(),
            period_label: o.scope.period.label_zh(),
            year: o.scope.year,
            as_of: o.today,
            alliances: AlliancesSection {
                total: a.total,
                registered: a.registered(),
                by_status: a
                    .by_status
                    .iter()
                    .map(|(s, n)| StatusCount { status: (*s).into(), label: s.label_zh().into(), count: *n })
                    .collect(),
                by_industry: a.by_industry.iter().map(|(i, n)| IndustryCount { industry: i.clone(), count: *n }).collect(),
            },
            members: MembersSection {
                units: o.members.units,
                memberships: o.members.memberships,
                by_kind: o.members.by_kind.iter().map(|(k, u, m)| kind_count(*k, *u, *m)).collect(),
            },
            reports: (&o.compliance).into(),
            reports_by_period: o.compliance_history.iter().map(Into::into).collect(),
            training: TrainingSection {
                period: t.period.code(),
                previous_period: t.previous_period.map(entities::report::Period::code),
                total: t.total.into(),
                previous_total: t.previous_total.into(),
                trainees_change: t.trainees_change.into(),
                by_category: t
                    .by_category
                    .iter()
                    .map(|(k, c, p)| CategoryTraining {
                        kind: (*k).into(),
                        label: k.group_heading(),
                        current: (*c).into(),
                        previous: (*p).into(),
                        trainees_change: entities::dashboard::change(c.trainees, p.trainees).into(),
                    })
                    .collect(),
                top_alliances: t.top_alliances.iter().map(Into::into).collect(),
                trainees_by_period: t
                    .trainees_history
                    .iter()
                    .map(|(p, n)| PeriodTrainees { period: p.code(), period_label: p.label_zh(), trainees: *n })
                    .collect(),
            },
            overdue: OverdueSection { total: o.overdue.total, oldest_period: o.overdue.oldest_period.map(entities::report::Period::code) },
            bans: BansSection {
                active: o.bans.active,
                organizations: o.bans.organizations,
                ending_within_90_days: o.bans.ending_within_90_days,
            },
            mail: MailSection { dead: o.mail.dead, pending: o.mail.pending },
            applications: (&o.applications).into(),
            notices: (&o.notices).into(),
            funding: (&o.funding).into(),
            reassessments: (&o.reassessments).into(),
        }
    }
}

fn kind_count(k: OrgKind, units: u64, memberships: u64) -> KindCount {
    KindCount { kind: k.into(), label: k.group_heading(), units, memberships }
}

/// A report not handed in after its due date.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OverdueReport {
    pub period: String,
    pub period_label: String,
    pub report_due: NaiveDate,
    pub days_overdue: i64,
    pub alliance_id: Uuid,
    pub alliance_name: String,
    pub registration_no: Option<String>,
    pub industry: String,
    pub initiator_name: String,
    pub contact_person: String,
    pub office_phone: String,
    /// `not_started` or `in_progress` (something written).
    pub progress: String,
    /// The report resource: `/api/v1/alliances/{id}/reports/{period}`.
    pub url: String,
}

impl From<&OverdueItem> for OverdueReport {
    fn from(i: &OverdueItem) -> Self {
        Self {
            period: i.period.code(),
            period_label: i.period.label_zh(),
            report_due: i.due,
            days_overdue: i.days_overdue,
            alliance_id: i.alliance_id,
            alliance_name: i.alliance_name.clone(),
            registration_no: i.registration_no.clone(),
            industry: i.industry.clone(),
            initiator_name: i.initiator_name.clone(),
            contact_person: i.contact_person.clone(),
            office_phone: i.office_phone.clone(),
            progress: if i.started { "in_progress" } else { "not_started" }.into(),
            url: report_path(i),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OverduePageDto {
    pub items: Vec<OverdueReport>,
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum DashboardXlsx {
    /// One sheet per section, Chinese headers.
    #[oai(status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Ok(Attachment<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum DashboardCsv {
    /// UTF-8 with BOM, Chinese headers.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(Attachment<Vec<u8>>),
}

#[derive(Default)]
pub struct DashboardApi;

#[OpenApi(prefix_path = "/dashboard", tag = "Tag::Dashboard")]
impl DashboardApi {
    /// 统计看板 The overview of a period (bureau): alliances by status and industry, member units by kind, report compliance (and the last six periods), training totals of 附件3 by category and alliance with the change from the previous period, overdue reports, bans in force, dead mail; applications handed in during `year` by category and status with the funnel, notices open and ending this week with open objections, payments of `year` by category and line of the fee schedule, resources due for reassessment. `period` is `2026H1`, or `H1`/`H2` with `year`; default: the latest period that has ended.
    #[oai(path = "/overview", method = "get")]
    async fn overview(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Query<Option<i32>>,
        period: Query<Option<String>>,
    ) -> ApiResult<Json<DashboardOverview>> {
        let scope = svc::scope(year.0, period.0.as_deref(), state.clock.today())?;
        Ok(Json(svc::overview(&state, &auth.0, scope).await?.into()))
    }

    /// 统计看板导出 The overview as XLSX, one sheet per section (bureau).
    #[oai(path = "/overview.xlsx", method = "get")]
    async fn overview_xlsx(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Query<Option<i32>>,
        period: Query<Option<String>>,
    ) -> ApiResult<DashboardXlsx> {
        let scope = svc::scope(year.0, period.0.as_deref(), state.clock.today())?;
        let (name, bytes) = export::overview_xlsx(&state, &auth.0, scope).await?;
        Ok(DashboardXlsx::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name)))
    }

    /// 逾期未报 Reports not handed in after their due date, all periods, oldest first (bureau).
    #[oai(path = "/overdue", method = "get")]
    async fn overdue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<OverduePageDto>> {
        let paging = OverduePaging::parse(limit.0, cursor.0.as_deref())?;
        let page = overdue::list(&state, &auth.0, &paging).await?;
        Ok(Json(OverduePageDto { items: page.items.iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
    }

    /// 逾期未报导出 The overdue list as CSV (bureau).
    #[oai(path = "/overdue.csv", method = "get")]
    async fn overdue_csv(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<DashboardCsv> {
        let (name, bytes) = export::overdue_csv(&state, &auth.0).await?;
        Ok(DashboardCsv::Ok(Attachment::new(bytes).attachment_type(AttachmentType::Attachment).filename(name)))
    }
}
