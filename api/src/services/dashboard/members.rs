//! Member units of alliances on file, per kind of organisation (the
//! overview's "member units" section), kept in memory until a membership
//! changes.
//!
//! Counting them reads every membership and every member organisation (the
//! costliest statement of the overview: 60,000 memberships take 70–230 ms
//! alone, depending on the machine), while the figures change only when a
//! membership, an alliance's status or an organisation's kind changes — or
//! the day does, since memberships carry joining and leaving dates. Triggers
//! add a row to `membership_changes` on every such write (migration
//! `m20261201_000100_membership_changes`); the figures are kept with the day
//! and the number of those rows they were counted with, and a request first
//! counts the rows (a few milliseconds) and counts the members again only
//! when either differs. The rows are only ever inserted, so the same number
//! means the same rows, and a counting reads the number in the same snapshot
//! as the members (PostgreSQL: a repeatable-read transaction): the figures
//! kept are never newer or older than the number they are kept with.
//!
//! Each server keeps its own copy; the number in the database keeps them
//! all exact.

use std::{
    collections::BTreeMap,
    sync::{Mutex, PoisonError},
};

use chrono::NaiveDate;
use entities::{OrgKind, report::sql};
use sea_orm::{
    ConnectionTrait, DatabaseConnection,
    sea_query::{Expr, ExprTrait, Func, JoinType, Query},
};

use super::{MemberFigures, on_file, u};
use crate::{
    error::{ApiError, ApiResult},
    state::AppState,
};

/// The member figures last counted, with the day and the number of
/// `membership_changes` rows they were counted for.
#[derive(Debug, Default)]
pub struct Memo(Mutex<Option<(NaiveDate, i64, MemberFigures)>>);

impl Memo {
    /// The figures kept for `day` and `changes`, if those are the ones kept.
    #[must_use]
    pub fn get(&self, day: NaiveDate, changes: i64) -> Option<MemberFigures> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.as_ref().filter(|(d, c, _)| *d == day && *c == changes).map(|(_, _, f)| f.clone())
    }

    /// Keeps `figures` as counted for `day` with `changes` rows.
    pub fn put(&self, day: NaiveDate, changes: i64, figures: MemberFigures) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((day, changes, figures));
    }
}

/// The member figures of `today`: the kept ones while no membership changed,
/// else counted again (and kept).
///
/// # Errors
/// Database errors.
pub async fn figures(state: &AppState, today: NaiveDate) -> ApiResult<MemberFigures> {
    let changes = changes(&state.db).await?;
    if let Some(kept) = state.member_figures.get(today, changes) {
        return Ok(kept);
    }
    let (changes, figures) = count_in_one_snapshot(&state.db, today).await?;
    state.member_figures.put(today, changes, figures.clone());
    Ok(figures)
}

/// The number of `membership_changes` rows.
async fn changes(db: &impl ConnectionTrait) -> ApiResult<i64> {
    let q = Query::select().expr_as(Expr::col("id").count(), "n").from("membership_changes").to_owned();
    let row = db.query_one(&q).await?.ok_or_else(|| ApiError::internal(&"count answered no row"))?;
    Ok(row.try_get("", "n")?)
}

/// The number of changes and the figures, read in one snapshot.
async fn count_in_one_snapshot(db: &DatabaseConnection, today: NaiveDate) -> ApiResult<(i64, MemberFigures)> {
    let txn = crate::db::begin_snapshot(db).await?;
    let changes = changes(&txn).await?;
    let figures = count(&txn, today).await?;
    txn.commit().await?;
    Ok((changes, figures))
}

/// Counts the member units of `today` in SQL.
async fn count(db: &impl ConnectionTrait, today: NaiveDate) -> ApiResult<MemberFigures> {
    // Current memberships per organisation first (no join with the
    // organisations yet), then units and memberships per kind: two hash
    // aggregates instead of a COUNT(DISTINCT), which sorts every row, and the
    // kind looked up once per organisation rather than once per membership.
    let per_org = Query::select()
        .expr_as(Expr::col(("m", "organization_id")), "organization_id")
        .expr_as(Expr::col(("m", "id")).count(), "n")
        .from_as("alliance_members", "m")
        .join_as(JoinType::InnerJoin, "alliances", "a", Expr::col(("a", "id")).equals(("m", "alliance_id")))
        .and_where(Expr::col(("a", "status")).is_in(on_file()))
        .cond_where(sql::member_on(today))
        .group_by_col(("m", "organization_id"))
        .to_owned();
    let q = Query::select()
        .expr_as(Expr::col(("o", "kind")), "kind")
        .expr_as(Expr::col(("s", "organization_id")).count(), "units")
        .expr_as(Func::cast_as(Func::sum(Expr::col(("s", "n"))), "BIGINT"), "memberships")
        .from_subquery(per_org, "s")
        .join_as(JoinType::InnerJoin, "organizations", "o", Expr::col(("o", "id")).equals(("s", "organization_id")))
        .group_by_col(("o", "kind"))
        .to_owned();
    let mut found: BTreeMap<OrgKind, (u64, u64)> = BTreeMap::new();
    for row in db.query_all(&q).await? {
        let kind: OrgKind = row.try_get("", "kind")?;
        found.insert(kind, (u(row.try_get("", "units")?), u(row.try_get("", "memberships")?)));
    }
    let by_kind: Vec<(OrgKind, u64, u64)> = OrgKind::ALL
        .into_iter()
        .map(|k| {
            let (a, b) = found.get(&k).copied().unwrap_or((0, 0));
            (k, a, b)
        })
        .collect();
    Ok(MemberFigures { units: by_kind.iter().map(|(_, n, _)| n).sum(), memberships: by_kind.iter().map(|(_, _, n)| n).sum(), by_kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(units: u64) -> MemberFigures {
        MemberFigures { units, memberships: units, by_kind: vec![(OrgKind::ALL[0], units, units)] }
    }

    #[test]
    fn kept_figures_are_given_only_for_the_same_day_and_number_of_changes() {
        let memo = Memo::default();
        let day = NaiveDate::from_ymd_opt(2026, 8, 10).unwrap();
        assert_eq!(memo.get(day, 0), None, "nothing kept yet");
        memo.put(day, 7, figures(3));
        assert_eq!(memo.get(day, 7), Some(figures(3)));
        assert_eq!(memo.get(day, 8), None, "a membership changed since");
        assert_eq!(memo.get(day.succ_opt().unwrap(), 7), None, "another day: joining and leaving dates may fall on it");
        memo.put(day, 8, figures(4));
        assert_eq!((memo.get(day, 7), memo.get(day, 8)), (None, Some(figures(4))), "only the last counting is kept");
    }
}
