//! Each report's 附件3 totals per category, kept in `report_training_totals`
//! for the dashboard (issue 8, acceptance 4): the sums of the rows of members
//! on the period's last day (as in the report's own 合计), per
//! `report_rows.org_kind`, present only while the report counts
//! ([`entities::dashboard::COUNTED_STATUSES`]: submitted or accepted).
//!
//! Every write that can change them rewrites them in its own transaction:
//! submission, acceptance and return (`review`), and a membership change of a
//! registered alliance (`alliances::members`: a back-dated leave can take a
//! row out of a period already handed in). Each rewrite is a `DELETE` and an
//! `INSERT … SELECT … GROUP BY`: the figures stay SQL aggregates.
//!
//! [`SUMS`] (`report_training_sums`) holds each counted report's figures over
//! every category, one row per report, rolled up from [`TABLE`] in the same
//! rewrite: the overview's per-alliance table and trainee chart read one row
//! per report instead of seven.

use entities::{
    dashboard::{self as rules, TRAINING_COLUMNS},
    report::{Period, sql},
};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Alias, Cond, Expr, ExprTrait, Func, JoinType, Query, SelectStatement},
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The totals per report and category.
pub const TABLE: &str = "report_training_totals";

/// The totals per report, every category together.
pub const SUMS: &str = "report_training_sums";

/// The rows to insert for the counted reports of `p` matching `filter`.
fn select(p: Period, filter: Cond) -> SelectStatement {
    let member = Query::select()
        .expr(Expr::val(1))
        .from_as("alliance_members", "m")
        .and_where(Expr::col(("m", "alliance_id")).equals(("r", "alliance_id")))
        .and_where(Expr::col(("m", "organization_id")).equals(("rr", "organization_id")))
        .cond_where(sql::member_on(p.end()))
        .to_owned();
    let mut q = Query::select();
    q.expr(Expr::col(("r", "id")))
        .expr(Expr::col(("r", "alliance_id")))
        .expr(Expr::col(("r", "period")))
        .expr(Expr::col(("rr", "org_kind")))
        .from_as("reports", "r")
        .join_as(JoinType::InnerJoin, "report_rows", "rr", Expr::col(("rr", "report_id")).equals(("r", "id")))
        .and_where(Expr::col(("r", "period")).eq(p.code()))
        .cond_where(rules::sql_counted("r"))
        .cond_where(filter)
        .and_where(Expr::exists(member));
    for c in TRAINING_COLUMNS {
        q.expr(Func::cast_as(Func::sum(Expr::col((Alias::new("rr"), Alias::new(c)))), "BIGINT"));
    }
    q.group_by_col(("r", "id")).group_by_col(("r", "alliance_id")).group_by_col(("r", "period")).group_by_col(("rr", "org_kind"));
    q
}

/// Deletes the rows of both tables matching `scope` (a condition on
/// `report_id`, `alliance_id` or `period`, columns of both).
async fn delete(db: &impl ConnectionTrait, scope: &Cond) -> ApiResult<()> {
    for table in [TABLE, SUMS] {
        db.execute(&Query::delete().from_table(table).cond_where(scope.clone()).to_owned()).await?;
    }
    Ok(())
}

/// Rolls the per-category rows matching `scope` up into [`SUMS`].
async fn roll_up(db: &impl ConnectionTrait, scope: Cond) -> ApiResult<()> {
    let mut q = Query::select();
    q.columns(["report_id", "alliance_id", "period"]).from(TABLE).cond_where(scope);
    for c in TRAINING_COLUMNS {
        q.expr(Func::cast_as(Func::sum(Expr::col(Alias::new(c))), "BIGINT"));
    }
    q.group_by_col("report_id").group_by_col("alliance_id").group_by_col("period");
    let mut insert = Query::insert();
    insert.into_table(SUMS).columns(["report_id", "alliance_id", "period"].into_iter().chain(TRAINING_COLUMNS).map(Alias::new));
    insert.select_from(q).map_err(|e| ApiError::internal(&e))?;
    db.execute(&insert).await?;
    Ok(())
}

async fn rewrite(db: &impl ConnectionTrait, p: Period, scope: Cond, filter: Cond) -> ApiResult<()> {
    delete(db, &scope).await?;
    insert(db, p, filter).await?;
    roll_up(db, scope).await
}

/// Inserts the totals of the counted reports of `p` matching `filter`.
async fn insert(db: &impl ConnectionTrait, p: Period, filter: Cond) -> ApiResult<()> {
    let mut insert = Query::insert();
    insert
        .into_table(TABLE)
        .columns(["report_id", "alliance_id", "period", "org_kind"].into_iter().chain(TRAINING_COLUMNS).map(Alias::new));
    insert.select_from(select(p, filter)).map_err(|e| ApiError::internal(&e))?;
    db.execute(&insert).await?;
    Ok(())
}

/// Rewrites the totals of one report (after its status changed).
///
/// # Errors
/// Database errors.
pub async fn refresh_report(db: &impl ConnectionTrait, report_id: Uuid, p: Period) -> ApiResult<()> {
    rewrite(db, p, Cond::all().add(Expr::col("report_id").eq(report_id)), Cond::all().add(Expr::col(("r", "id")).eq(report_id))).await
}

/// Rewrites the totals of every report of an alliance (after a membership
/// change): one rewrite per period it has counted reports for.
///
/// # Errors
/// Database errors.
pub async fn refresh_alliance(db: &impl ConnectionTrait, alliance_id: Uuid) -> ApiResult<()> {
    let q = Query::select()
        .distinct()
        .column("period")
        .from("reports")
        .and_where(Expr::col("alliance_id").eq(alliance_id))
        .cond_where(Cond::all().add(Expr::col("status").is_in(rules::COUNTED_STATUSES.map(|s| sea_orm::ActiveEnum::to_value(&s)))))
        .to_owned();
    let mut periods = Vec::new();
    for row in db.query_all(&q).await? {
        let code: String = row.try_get("", "period")?;
        periods.push(Period::parse("period", &code).map_err(|_| ApiError::internal(&format!("period {code}")))?);
    }
    let scope = Cond::all().add(Expr::col("alliance_id").eq(alliance_id));
    delete(db, &scope).await?;
    for p in periods {
        insert(db, p, Cond::all().add(Expr::col(("r", "alliance_id")).eq(alliance_id))).await?;
    }
    roll_up(db, scope).await
}

/// Rewrites the totals of every report of `p` (data written in bulk: the
/// benchmark's seed).
///
/// # Errors
/// Database errors.
pub async fn refresh_period(db: &impl ConnectionTrait, p: Period) -> ApiResult<()> {
    rewrite(db, p, Cond::all().add(Expr::col("period").eq(p.code())), Cond::all()).await
}
