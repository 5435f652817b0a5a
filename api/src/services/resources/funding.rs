//! The fee schedule (附件2, 000 第二十三条): versions with effective dates,
//! read by everyone signed in, a new version added by bureau_admin; the
//! payment computed on publication, its disbursement, totals per category.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    Role,
    models::{application, development_agreement, fee_schedule, payment},
    resource::{
        Category,
        funding::{FeeAmounts, FeeItem, PaymentStatus, check_new_version, in_force, payment_amount, quantity},
    },
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Func},
};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Caller,
    error::{ApiError, ApiResult, FieldMsg},
    i18n::Msg,
    pagination::PageParams,
    state::AppState,
};

#[derive(Debug, Clone)]
pub struct NewVersion {
    pub effective_from: NaiveDate,
    pub amounts: FeeAmounts,
    pub note: String,
}

/// Every version, oldest first (keyset-paged by id).
///
/// # Errors
/// Database errors.
pub async fn list(state: &AppState, page: PageParams) -> ApiResult<(Vec<fee_schedule::Model>, Option<String>)> {
    let mut q = fee_schedule::Entity::find().order_by_asc(fee_schedule::Column::Id).limit(page.fetch());
    if let Some(after) = page.after {
        q = q.filter(fee_schedule::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |r| r.id))
}

/// The version in force on `date` (None before the first one).
///
/// # Errors
/// Database errors.
pub async fn version_on(db: &impl ConnectionTrait, date: NaiveDate) -> ApiResult<Option<fee_schedule::Model>> {
    // Only versions already effective; the latest date wins, then the highest version.
    let candidates = fee_schedule::Entity::find()
        .filter(fee_schedule::Column::EffectiveFrom.lte(date))
        .order_by_desc(fee_schedule::Column::EffectiveFrom)
        .order_by_desc(fee_schedule::Column::Version)
        .limit(1)
        .all(db)
        .await?;
    let versions: Vec<_> = candidates.into_iter().map(|m| (m.version, m.effective_from, m)).collect();
    Ok(in_force(&versions, date).cloned())
}

/// bureau_admin adds a version: effective today or later, every amount > 0.
///
/// # Errors
/// 403, 422 naming each bad field (`effective_date_in_past`, `amount_not_positive`).
pub async fn create(state: &AppState, caller: &Caller, f: NewVersion) -> ApiResult<fee_schedule::Model> {
    caller.require(&[Role::BureauAdmin])?;
    let problems = check_new_version(f.effective_from, state.clock.today(), &f.amounts);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems.iter().map(|p| {
            let (zh, en) = match p.code {
                "effective_date_in_past" => ("不能早于今天", "must not be in the past"),
                _ => ("须为大于0的整数（元）", "must be a whole number of yuan above 0"),
            };
            FieldMsg {
                field: p.field.to_string(),
                msg: Msg::new(zh.to_string(), format!("{}: {en}", p.field)),
                code: Some(p.code.to_string()),
                label: true,
            }
        })));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let last = fee_schedule::Entity::find().order_by_desc(fee_schedule::Column::Version).limit(1).one(&txn).await?;
    let a = f.amounts;
    let m = fee_schedule::ActiveModel {
        id: Set(Uuid::now_v7()),
        version: Set(last.map_or(1, |l| l.version + 1)),
        effective_from: Set(f.effective_from),
        printed_textbook: Set(a.printed_textbook),
        e_textbook: Set(a.e_textbook),
        certified_course: Set(a.certified_course),
        online_course: Set(a.online_course),
        evaluation_specification: Set(a.evaluation_specification),
        theory_question_bank_level: Set(a.theory_question_bank_level),
        integrated_case_course: Set(a.integrated_case_course),
        note: Set(f.note),
        created_by: Set(Some(caller.user_id)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("fee_schedule.created", "fee_schedule", m.id).after(&m)).await?;
    txn.commit().await?;
    Ok(m)
}

/// Computes the payment of a project published (or a question bank ingested)
/// today, in the caller's transaction: the kind's line of 附件2 × quantity at
/// the version in force on the publication date (000 第二十三条); the
/// quantity of a development project is its agreement's. Kinds without a line get none.
///
/// # Errors
/// 409 `fee_schedule_missing` when no version is in force on that date.
pub async fn record_on_publication(
    txn: &impl ConnectionTrait,
    caller: &Caller,
    app: &application::Model,
    resource_id: Option<Uuid>,
    published_on: NaiveDate,
    now: DateTime<Utc>,
) -> ApiResult<Option<payment::Model>> {
    let Some(item) = FeeItem::for_kind(app.resource_kind) else { return Ok(None) };
    let Some(schedule) = version_on(txn, published_on).await? else {
        return Err(ApiError::conflict(
            "fee_schedule_missing",
            format!("{published_on}没有生效的经费支付标准"),
            format!("No fee schedule is in force on {published_on}"),
        ));
    };
    // A development project is paid for what its agreement lists (e.g. 2 levels
    // of a question bank); a certification by its kind and levels.
    let agreed = development_agreement::Entity::find()
        .filter(development_agreement::Column::ApplicationId.eq(app.id))
        .one(txn)
        .await?
        .map(|a| a.quantity);
    let qty = agreed.unwrap_or_else(|| quantity(app.resource_kind, app.levels.as_array().map_or(0, Vec::len)));
    let unit = schedule.amounts().amount(item);
    let amount = payment_amount(&schedule.amounts(), item, qty).ok_or_else(|| ApiError::internal(&"payment amount overflow"))?;
    let p = payment::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(app.id),
        resource_id: Set(resource_id),
        organization_id: Set(app.organization_id),
        category: Set(app.category),
        kind: Set(app.resource_kind),
        fee_item: Set(item),
        quantity: Set(qty),
        unit_amount: Set(unit),
        amount: Set(amount),
        fee_schedule_id: Set(schedule.id),
        schedule_version: Set(schedule.version),
        published_on: Set(published_on),
        year: Set(published_on.year()),
        status: Set(PaymentStatus::Committed),
        disbursed_at: Set(None),
        disbursed_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit::record(txn, Actor(Some(caller)), now, Entry::new("payment.committed", "payment", p.id).after(&p)).await?;
    Ok(Some(p))
}

#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    pub category: Option<Category>,
    pub year: Option<i32>,
    pub status: Option<PaymentStatus>,
}

/// Who may read payments: the bureau all of them, an org_user its
/// organisation's (`Some(org)`); anyone else 403.
fn scope(caller: &Caller) -> ApiResult<Option<Uuid>> {
    if caller.is_bureau() {
        return Ok(None);
    }
    match (caller.role, caller.organization_id) {
        (Role::OrgUser, Some(org)) => Ok(Some(org)),
        _ => Err(ApiError::forbidden()),
    }
}

fn payment_not_found() -> ApiError {
    ApiError::not_found("经费拨付记录", "Payment")
}

/// Payments, oldest first, keyset-paged.
///
/// # Errors
/// 403.
pub async fn list_payments(
    state: &AppState,
    caller: &Caller,
    f: PaymentFilter,
    page: PageParams,
) -> ApiResult<(Vec<payment::Model>, Option<String>)> {
    let org = scope(caller)?;
    let mut q = payment::Entity::find().order_by_asc(payment::Column::Id).limit(page.fetch());
    if let Some(org) = org {
        q = q.filter(payment::Column::OrganizationId.eq(org));
    }
    if let Some(c) = f.category {
        q = q.filter(payment::Column::Category.eq(c));
    }
    if let Some(y) = f.year {
        q = q.filter(payment::Column::Year.eq(y));
    }
    if let Some(s) = f.status {
        q = q.filter(payment::Column::Status.eq(s));
    }
    if let Some(after) = page.after {
        q = q.filter(payment::Column::Id.gt(after));
    }
    Ok(page.finish(q.all(&state.db).await?, |p| p.id))
}

/// One payment; another organisation's is 404.
///
/// # Errors
/// 403, 404.
pub async fn get_payment(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<payment::Model> {
    let org = scope(caller)?;
    let p = payment::Entity::find_by_id(id).one(&state.db).await?.ok_or_else(payment_not_found)?;
    if org.is_some_and(|o| o != p.organization_id) {
        return Err(payment_not_found());
    }
    Ok(p)
}

/// The bureau marks a committed payment disbursed (拨付).
///
/// # Errors
/// 403, 404, 409 `already_disbursed`.
pub async fn disburse(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<payment::Model> {
    caller.require_bureau()?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = payment::Entity::find_by_id(id).one(&txn).await?.ok_or_else(payment_not_found)?;
    if !before.status.can_disburse() {
        return Err(ApiError::conflict("already_disbursed", "该笔经费已拨付", "This payment was already disbursed"));
    }
    let mut m: payment::ActiveModel = before.clone().into();
    m.status = Set(PaymentStatus::Disbursed);
    m.disbursed_at = Set(Some(now));
    m.disbursed_by = Set(Some(caller.user_id));
    m.updated_at = Set(now);
    let after = m.update(&txn).await?;
    audit::record(&txn, Actor(Some(caller)), now, Entry::new("payment.disbursed", "payment", id).before(&before).after(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Committed (all recorded) and disbursed amounts of one category in a year.
#[derive(Debug, Clone)]
pub struct CategoryTotal {
    pub category: Category,
    pub count: i64,
    pub committed: i64,
    pub disbursed: i64,
}

/// Totals per category for `year`, in one `GROUP BY` (bureau only).
///
/// # Errors
/// 403.
pub async fn totals(state: &AppState, caller: &Caller, year: i32) -> ApiResult<Vec<CategoryTotal>> {
    caller.require_bureau()?;
    let disbursed = Expr::case(payment::Column::Status.eq(PaymentStatus::Disbursed), Expr::col(payment::Column::Amount)).finally(0);
    let rows: Vec<(Category, i64, i64, i64)> = payment::Entity::find()
        .select_only()
        .column(payment::Column::Category)
        .expr(Func::cast_as(Expr::col(payment::Column::Id).count(), "BIGINT"))
        .expr(Func::cast_as(Func::coalesce([Expr::from(Func::sum(Expr::col(payment::Column::Amount))), Expr::val(0)]), "BIGINT"))
        .expr(Func::cast_as(Func::coalesce([Expr::from(Func::sum(disbursed)), Expr::val(0)]), "BIGINT"))
        .filter(payment::Column::Year.eq(year))
        .group_by(payment::Column::Category)
        .order_by_asc(payment::Column::Category)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|(category, count, committed, disbursed)| CategoryTotal { category, count, committed, disbursed }).collect())
}
