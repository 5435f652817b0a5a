//! The skill-resource sections of the overview (issues 6 and 7): applications
//! by category and status with the funnel from submitted to published,
//! notices open and ending this week with their open objections, funding
//! committed and disbursed per category against the fee schedule, and
//! published resources due for reassessment. Each is one or two `GROUP BY`
//! statements; nothing is counted by loading rows.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use entities::{
    dashboard::{self as rules, FUNNEL_STAGES, funnel_reached},
    models::fee_schedule,
    resource::{ApplicationStatus, Category, NoticeStatus, ObjectionStatus, funding::FeeItem, funding::PaymentStatus},
};
use sea_orm::{
    ActiveEnum, ConnectionTrait,
    sea_query::{Cond, Expr, ExprTrait, Func, JoinType, Query, SelectStatement},
};
use uuid::Uuid;

use super::{u, union_all};
use crate::{error::ApiResult, services::resources::funding::version_on};

/// Applications handed in during a year (Beijing dates), per category and status.
#[derive(Debug, Clone)]
pub struct ApplicationFigures {
    pub year: i32,
    pub total: u64,
    /// (category, status, count) for every pair with applications, in lifecycle order.
    pub by_status: Vec<(Category, ApplicationStatus, u64)>,
    /// Per category: how many reached each of [`FUNNEL_STAGES`].
    pub funnel_by_category: Vec<(Category, [u64; 4])>,
    /// All categories: how many reached each stage.
    pub funnel: [u64; 4],
}

/// The API resource of a notice (the page and the export link to it).
#[must_use]
pub fn notice_path(id: Uuid) -> String {
    format!("/api/v1/notices/{id}")
}

/// A notice ending this week.
#[derive(Debug, Clone)]
pub struct NoticeEnding {
    pub id: Uuid,
    pub title: String,
    pub published_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: NoticeStatus,
    pub applications: u64,
    pub open_objections: u64,
}

#[derive(Debug, Clone)]
pub struct NoticeFigures {
    /// Monday and Sunday of the clock's week (Asia/Shanghai).
    pub week: (NaiveDate, NaiveDate),
    /// Notices still open.
    pub open: u64,
    /// Notices whose end falls in the week (open or already closed).
    pub ending_this_week: u64,
    /// Objections not yet ruled on, every notice.
    pub open_objections: u64,
    /// The notices ending this week, soonest first (at most [`rules::NOTICES_LISTED`]).
    pub ending: Vec<NoticeEnding>,
}

/// Payments of one category or fee item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Money {
    pub payments: u64,
    /// Units paid for (books, courses, question-bank levels).
    pub quantity: i64,
    /// Every payment recorded, integer yuan (clawed-back ones included: what publication committed).
    pub committed: i64,
    /// Payments disbursed and standing.
    pub disbursed: i64,
    /// Payments clawed back (000 第二十二条): their amounts, and what is to be recovered (what had been disbursed).
    pub clawed_back: i64,
    pub clawed_back_payments: u64,
    pub to_recover: i64,
}

impl Money {
    /// Recorded but neither paid out nor clawed back (待拨付).
    #[must_use]
    pub fn undisbursed(&self) -> i64 {
        self.committed - self.disbursed - self.clawed_back
    }

    fn add(&mut self, o: &Self) {
        self.payments += o.payments;
        self.quantity += o.quantity;
        self.committed += o.committed;
        self.disbursed += o.disbursed;
        self.clawed_back += o.clawed_back;
        self.clawed_back_payments += o.clawed_back_payments;
        self.to_recover += o.to_recover;
    }
}

#[derive(Debug, Clone)]
pub struct FundingFigures {
    /// The budget year (`payments.year`, year of publication).
    pub year: i32,
    pub total: Money,
    pub by_category: Vec<(Category, Money)>,
    /// Per line of 附件2, with the unit amount of the version in force today.
    pub by_fee_item: Vec<(FeeItem, Money, Option<i64>)>,
    /// The fee schedule version in force today (None before the first).
    pub schedule_version: Option<i32>,
    pub schedule_effective_from: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct ReassessmentFigures {
    /// Next assessment date past.
    pub overdue: u64,
    /// Due today or within [`rules::REASSESSMENT_WINDOW_DAYS`].
    pub due_soon: u64,
    /// (category, overdue, due soon).
    pub by_category: Vec<(Category, u64, u64)>,
}

impl ReassessmentFigures {
    /// Overdue or due soon: every resource to reassess.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.overdue + self.due_soon
    }
}

fn value<T: ActiveEnum<Value = String>>(v: T) -> String {
    v.to_value()
}

/// Applications submitted in `year` (Beijing), per category and status.
///
/// # Errors
/// Database errors.
pub async fn applications(db: &impl ConnectionTrait, year: i32) -> ApiResult<ApplicationFigures> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).map(rules::beijing_midnight);
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).map(rules::beijing_midnight);
    let mut q = Query::select();
    q.column("category")
        .column("status")
        .expr_as(Expr::col("id").count(), "n")
        .from("applications")
        .and_where(Expr::col("submitted_at").is_not_null())
        .and_where(Expr::col("status").ne(value(ApplicationStatus::Draft)));
    if let (Some(from), Some(to)) = (from, to) {
        q.and_where(Expr::col("submitted_at").gte(from)).and_where(Expr::col("submitted_at").lt(to));
    }
    q.group_by_col("category").group_by_col("status");
    let mut found: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for row in db.query_all(&q).await? {
        let c: Category = row.try_get("", "category")?;
        let s: ApplicationStatus = row.try_get("", "status")?;
        let ci = Category::ALL.iter().position(|x| *x == c).unwrap_or(0);
        let si = ApplicationStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
        *found.entry((ci, si)).or_default() += u(row.try_get("", "n")?);
    }
    let by_status: Vec<(Category, ApplicationStatus, u64)> =
        found.iter().map(|((ci, si), n)| (Category::ALL[*ci], ApplicationStatus::ALL[*si], *n)).collect();
    let funnel_by_category: Vec<(Category, [u64; 4])> = Category::ALL
        .into_iter()
        .map(|c| {
            let mut stages = [0u64; 4];
            for (_, s, n) in by_status.iter().filter(|(x, _, _)| *x == c) {
                for stage in stages.iter_mut().take(funnel_reached(*s)) {
                    *stage += n;
                }
            }
            (c, stages)
        })
        .collect();
    let mut funnel = [0u64; 4];
    for (_, stages) in &funnel_by_category {
        for (i, n) in stages.iter().enumerate() {
            funnel[i] += n;
        }
    }
    debug_assert_eq!(FUNNEL_STAGES.len(), funnel.len());
    Ok(ApplicationFigures { year, total: by_status.iter().map(|(_, _, n)| n).sum(), by_status, funnel_by_category, funnel })
}

fn count_part(key: &str, table: &'static str, cond: Cond) -> SelectStatement {
    Query::select().expr_as(Expr::val(key), "k").expr_as(Expr::col("id").count(), "n").from(table).cond_where(cond).to_owned()
}

/// Open notices, those ending in the clock's week, and open objections (one
/// statement of three counts), then the notices ending this week with their
/// applications and open objections (one statement, grouped).
///
/// # Errors
/// Database errors.
pub async fn notices(db: &impl ConnectionTrait, today: NaiveDate) -> ApiResult<NoticeFigures> {
    let (monday, next_monday) = rules::week_of(today);
    let (from, to) = (rules::beijing_midnight(monday), rules::beijing_midnight(next_monday));
    let in_week = |t: &str, c: &str| {
        Cond::all().add(Expr::col((t.to_string(), c.to_string())).gte(from)).add(Expr::col((t.to_string(), c.to_string())).lt(to))
    };
    let counts = union_all(vec![
        count_part("open", "notices", Cond::all().add(Expr::col("status").eq(value(NoticeStatus::Open)))),
        count_part("ending", "notices", Cond::all().add(Expr::col("ends_at").gte(from)).add(Expr::col("ends_at").lt(to))),
        count_part("objections", "objections", Cond::all().add(Expr::col("status").eq(value(ObjectionStatus::Open)))),
    ]);
    let mut n: BTreeMap<String, u64> = BTreeMap::new();
    if let Some(q) = counts {
        for row in db.query_all(&q).await? {
            n.insert(row.try_get("", "k")?, u(row.try_get("", "n")?));
        }
    }
    let open_objection =
        Expr::case(Expr::col(("o", "status")).eq(value(ObjectionStatus::Open)), Expr::col(("o", "id"))).finally(Expr::null());
    let items = Query::select()
        .expr_as(Expr::col(("i", "application_id")).count_distinct(), "applications")
        .expr_as(Expr::col(("i", "notice_id")), "notice_id")
        .from_as("notice_items", "i")
        .group_by_col(("i", "notice_id"))
        .to_owned();
    let q = Query::select()
        .expr_as(Expr::col(("n", "id")), "id")
        .expr_as(Expr::col(("n", "title")), "title")
        .expr_as(Expr::col(("n", "published_at")), "published_at")
        .expr_as(Expr::col(("n", "ends_at")), "ends_at")
        .expr_as(Expr::col(("n", "status")), "status")
        .expr_as(Func::max(Expr::col(("c", "applications"))), "applications")
        .expr_as(Func::count_distinct(open_objection), "open_objections")
        .from_as("notices", "n")
        .join_subquery(JoinType::LeftJoin, items, "c", Expr::col(("c", "notice_id")).equals(("n", "id")))
        .join_as(JoinType::LeftJoin, "objections", "o", Expr::col(("o", "notice_id")).equals(("n", "id")))
        .cond_where(in_week("n", "ends_at"))
        .group_by_col(("n", "id"))
        .group_by_col(("n", "title"))
        .group_by_col(("n", "published_at"))
        .group_by_col(("n", "ends_at"))
        .group_by_col(("n", "status"))
        .order_by(("n", "ends_at"), sea_orm::Order::Asc)
        .order_by(("n", "id"), sea_orm::Order::Asc)
        .limit(rules::NOTICES_LISTED)
        .to_owned();
    let mut ending = Vec::new();
    for row in db.query_all(&q).await? {
        ending.push(NoticeEnding {
            id: row.try_get("", "id")?,
            title: row.try_get("", "title")?,
            published_at: row.try_get("", "published_at")?,
            ends_at: row.try_get("", "ends_at")?,
            status: row.try_get("", "status")?,
            applications: u(row.try_get::<Option<i64>>("", "applications")?.unwrap_or(0)),
            open_objections: u(row.try_get("", "open_objections")?),
        });
    }
    let get = |k: &str| n.get(k).copied().unwrap_or(0);
    Ok(NoticeFigures {
        week: (monday, next_monday - chrono::TimeDelta::days(1)),
        open: get("open"),
        ending_this_week: get("ending"),
        open_objections: get("objections"),
        ending,
    })
}

/// Payments of `year` per category, fee item and status (one statement),
/// and the fee schedule version in force on `today`.
///
/// # Errors
/// Database errors.
pub async fn funding(db: &impl ConnectionTrait, year: i32, today: NaiveDate) -> ApiResult<FundingFigures> {
    let sum = |e: Expr| Func::cast_as(Func::coalesce([Expr::from(Func::sum(e)), Expr::val(0)]), "BIGINT");
    let q = Query::select()
        .expr_as(Expr::col(("p", "category")), "category")
        .expr_as(Expr::col(("p", "fee_item")), "fee_item")
        .expr_as(Expr::col(("p", "status")), "status")
        .expr_as(Expr::col(("p", "id")).count(), "n")
        .expr_as(sum(Expr::col(("p", "quantity"))), "quantity")
        .expr_as(sum(Expr::col(("p", "amount"))), "amount")
        .expr_as(sum(Expr::col(("c", "amount"))), "to_recover")
        .from_as("payments", "p")
        .join_as(JoinType::LeftJoin, "clawbacks", "c", Expr::col(("c", "payment_id")).equals(("p", "id")))
        .and_where(Expr::col(("p", "year")).eq(year))
        .group_by_col(("p", "category"))
        .group_by_col(("p", "fee_item"))
        .group_by_col(("p", "status"))
        .to_owned();
    let mut by_category: BTreeMap<usize, Money> = BTreeMap::new();
    let mut by_item: BTreeMap<usize, Money> = BTreeMap::new();
    for row in db.query_all(&q).await? {
        let c: Category = row.try_get("", "category")?;
        let item: FeeItem = row.try_get("", "fee_item")?;
        let status: PaymentStatus = row.try_get("", "status")?;
        let n = u(row.try_get("", "n")?);
        let amount: i64 = row.try_get("", "amount")?;
        let m = Money {
            payments: n,
            quantity: row.try_get("", "quantity")?,
            committed: amount,
            disbursed: if status == PaymentStatus::Disbursed { amount } else { 0 },
            clawed_back: if status == PaymentStatus::ClawedBack { amount } else { 0 },
            clawed_back_payments: if status == PaymentStatus::ClawedBack { n } else { 0 },
            to_recover: row.try_get("", "to_recover")?,
        };
        by_category.entry(Category::ALL.iter().position(|x| *x == c).unwrap_or(0)).or_default().add(&m);
        by_item.entry(FeeItem::ALL.iter().position(|x| *x == item).unwrap_or(0)).or_default().add(&m);
    }
    let schedule: Option<fee_schedule::Model> = version_on(db, today).await?;
    let amounts = schedule.as_ref().map(fee_schedule::Model::amounts);
    let by_category: Vec<(Category, Money)> =
        Category::ALL.iter().enumerate().map(|(i, c)| (*c, by_category.get(&i).copied().unwrap_or_default())).collect();
    let mut total = Money::default();
    for (_, m) in &by_category {
        total.add(m);
    }
    Ok(FundingFigures {
        year,
        total,
        by_category,
        by_fee_item: FeeItem::ALL
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, by_item.get(&i).copied().unwrap_or_default(), amounts.as_ref().map(|a| a.amount(*f))))
            .collect(),
        schedule_version: schedule.as_ref().map(|s| s.version),
        schedule_effective_from: schedule.as_ref().map(|s| s.effective_from),
    })
}

/// Published resources (not revoked) whose next assessment is due within
/// the window or past, per category (one statement on the indexed date).
///
/// # Errors
/// Database errors.
pub async fn reassessments(db: &impl ConnectionTrait, today: NaiveDate) -> ApiResult<ReassessmentFigures> {
    let until = today + chrono::TimeDelta::days(rules::REASSESSMENT_WINDOW_DAYS);
    let overdue = Expr::case(Expr::col("next_assessment_due").lt(today), Expr::val(1)).finally(Expr::val(0));
    let q = Query::select()
        .column("category")
        .expr_as(Expr::col("id").count(), "n")
        .expr_as(Func::cast_as(Func::sum(overdue), "BIGINT"), "overdue")
        .from("resources")
        .and_where(Expr::col("revoked_on").is_null())
        .and_where(Expr::col("next_assessment_due").lte(until))
        .group_by_col("category")
        .to_owned();
    let mut found: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for row in db.query_all(&q).await? {
        let c: Category = row.try_get("", "category")?;
        let n = u(row.try_get("", "n")?);
        let overdue = u(row.try_get::<Option<i64>>("", "overdue")?.unwrap_or(0));
        found.insert(Category::ALL.iter().position(|x| *x == c).unwrap_or(0), (overdue, n.saturating_sub(overdue)));
    }
    let by_category: Vec<(Category, u64, u64)> = Category::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (o, d) = found.get(&i).copied().unwrap_or((0, 0));
            (*c, o, d)
        })
        .collect();
    Ok(ReassessmentFigures {
        overdue: by_category.iter().map(|(_, o, _)| o).sum(),
        due_soon: by_category.iter().map(|(_, _, d)| d).sum(),
        by_category,
    })
}
