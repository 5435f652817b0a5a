//! A member unit's rows of a report (附件2 and 附件3, DESIGN §5): read
//! prefilled from its previous report (or, for a first report, 附件2 from
//! its registration form, 附件1), written by the member itself, or by the
//! initiator once the member is late (recorded), and the two one-step
//! answers of `entities::report::confirm`: "与上期相同" (the previous
//! report's 附件2 confirmed; 附件3 still to be entered) and "本期无培训活动"
//! (附件3 all zero).

use entities::{
    alliance::StaffCounts,
    models::{member_form, report, report_row},
    report::{Period, RowCounts, confirm},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{Ctx, PeriodMember, context, editable_report, find_report, members_at_end, touch};
use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult},
    services::alliances::Access,
    state::AppState,
};

/// Where unfilled values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefill {
    /// The member's row of an earlier report of this alliance.
    Previous(Period),
    /// 附件2 from the member's registration form (附件1); 附件3 empty.
    MemberForm,
}

/// A member's rows as the reader sees them.
#[derive(Debug, Clone)]
pub struct RowView {
    pub ctx: Ctx,
    pub member: PeriodMember,
    pub row: Option<report_row::Model>,
    /// The stored values, or the prefill.
    pub counts: RowCounts,
    pub prefilled_from: Option<Prefill>,
    /// The report can still change and the caller may write this row now.
    pub writable: bool,
}

fn member_not_found() -> ApiError {
    ApiError::not_found("本期成员单位", "Member of this period")
}

/// Who may see the row of `org`: bureau, initiator, the member itself (others 404).
fn may_read(ctx: &Ctx, org: Uuid) -> ApiResult<()> {
    match ctx.access {
        Access::Bureau | Access::Initiator => Ok(()),
        Access::Member(own) if own == org => Ok(()),
        Access::Member(_) => Err(member_not_found()),
    }
}

/// Who may write the row of `org`: the member itself; the initiator for its
/// own row, and for another member's once that member's rows are past due
/// (DESIGN §5 "may fill rows for a late member"). Answers whether the
/// initiator writes on another member's behalf.
fn may_write(ctx: &Ctx, org: Uuid) -> ApiResult<bool> {
    match ctx.access {
        Access::Bureau => Err(ApiError::forbidden()),
        Access::Member(own) if own == org => Ok(false),
        Access::Member(_) => Err(member_not_found()),
        Access::Initiator if org == ctx.alliance.initiator_org_id => Ok(false),
        Access::Initiator if ctx.member_rows_late() => Ok(true),
        Access::Initiator => Err(ApiError::conflict(
            "member_not_late",
            format!("成员单位填报截止日期（{}）前，发起单位不能代为填报", ctx.deadlines.member_rows.due),
            format!("The initiator may fill a member's rows only after they are due ({})", ctx.deadlines.member_rows.due),
        )),
    }
}

async fn required_member(db: &impl ConnectionTrait, ctx: &Ctx, org: Uuid) -> ApiResult<PeriodMember> {
    members_at_end(db, ctx.alliance.id, ctx.period)
        .await?
        .into_iter()
        .find(|m| m.organization.id == org && m.required)
        .ok_or_else(member_not_found)
}

async fn stored_row(db: &impl ConnectionTrait, report: Option<&report::Model>, org: Uuid) -> ApiResult<Option<report_row::Model>> {
    let Some(r) = report else { return Ok(None) };
    Ok(report_row::Entity::find()
        .filter(report_row::Column::ReportId.eq(r.id))
        .filter(report_row::Column::OrganizationId.eq(org))
        .one(db)
        .await?)
}

/// The member's row of the latest earlier report of this alliance.
async fn previous_row(db: &impl ConnectionTrait, ctx: &Ctx, org: Uuid) -> ApiResult<Option<(Period, report_row::Model)>> {
    let earlier = report::Entity::find()
        .filter(report::Column::AllianceId.eq(ctx.alliance.id))
        .filter(report::Column::Period.lt(ctx.period.code()))
        .order_by_desc(report::Column::Period)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = earlier.iter().map(|r| r.id).collect();
    let rows = report_row::Entity::find()
        .filter(report_row::Column::ReportId.is_in(ids))
        .filter(report_row::Column::OrganizationId.eq(org))
        .all(db)
        .await?;
    for r in earlier {
        if let Some(row) = rows.iter().find(|x| x.report_id == r.id)
            && let Ok(p) = Period::parse("period", &r.period)
        {
            return Ok(Some((p, row.clone())));
        }
    }
    Ok(None)
}

async fn prefill(db: &impl ConnectionTrait, ctx: &Ctx, org: Uuid) -> ApiResult<(RowCounts, Option<Prefill>)> {
    if let Some((p, row)) = previous_row(db, ctx, org).await? {
        return Ok((row.counts(), Some(Prefill::Previous(p))));
    }
    let form = member_form::Entity::find()
        .filter(member_form::Column::AllianceId.eq(ctx.alliance.id))
        .filter(member_form::Column::OrganizationId.eq(org))
        .one(db)
        .await?;
    Ok(match form {
        Some(f) => (RowCounts { basic: f.counts(), ..RowCounts::default() }, Some(Prefill::MemberForm)),
        None => (RowCounts { basic: StaffCounts::default(), ..RowCounts::default() }, None),
    })
}

/// Whether `caller` may write `org`'s rows of this report (the rule of
/// [`save`]), checked before a form is even read.
///
/// # Errors
/// 403 bureau, 404 another member's row or an alliance out of reach, 409 the initiator before the member's due date.
pub async fn check_writer(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period, org: Uuid) -> ApiResult<()> {
    let ctx = context(&state.db, state, caller, alliance_id, period).await?;
    may_write(&ctx, org).map(|_| ())
}

/// The member's rows, prefilled when not yet filled.
///
/// # Errors
/// 403/404.
pub async fn get(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period, org: Uuid) -> ApiResult<RowView> {
    let db = &state.db;
    let ctx = context(db, state, caller, alliance_id, period).await?;
    may_read(&ctx, org)?;
    let member = required_member(db, &ctx, org).await?;
    let report = find_report(db, alliance_id, period).await?;
    let row = stored_row(db, report.as_ref(), org).await?;
    let (counts, prefilled_from) = match &row {
        Some(r) => (r.counts(), None),
        None => prefill(db, &ctx, org).await?,
    };
    let writable = report.as_ref().is_none_or(|r| r.status.is_editable()) && may_write(&ctx, org).is_ok();
    Ok(RowView { ctx, member, row, counts, prefilled_from, writable })
}

/// What a write puts in the row.
#[derive(Debug, Clone, Copy)]
enum Write {
    Values(RowCounts),
    NoChange,
    NoActivity,
}

/// Fills (or replaces) the member's rows with checked counts. `if_match`:
/// the row version read (409 when someone else wrote since).
///
/// # Errors
/// 403/404, 409 `wrong_state` / `member_not_late` / `version_conflict`.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    alliance_id: Uuid,
    period: Period,
    org: Uuid,
    counts: RowCounts,
    if_match: Option<i32>,
) -> ApiResult<RowView> {
    write(state, caller, alliance_id, period, org, Write::Values(counts), if_match).await
}

/// "与上期相同": the member's 附件2 of its previous report confirmed in one
/// request; 附件3 stays as entered this period, or is still to be entered
/// (the row is then `progress_pending` and not yet filled).
///
/// # Errors
/// As [`save`]; 422 `no_previous_report` when there is nothing to confirm.
pub async fn no_change(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period, org: Uuid) -> ApiResult<RowView> {
    write(state, caller, alliance_id, period, org, Write::NoChange, None).await
}

/// "本期无培训活动": 附件3 all zero for this period, in one request; 附件2 as
/// stored this period, else the prefill (previous report, or the 附件1 form).
///
/// # Errors
/// As [`save`]; 422 `no_basic_figures` when there is no 附件2 to keep.
pub async fn no_activity(state: &AppState, caller: &Caller, alliance_id: Uuid, period: Period, org: Uuid) -> ApiResult<RowView> {
    write(state, caller, alliance_id, period, org, Write::NoActivity, None).await
}

/// What the row will hold: counts, whether 附件3 is still pending, and the
/// period 附件2 was confirmed from.
async fn planned(
    db: &impl ConnectionTrait,
    ctx: &Ctx,
    org: Uuid,
    what: Write,
    before: Option<&report_row::Model>,
) -> ApiResult<(RowCounts, bool, Option<Period>)> {
    Ok(match what {
        Write::Values(c) => (c, false, None),
        Write::NoChange => {
            let Some((p, row)) = previous_row(db, ctx, org).await? else {
                return Err(ApiError::unprocessable(
                    "no_previous_report",
                    "该成员单位没有上一期报送数据，不能确认“与上期相同”，请逐项填报",
                    "No previous report of this member to confirm; fill the rows",
                ));
            };
            let c = confirm::same_as_previous(row.counts().basic, before.map(|b| (b.counts(), b.progress_pending)));
            (c.counts, c.progress_pending, Some(p))
        }
        Write::NoActivity => {
            let (basic, from) = match before {
                Some(b) => (b.counts().basic, b.copied_from.as_deref().and_then(|p| Period::parse("period", p).ok())),
                None => match prefill(db, ctx, org).await? {
                    (c, Some(Prefill::Previous(p))) => (c.basic, Some(p)),
                    (c, Some(Prefill::MemberForm)) => (c.basic, None),
                    (_, None) => {
                        return Err(ApiError::unprocessable(
                            "no_basic_figures",
                            "该成员单位尚无基本情况数据（附件2），请先填报",
                            "This member has no basic figures (附件2) yet; fill the rows first",
                        ));
                    }
                },
            };
            let c = confirm::no_activity(basic);
            (c.counts, c.progress_pending, from)
        }
    })
}

async fn write(
    state: &AppState,
    caller: &Caller,
    alliance_id: Uuid,
    period: Period,
    org: Uuid,
    what: Write,
    if_match: Option<i32>,
) -> ApiResult<RowView> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let ctx = context(&txn, state, caller, alliance_id, period).await?;
    let on_behalf = may_write(&ctx, org)?;
    let member = required_member(&txn, &ctx, org).await?;
    let report = editable_report(&txn, &ctx, now).await?;
    let before = stored_row(&txn, Some(&report), org).await?;
    if let (Some(b), Some(v)) = (&before, if_match)
        && b.version != v
    {
        return Err(version_conflict());
    }
    let (counts, progress_pending, copied_from) = planned(&txn, &ctx, org, what, before.as_ref()).await?;
    let mut m = report_row::ActiveModel {
        org_kind: Set(member.organization.kind),
        filled_by: Set(caller.user_id),
        filled_by_initiator: Set(on_behalf),
        confirmed_no_change: Set(copied_from.is_some()),
        copied_from: Set(copied_from.map(|p| p.code())),
        progress_pending: Set(progress_pending),
        updated_at: Set(now),
        ..Default::default()
    };
    report_row::Model::set_counts(&mut m, &counts);
    let after = match &before {
        Some(b) => {
            m.version = Set(b.version + 1);
            let res = report_row::Entity::update_many()
                .set(m)
                .filter(report_row::Column::Id.eq(b.id))
                .filter(report_row::Column::Version.eq(b.version))
                .exec(&txn)
                .await?;
            if res.rows_affected != 1 {
                return Err(version_conflict());
            }
            report_row::Entity::find_by_id(b.id).one(&txn).await?.ok_or_else(member_not_found)?
        }
        None => {
            m.id = Set(Uuid::now_v7());
            m.report_id = Set(report.id);
            m.organization_id = Set(org);
            m.version = Set(1);
            m.created_at = Set(now);
            m.insert(&txn).await?
        }
    };
    touch(&txn, &report, &ctx, now).await?;
    let action = match what {
        Write::Values(_) => "report_row.saved",
        Write::NoChange => "report_row.confirmed_no_change",
        Write::NoActivity => "report_row.no_activity",
    };
    let mut entry = Entry::new(action, "report_row", after.id).after(&after);
    if let Some(b) = &before {
        entry = entry.before(b);
    }
    audit::record(&txn, Actor(Some(caller)), now, entry).await?;
    txn.commit().await?;
    let writable = may_write(&ctx, org).is_ok();
    Ok(RowView { ctx, member, counts: after.counts(), row: Some(after), prefilled_from: None, writable })
}

fn version_conflict() -> ApiError {
    ApiError::conflict(
        "version_conflict",
        "该成员单位的报送数据已被他人修改，请刷新后重试",
        "The row changed since you read it; reload and retry",
    )
}
