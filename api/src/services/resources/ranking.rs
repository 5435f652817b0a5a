//! The ranking of a call (000 第十一条(二); DESIGN §6): its submitted
//! applications ordered by the exact panel mean of the scores of experts who
//! declared no conflict, unscored last, ties by submission. One statement
//! per page: the aggregates (sum, count, min, max) and the global rank and
//! position are computed in the database with window functions, so a page
//! of 50 out of 600 reads 50 rows and rank 51 stays rank 51 on page 2. The
//! mean is compared through [`PanelScore::mean_key`] (integer division by a
//! fixed scale, no floats), which orders exactly like the rational means.

use entities::{
    models::application,
    resource::{
        ApplicationStatus, PanelMemberStatus,
        scoring::{MEAN_KEY_SCALE, PanelScore},
    },
};
use sea_orm::{ActiveEnum, ConnectionTrait, FromQueryResult, Statement};
use uuid::Uuid;

use crate::{
    auth::Caller,
    error::ApiResult,
    pagination::PageParams,
    services::sql::{self, Built, Dialect},
    state::AppState,
};

/// One line of a call's ranking.
pub struct Ranked {
    pub application: application::Model,
    pub score: Option<PanelScore>,
    pub reviews: usize,
    /// 1-based over the whole call; equal means share a rank; None unscored.
    pub rank: Option<usize>,
}

/// The ranking statement: call `1`, the page's last application `2` (none:
/// from the top), at most `3` rows, seat status `4` (accepted), left-out
/// status `5` (draft); when `proposable`, only scored applications in status
/// `6` (under review), i.e. the ones that may go on the proposed list.
fn ranking_sql(d: Dialect, proposable: bool) -> String {
    let unscored_last = "CASE WHEN s.n IS NULL THEN 1 ELSE 0 END";
    let key = format!("s.total * {MEAN_KEY_SCALE} / s.n");
    format!(
        "WITH scored AS (SELECT r.application_id, SUM(r.score_hundredths) AS total, COUNT(*) AS n, \
         MIN(r.score_hundredths) AS lo, MAX(r.score_hundredths) AS hi \
         FROM reviews r JOIN panel_members pm ON pm.id = r.panel_member_id JOIN applications ap ON ap.id = r.application_id \
         WHERE ap.call_id = {call} AND pm.status = {accepted} GROUP BY r.application_id), \
         ranked AS (SELECT a.*, s.total, s.n, s.lo, s.hi, \
         ROW_NUMBER() OVER (ORDER BY {unscored_last}, {key} DESC, a.submitted_at, a.id) AS pos, \
         RANK() OVER (ORDER BY {unscored_last}, {key} DESC) AS rnk \
         FROM applications a LEFT JOIN scored s ON s.application_id = a.id \
         WHERE a.call_id = {call} AND a.status <> {draft}) \
         SELECT {cols}, x.total, x.n, x.lo, x.hi, x.rnk FROM ranked x \
         WHERE x.pos > COALESCE((SELECT y.pos FROM ranked y WHERE y.id = {after}), 0){only} \
         ORDER BY x.pos LIMIT {limit}",
        call = d.param(1),
        after = d.param(2),
        limit = d.param(3),
        accepted = d.param(4),
        draft = d.param(5),
        only = if proposable { format!(" AND x.status = {} AND x.n IS NOT NULL", d.param(6)) } else { String::new() },
        cols = sql::columns::<application::Column>("x", "A_"),
    )
}

static RANKING_SQL: Built =
    Built::new(|| ranking_sql(Dialect { postgres: true }, false), || ranking_sql(Dialect { postgres: false }, false));
static PROPOSABLE_SQL: Built =
    Built::new(|| ranking_sql(Dialect { postgres: true }, true), || ranking_sql(Dialect { postgres: false }, true));

async fn rows(state: &AppState, call_id: Uuid, after: Option<Uuid>, fetch: u64, proposable: bool) -> ApiResult<Vec<Ranked>> {
    let db = &state.db;
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = vec![
        call_id.into(),
        after.into(),
        i64::try_from(fetch).unwrap_or(i64::MAX).into(),
        PanelMemberStatus::Accepted.to_value().into(),
        ApplicationStatus::Draft.to_value().into(),
    ];
    let statement = if proposable {
        values.push(ApplicationStatus::UnderReview.to_value().into());
        PROPOSABLE_SQL.get(backend)
    } else {
        RANKING_SQL.get(backend)
    };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, statement, values)).await?;
    rows.iter()
        .map(|row| {
            let application = application::Model::from_query_result(row, "A_")?;
            let n: Option<i64> = row.try_get("", "n")?;
            let total: Option<i64> = row.try_get("", "total")?;
            let (lo, hi): (Option<i32>, Option<i32>) = (row.try_get("", "lo")?, row.try_get("", "hi")?);
            let rnk: i64 = row.try_get("", "rnk")?;
            let unsigned = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
            let hundredths = |v: Option<i32>| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
            let score = PanelScore::from_totals(unsigned(total), unsigned(n), hundredths(lo), hundredths(hi));
            Ok(Ranked {
                application,
                reviews: usize::try_from(unsigned(n)).unwrap_or(0),
                rank: score.map(|_| usize::try_from(rnk).unwrap_or(0)),
                score,
            })
        })
        .collect()
}

/// A page of the ranking of a call (bureau), keyset-paged by the last
/// application shown, and the next cursor.
///
/// # Errors
/// 403 for others, 404 unknown call, 422 bad cursor (from `page`).
pub async fn ranking(state: &AppState, caller: &Caller, call_id: Uuid, page: PageParams) -> ApiResult<(Vec<Ranked>, Option<String>)> {
    caller.require_bureau()?;
    super::get_call(state, call_id).await?;
    let rows = rows(state, call_id, page.after, page.fetch(), false).await?;
    Ok(page.finish(rows, |r| r.application.id))
}

/// The `n` best-ranked applications of a call that may go on the proposed
/// list (scored and under review, in ranking order): "the first n" the
/// clerk asks for on the ranking page.
///
/// # Errors
/// 403 for others, 404 unknown call.
pub async fn top_proposable(state: &AppState, caller: &Caller, call_id: Uuid, n: u64) -> ApiResult<Vec<Uuid>> {
    caller.require_bureau()?;
    super::get_call(state, call_id).await?;
    Ok(rows(state, call_id, None, n, true).await?.into_iter().map(|r| r.application.id).collect())
}
