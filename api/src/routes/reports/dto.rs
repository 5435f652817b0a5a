//! Request and response types of the report routes, mapped from the
//! services' values (API types are not entities).

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    alliance::StaffCounts,
    models::report_round,
    report::{Deadline, Period, ProgressCounts, ReportStatus, RowCounts, Standing, Subtotal, check_row},
};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    routes::{
        alliances::{MemberRole, OrgRef, ReasonOut},
        enums::OrgKindDto,
    },
    services::reports::{
        rows::{Prefill, RowView},
        view::{MemberRow, OwedPeriod, ReportView},
    },
    text::Str,
};

/// A period in a path or query: `2026H1` / `2026H2`. A value that does not
/// parse is a 400 naming the parameter.
///
/// # Errors
/// 400 `bad_parameter` with the field.
pub fn parse_period(raw: &str) -> ApiResult<Period> {
    Period::parse("period", raw).map_err(|e| {
        let mut err = ApiError::bad_request("bad_parameter", "参数“period”（报送期）格式不正确", "Parameter `period` is malformed");
        err.details.errors.push(FieldMsg::from(e));
        err
    })
}

/// Where an alliance stands for a period.
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename = "ReportStanding", rename_all = "snake_case")]
pub enum StandingDto {
    /// 未开始
    NotStarted,
    /// 填报中
    InProgress,
    /// 已报送（按时）
    Submitted,
    /// 逾期报送
    Late,
    /// 已审核通过
    Accepted,
    /// 已退回修改
    Returned,
    /// 逾期未报
    Overdue,
}

impl From<Standing> for StandingDto {
    fn from(s: Standing) -> Self {
        match s {
            Standing::NotStarted => Self::NotStarted,
            Standing::InProgress => Self::InProgress,
            Standing::Submitted => Self::Submitted,
            Standing::Late => Self::Late,
            Standing::Accepted => Self::Accepted,
            Standing::Returned => Self::Returned,
            Standing::Overdue => Self::Overdue,
        }
    }
}

impl From<StandingDto> for Standing {
    fn from(s: StandingDto) -> Self {
        match s {
            StandingDto::NotStarted => Self::NotStarted,
            StandingDto::InProgress => Self::InProgress,
            StandingDto::Submitted => Self::Submitted,
            StandingDto::Late => Self::Late,
            StandingDto::Accepted => Self::Accepted,
            StandingDto::Returned => Self::Returned,
            StandingDto::Overdue => Self::Overdue,
        }
    }
}

/// Stored status of a report.
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename = "ReportStatus", rename_all = "snake_case")]
pub enum ReportStatusDto {
    /// 填报中
    Draft,
    /// 已报送待审核
    Submitted,
    /// 已退回修改
    Returned,
    /// 已审核通过
    Accepted,
}

impl From<ReportStatus> for ReportStatusDto {
    fn from(s: ReportStatus) -> Self {
        match s {
            ReportStatus::Draft => Self::Draft,
            ReportStatus::Submitted => Self::Submitted,
            ReportStatus::Returned => Self::Returned,
            ReportStatus::Accepted => Self::Accepted,
        }
    }
}

/// A due date: period end + N days, moved to the next working day.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeadlineDto {
    pub due: NaiveDate,
    pub nominal: NaiveDate,
    /// Why the nominal date was moved (周末, 法定节假日：春节).
    pub moved_because: Option<String>,
    /// The calendar of that year is not entered yet: the date may still move.
    pub provisional: bool,
    pub explanation: String,
}

impl From<&Deadline> for DeadlineDto {
    fn from(d: &Deadline) -> Self {
        Self {
            due: d.due,
            nominal: d.nominal,
            moved_because: d.moved_because.clone(),
            provisional: d.provisional,
            explanation: d.explain_zh(),
        }
    }
}

/// 附件2 职业培训联盟基本情况表: one member's staff.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object, Clone, Copy)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "BasicCounts")]
pub struct BasicDto {
    /// 职工总数（人）
    pub total_staff: i64,
    /// 其中：管理人员（人）
    pub management: i64,
    /// 专业技术职称（人）：高级
    pub title_senior: i64,
    /// 专业技术职称（人）：中级
    pub title_intermediate: i64,
    /// 专业技术职称（人）：初级
    pub title_junior: i64,
    /// 职业技能等级（人）：高级技师
    pub skill_senior_technician: i64,
    /// 职业技能等级（人）：技师
    pub skill_technician: i64,
    /// 职业技能等级（人）：高级工
    pub skill_senior_worker: i64,
    /// 职业技能等级（人）：中级工
    pub skill_intermediate_worker: i64,
    /// 职业技能等级（人）：初级工
    pub skill_junior_worker: i64,
    /// 职业技能等级（人）：专项职业能力
    pub skill_special: i64,
    /// 普工（人）
    pub general_workers: i64,
}

impl From<StaffCounts> for BasicDto {
    fn from(c: StaffCounts) -> Self {
        Self {
            total_staff: c.total_staff,
            management: c.management,
            title_senior: c.title_senior,
            title_intermediate: c.title_intermediate,
            title_junior: c.title_junior,
            skill_senior_technician: c.skill_senior_technician,
            skill_technician: c.skill_technician,
            skill_senior_worker: c.skill_senior_worker,
            skill_intermediate_worker: c.skill_intermediate_worker,
            skill_junior_worker: c.skill_junior_worker,
            skill_special: c.skill_special,
            general_workers: c.general_workers,
        }
    }
}

impl From<BasicDto> for StaffCounts {
    fn from(c: BasicDto) -> Self {
        Self {
            total_staff: c.total_staff,
            management: c.management,
            title_senior: c.title_senior,
            title_intermediate: c.title_intermediate,
            title_junior: c.title_junior,
            skill_senior_technician: c.skill_senior_technician,
            skill_technician: c.skill_technician,
            skill_senior_worker: c.skill_senior_worker,
            skill_intermediate_worker: c.skill_intermediate_worker,
            skill_junior_worker: c.skill_junior_worker,
            skill_special: c.skill_special,
            general_workers: c.general_workers,
        }
    }
}

/// 附件3 职业培训联盟工作进展情况表: one member's progress this period.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object, Clone, Copy)]
#[oai(skip_serializing_if_is_none)]
#[oai(rename = "ProgressCounts")]
pub struct ProgressDto {
    /// 当期培训（人）
    pub trainees: i64,
    /// 当期申报新职业（工种）（个）
    pub new_occupations: i64,
    /// 当期申报专项职业能力（个）
    pub special_abilities: i64,
    /// 当期加盟成员单位（个）
    pub members_joined: i64,
    /// 当期组织企业职工开展职业技能等级培训（人）：高级技师
    pub trained_senior_technician: i64,
    /// ……：技师
    pub trained_technician: i64,
    /// ……：高级工
    pub trained_senior_worker: i64,
    /// ……：中级工
    pub trained_intermediate_worker: i64,
    /// ……：初级工
    pub trained_junior_worker: i64,
    /// ……：专项职业能力
    pub trained_special: i64,
    /// 普工（人）
    pub trained_general_workers: i64,
}

impl From<ProgressCounts> for ProgressDto {
    fn from(c: ProgressCounts) -> Self {
        Self {
            trainees: c.trainees,
            new_occupations: c.new_occupations,
            special_abilities: c.special_abilities,
            members_joined: c.members_joined,
            trained_senior_technician: c.trained_senior_technician,
            trained_technician: c.trained_technician,
            trained_senior_worker: c.trained_senior_worker,
            trained_intermediate_worker: c.trained_intermediate_worker,
            trained_junior_worker: c.trained_junior_worker,
            trained_special: c.trained_special,
            trained_general_workers: c.trained_general_workers,
        }
    }
}

impl From<ProgressDto> for ProgressCounts {
    fn from(c: ProgressDto) -> Self {
        Self {
            trainees: c.trainees,
            new_occupations: c.new_occupations,
            special_abilities: c.special_abilities,
            members_joined: c.members_joined,
            trained_senior_technician: c.trained_senior_technician,
            trained_technician: c.trained_technician,
            trained_senior_worker: c.trained_senior_worker,
            trained_intermediate_worker: c.trained_intermediate_worker,
            trained_junior_worker: c.trained_junior_worker,
            trained_special: c.trained_special,
            trained_general_workers: c.trained_general_workers,
        }
    }
}

/// A member's rows: its line of 附件2 and of 附件3.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RowBody {
    pub basic: BasicDto,
    pub progress: ProgressDto,
}

impl TryFrom<RowBody> for RowCounts {
    type Error = ApiError;

    /// 003 附件2/附件3: no negatives, nothing over ten million, no breakdown above its total.
    fn try_from(b: RowBody) -> ApiResult<Self> {
        let counts = Self { basic: b.basic.into(), progress: b.progress.into() };
        let problems = check_row(&counts);
        if problems.is_empty() {
            Ok(counts)
        } else {
            Err(ApiError::validation(problems.into_iter().map(|(field, zh, en)| FieldMsg {
                msg: Msg::new(zh, format!("{field}: {en}")),
                field,
                code: None,
                label: false,
            })))
        }
    }
}

/// A member's rows as read: stored, or prefilled.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReportRowDto {
    pub organization: OrgRef,
    pub period: String,
    /// Stored with both tables entered (false: a prefill to confirm or change,
    /// or 附件3 still pending).
    pub filled: bool,
    /// "与上期相同" confirmed 附件2; 附件3 (this period's activity) is still to be
    /// entered, or answered with "本期无培训活动".
    pub progress_pending: bool,
    /// Filled by the initiator for a late member.
    pub filled_by_initiator: bool,
    /// The previous report's values confirmed ("no change").
    pub confirmed_no_change: bool,
    /// The period confirmed values were copied from.
    pub copied_from: Option<String>,
    /// For a prefill: the earlier period, or `member_form` (附件2 from the registration form).
    pub prefilled_from: Option<String>,
    pub basic: BasicDto,
    pub progress: ProgressDto,
    /// The row version, for `If-Match`.
    pub version: Option<i32>,
    pub updated_at: Option<DateTime<Utc>>,
    pub member_rows_due: DeadlineDto,
    /// The caller may write this row now.
    pub writable: bool,
}

impl From<RowView> for ReportRowDto {
    fn from(v: RowView) -> Self {
        Self {
            organization: (&v.member.organization).into(),
            period: v.ctx.period.code(),
            filled: v.row.as_ref().is_some_and(|r| !r.progress_pending),
            progress_pending: v.row.as_ref().is_some_and(|r| r.progress_pending),
            filled_by_initiator: v.row.as_ref().is_some_and(|r| r.filled_by_initiator),
            confirmed_no_change: v.row.as_ref().is_some_and(|r| r.confirmed_no_change),
            copied_from: v.row.as_ref().and_then(|r| r.copied_from.clone()),
            prefilled_from: v.prefilled_from.map(|p| match p {
                Prefill::Previous(p) => p.code(),
                Prefill::MemberForm => "member_form".into(),
            }),
            basic: v.counts.basic.into(),
            progress: v.counts.progress.into(),
            version: v.row.as_ref().map(|r| r.version),
            updated_at: v.row.as_ref().map(|r| r.updated_at),
            member_rows_due: (&v.ctx.deadlines.member_rows).into(),
            writable: v.writable,
        }
    }
}

/// A unit on the period's member list.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PeriodMemberDto {
    pub organization: OrgRef,
    pub role: MemberRole,
    /// 承担主体
    pub is_lead: bool,
    /// None: founding member.
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub joined_in_period: bool,
    pub left_in_period: bool,
    /// A member on the period's last day: its rows are required.
    pub required: bool,
    /// Both tables entered.
    pub filled: bool,
    /// 附件2 confirmed, 附件3 still to be entered.
    pub progress_pending: bool,
    pub filled_by_initiator: bool,
    pub confirmed_no_change: bool,
    pub basic: Option<BasicDto>,
    pub progress: Option<ProgressDto>,
}

/// 合计 or one category's subtotal.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CountsDto {
    /// "合计" or the category heading ("一、企业").
    pub label: String,
    /// None for 合计.
    pub kind: Option<OrgKindDto>,
    /// Member rows counted.
    pub rows: u32,
    pub basic: BasicDto,
    pub progress: ProgressDto,
}

fn counts_dto(label: String, kind: Option<OrgKindDto>, rows: usize, c: &RowCounts) -> CountsDto {
    CountsDto { label, kind, rows: u32::try_from(rows).unwrap_or(u32::MAX), basic: c.basic.into(), progress: c.progress.into() }
}

impl From<&Subtotal> for CountsDto {
    fn from(s: &Subtotal) -> Self {
        counts_dto(s.kind.group_heading(), Some(s.kind.into()), s.rows, &s.counts)
    }
}

#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReportRoundDto {
    pub round: i32,
    #[serde(serialize_with = "crate::json::rfc3339::serialize")]
    pub submitted_at: DateTime<Utc>,
    /// Days after the report's due date (0: on time).
    pub days_after_due: i32,
    #[serde(serialize_with = "crate::json::rfc3339::option::serialize")]
    pub decided_at: Option<DateTime<Utc>>,
    /// `returned` or `accepted`; absent while under review.
    pub outcome: Option<String>,
    pub reasons: Vec<ReasonOut>,
    pub comment: Option<String>,
}

impl From<&report_round::Model> for ReportRoundDto {
    fn from(r: &report_round::Model) -> Self {
        let reasons = r
            .reasons
            .as_ref()
            .and_then(|x| x.as_array())
            .map(|items| {
                items
                    .iter()
                    .map(|i| ReasonOut {
                        item: i["item"].as_str().unwrap_or_default().into(),
                        reason: i["reason"].as_str().unwrap_or_default().into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            round: r.round,
            submitted_at: r.submitted_at,
            days_after_due: r.days_after_due,
            decided_at: r.decided_at,
            outcome: r.outcome.map(|o| o.code().to_string()),
            reasons,
            comment: r.comment.clone(),
        }
    }
}

/// One half-year report.
#[serde_with::skip_serializing_none]
#[derive(serde::Serialize, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReportDetail {
    pub alliance_id: Uuid,
    pub alliance_name: String,
    pub registration_no: Option<String>,
    /// `2026H1`
    pub period: String,
    /// 2026年上半年度
    pub period_label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub status: StandingDto,
    pub status_label: String,
    /// None until something is written.
    pub report_status: Option<ReportStatusDto>,
    pub member_rows_due: DeadlineDto,
    pub report_due: DeadlineDto,
    /// While not submitted: days left (negative: days overdue).
    pub days_to_deadline: Option<i64>,
    #[serde(serialize_with = "crate::json::rfc3339::option::serialize")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::json::rfc3339::option::serialize")]
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// Days late of the first submission (0: on time).
    pub late_days: Option<i32>,
    /// H2 carries the year-end work summary (年终工作总结).
    pub summary_required: bool,
    pub summary_text: Option<String>,
    pub summary_document_id: Option<Uuid>,
    pub rows_required: u32,
    pub rows_filled: u32,
    /// The member list at period end (and who left during the period); a member sees only itself.
    pub members: Vec<PeriodMemberDto>,
    /// 合计 over the rows filled.
    pub totals: CountsDto,
    /// 一、企业 … 七、其他 (bureau and initiator; empty for a member).
    pub subtotals: Vec<CountsDto>,
    pub rounds: Vec<ReportRoundDto>,
    pub version: Option<i32>,
}

fn member_dto(m: &MemberRow, v: &ReportView) -> PeriodMemberDto {
    let a = &v.ctx.alliance;
    let org = &m.member.organization;
    PeriodMemberDto {
        organization: org.into(),
        role: if org.id == a.initiator_org_id { MemberRole::Initiator } else { MemberRole::Member },
        is_lead: org.id == a.lead_org_id,
        joined_on: m.member.joined_on,
        left_on: m.member.left_on,
        joined_in_period: m.member.joined_in(v.ctx.period),
        left_in_period: m.member.left_in(v.ctx.period),
        required: m.member.required,
        filled: m.filled(),
        progress_pending: m.row.as_ref().is_some_and(|r| r.progress_pending),
        filled_by_initiator: m.row.as_ref().is_some_and(|r| r.filled_by_initiator),
        confirmed_no_change: m.row.as_ref().is_some_and(|r| r.confirmed_no_change),
        basic: m.row.as_ref().map(|r| r.counts().basic.into()),
        progress: m.row.as_ref().map(|r| r.counts().progress.into()),
    }
}

impl From<ReportView> for ReportDetail {
    fn from(v: ReportView) -> Self {
        let a = &v.ctx.alliance;
        let p = v.ctx.period;
        let r = v.report.as_ref();
        let standing = v.standing();
        Self {
            alliance_id: a.id,
            alliance_name: a.name.clone(),
            registration_no: a.registration_no.clone(),
            period: p.code(),
            period_label: p.label_zh(),
            period_start: p.start(),
            period_end: p.end(),
            status: standing.into(),
            status_label: standing.label_zh().into(),
            report_status: r.map(|r| r.status.into()),
            member_rows_due: (&v.ctx.deadlines.member_rows).into(),
            report_due: (&v.ctx.deadlines.report).into(),
            days_to_deadline: v.days_to_deadline(),
            submitted_at: r.and_then(|r| r.submitted_at),
            first_submitted_at: r.and_then(|r| r.first_submitted_at),
            late_days: r.and_then(|r| r.late_days),
            summary_required: p.is_year_end(),
            summary_text: r.and_then(|r| r.summary_text.clone()),
            summary_document_id: r.and_then(|r| r.summary_doc_id),
            rows_required: u32::try_from(v.rows_required).unwrap_or(u32::MAX),
            rows_filled: u32::try_from(v.rows_filled).unwrap_or(u32::MAX),
            members: v.members.iter().map(|m| member_dto(m, &v)).collect(),
            totals: counts_dto("合计".into(), None, v.totals.rows, &v.totals.total),
            subtotals: if v.show_subtotals { v.totals.by_kind.iter().map(Into::into).collect() } else { Vec::new() },
            rounds: v.rounds.iter().map(Into::into).collect(),
            version: r.map(|r| r.version),
        }
    }
}

/// One period an alliance owes.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OwedPeriodDto {
    pub period: String,
    pub period_label: String,
    pub status: StandingDto,
    pub status_label: String,
    pub member_rows_due: DeadlineDto,
    pub report_due: DeadlineDto,
    /// While not submitted: days left (negative: days overdue).
    pub days_to_deadline: Option<i64>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub late_days: Option<i32>,
    pub rows_filled: u64,
}

impl From<OwedPeriod> for OwedPeriodDto {
    fn from(o: OwedPeriod) -> Self {
        let open = matches!(o.standing, Standing::NotStarted | Standing::InProgress | Standing::Overdue);
        Self {
            period: o.period.code(),
            period_label: o.period.label_zh(),
            status: o.standing.into(),
            status_label: o.standing.label_zh().into(),
            member_rows_due: (&o.deadlines.member_rows).into(),
            report_due: (&o.deadlines.report).into(),
            days_to_deadline: open.then(|| entities::report::days_until(o.today, o.deadlines.report.due)),
            submitted_at: o.report.as_ref().and_then(|r| r.submitted_at),
            late_days: o.report.as_ref().and_then(|r| r.late_days),
            rows_filled: o.rows_filled,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OwedPeriodPage {
    pub items: Vec<OwedPeriodDto>,
    pub next_cursor: Option<String>,
}

/// 年终工作总结 (H2).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SummaryBody {
    pub summary_text: Str,
    /// An uploaded document of the initiator's organisation.
    pub summary_document_id: Option<Uuid>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReportReturnReason {
    /// The part of the report, e.g. 附件2 or a member unit's name.
    pub item: Str,
    pub reason: Str,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReportReturnRequest {
    /// One entry per item to correct.
    pub reasons: Vec<ReportReturnReason>,
}

impl ReportReturnRequest {
    /// The reasons, each item and text checked (every bad one named).
    ///
    /// # Errors
    /// 422 naming `reasons[i].item` / `reasons[i].reason`.
    pub fn reasons(&self) -> ApiResult<Vec<crate::services::reports::review::ReturnReason>> {
        use entities::values::text;
        let mut reasons = Vec::new();
        let mut problems = Vec::new();
        for (i, r) in self.reasons.iter().enumerate() {
            match (text(&format!("reasons[{i}].item"), &r.item, 100), text(&format!("reasons[{i}].reason"), &r.reason, 2000)) {
                (Ok(item), Ok(reason)) => reasons.push(crate::services::reports::review::ReturnReason { item, reason }),
                (a, b) => problems.extend(a.err().into_iter().chain(b.err())),
            }
        }
        if problems.is_empty() { Ok(reasons) } else { Err(ApiError::validation(problems)) }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AcceptRequest {
    pub comment: Option<Str>,
}
