//! The report chase (DESIGN §8): on working days, remind member units whose
//! rows of a half-year report are missing and initiators whose report is not
//! submitted — at 30, 14, 7 and 1 days before the deadline, on the day, on
//! the first working day after it and then every 7 days
//! (`entities::chase::current_stage`); at 30 days overdue, tell the bureau.
//!
//! One message per recipient and stage: a member unit in several alliances
//! gets one reminder listing them all, an initiator one for all its
//! alliances, a bureau user one listing every report 30 days overdue. Its
//! key (`chase:<period>:<rows|report|bureau>:<stage>:<user>`) is the outbox's
//! unique `dedupe_key`, so each (recipient, report, stage) is sent at most
//! once, ever.
//!
//! A unit none of whose active accounts has an e-mail is itself the
//! recipient, at its own address (its record's e-mail, else its latest 附件1
//! form's; [`crate::reach`]), key `…:unit:<organisation>`; a unit with no
//! address at all is listed in the weekly digest instead.
//!
//! Member units and initiators can number hundreds of thousands, so their
//! messages are queued by the database: one `INSERT … SELECT` per kind finds
//! who owes what, leaves out whoever was told at this stage already (by the
//! key's unique index), builds each message's variables (JSON) and writes
//! them; the text is rendered at delivery. Nothing is read into the process,
//! so a second run on the same day costs one anti-join. On PostgreSQL each
//! statement runs as `JobContext::shares` statements at once, each over the
//! organisations whose id falls in its share (`Dialect::in_share`), in its
//! own transaction. The few bureau users are told the ordinary way.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    Role,
    calendar::Calendar,
    chase::{Stage, current_stage, escalation_due},
    models::{alliance, outbox_message, user},
    report::{
        Deadlines, Period,
        outstanding::{CHUNK, Scope, load_calendar, missing_rows_query, open_reports, open_reports_query, owed_periods_on},
    },
};
use futures::future::try_join_all;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail, Selected},
    reach,
    registry::{JobContext, JobReport},
    sql::{Dialect, Share},
};

/// At most this many reports are listed in one bureau message; the rest are counted.
const BUREAU_LIST: usize = 50;

#[derive(Debug, Clone)]
struct Recipient {
    id: Uuid,
    name: String,
    email: String,
}

/// Who the set-based statements remind.
#[derive(Debug, Clone, Copy)]
enum Told {
    MemberUnits,
    Initiators,
}

/// One message the chase wants to send.
struct Planned {
    key: String,
    to: Recipient,
    template: &'static str,
    vars: serde_json::Value,
}

async fn bureau_users(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Recipient>> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in([Role::BureauAdmin, Role::BureauStaff]))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Email.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.email.map(|email| Recipient { id: u.id, name: u.display_name, email }))
        .collect())
}

/// The recipients whose key (`prefix` + user id) has not been used yet,
/// with their keys. The used keys are read as one range of the unique index
/// (the prefix ends in `:`, the range ends before `;`; keys compare bytewise).
async fn not_yet_told(db: &impl ConnectionTrait, prefix: &str, to: Vec<Recipient>) -> anyhow::Result<Vec<(String, Recipient)>> {
    let end =
        prefix.strip_suffix(':').map(|p| format!("{p};")).ok_or_else(|| anyhow::anyhow!("chase key prefix `{prefix}` must end in `:`"))?;
    let used: HashSet<String> = outbox_message::Entity::find()
        .select_only()
        .column(outbox_message::Column::DedupeKey)
        .filter(outbox_message::Column::DedupeKey.gte(prefix))
        .filter(outbox_message::Column::DedupeKey.lt(end))
        .into_tuple::<Option<String>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok(to.into_iter().map(|r| (format!("{prefix}{}", r.id), r)).filter(|(k, _)| !used.contains(k)).collect())
}

/// `id → name` of the rows of `E` with these ids.
async fn names<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    name: E::Column,
    ids: &HashSet<Uuid>,
) -> anyhow::Result<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(Uuid, String)> =
            E::find().select_only().column(id).column(name).filter(id.is_in(chunk.to_vec())).into_tuple().all(db).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// "距截止日期还有7天" / "今天是截止日期" / "已逾期3天".
#[must_use]
pub fn when_text(due: NaiveDate, today: NaiveDate) -> String {
    let days = (due - today).num_days();
    match days {
        d if d > 0 => format!("距截止日期还有{d}天"),
        0 => "今天是截止日期".to_string(),
        d => format!("已逾期{}天", -d),
    }
}

/// What a period's chase needs to know to word its messages.
struct PeriodCtx<'a> {
    ctx: &'a JobContext,
    period: Period,
    deadlines: Deadlines,
    today: NaiveDate,
    now: DateTime<Utc>,
}

impl PeriodCtx<'_> {
    fn report_link(&self, alliance: Uuid) -> String {
        format!("{}/alliances/{alliance}/reports/{}", self.ctx.public_base_url, self.period)
    }

    /// The single report's link, or the list the recipient can reach them all from.
    fn overall_link(&self, alliances: &[Uuid], list: &str) -> String {
        match alliances {
            [one] => self.report_link(*one),
            _ => format!("{}{list}", self.ctx.public_base_url),
        }
    }

    /// The bound values every set-based query of this period starts with:
    /// 1 the key prefix, 2–3 a report link's start and end (the alliance id goes
    /// between), 4 the list link, 5 the period, 6 the due date, 7 days left or
    /// overdue, 8 the `org_user` role, 9 `false` (for `disabled`), 10 the end
    /// of the key range (keys compare bytewise; the prefix ends in `:`).
    fn values(&self, prefix: &str, due: NaiveDate) -> Vec<sea_orm::Value> {
        let end = format!("{};", prefix.trim_end_matches(':'));
        vec![
            prefix.into(),
            format!("{}/alliances/", self.ctx.public_base_url).into(),
            format!("/reports/{}", self.period).into(),
            format!("{}/tasks", self.ctx.public_base_url).into(),
            self.period.label_zh().into(),
            due.to_string().into(),
            when_text(due, self.today).into(),
            sea_orm::ActiveEnum::to_value(&Role::OrgUser).into(),
            false.into(),
            end.into(),
        ]
    }

    /// `pending`: who is told about the organisations `owing` (a subquery),
    /// as (`id` of the account or NULL, `email`, `display_name`,
    /// `organization_id`, `dedupe_key`), leaving out keys already used:
    /// - active `org_user` accounts with an email, key `?1` + user id; the used
    ///   keys are read as one range of the unique index (`?1` up to `?10`) and
    ///   hashed, rather than looked up once per user;
    /// - a unit none of whose accounts has one, at its own address
    ///   (`reach::unit_address`: record, else latest 附件1 form), key `?1` +
    ///   `unit:` + organisation id — one message per unit and stage, like an
    ///   account's. A unit with neither is left to the digest.
    fn pending(d: Dialect, owing: &str, share: Share) -> String {
        let key = format!("{} || {}", d.param(1), d.uuid_text("u.id"));
        let unit_key = format!("{} || 'unit:' || {}", d.param(1), d.uuid_text("org.id"));
        format!(
            "pending AS MATERIALIZED (SELECT u.id, u.email, u.display_name, u.organization_id, {key} AS dedupe_key FROM users u \
             WHERE u.role = {role} AND u.disabled = {no} AND u.email IS NOT NULL AND {mine} AND u.organization_id IN ({owing}) \
             AND u.id NOT IN (SELECT ob.to_user_id FROM outbox ob \
                              WHERE ob.dedupe_key >= {from} AND ob.dedupe_key < {to} AND ob.to_user_id IS NOT NULL) \
             UNION ALL \
             SELECT NULL, un.email, un.name, un.id, un.dedupe_key FROM \
               (SELECT org.id, org.name, {address} AS email, {unit_key} AS dedupe_key FROM organizations org \
                WHERE org.id IN ({owing}) AND NOT {account}) un \
             WHERE un.email IS NOT NULL AND un.dedupe_key NOT IN (SELECT ob.dedupe_key FROM outbox ob \
                              WHERE ob.dedupe_key >= {from} AND ob.dedupe_key < {to} AND ob.to_user_id IS NULL))",
            role = d.param(8),
            no = d.param(9),
            mine = d.in_share("u.organization_id", share),
            from = d.param(1),
            to = d.param(10),
            address = reach::unit_address("org"),
            account = reach::has_account_address(d, "org.id"),
        )
    }

    /// Member units: one message per user of an organisation with missing
    /// rows, listing its alliances — queued by the database in one statement.
    async fn rows(&self, conn: &impl ConnectionTrait, stage: Stage, share: Share) -> anyhow::Result<u64> {
        let d = Dialect(conn.get_database_backend());
        let prefix = format!("chase:{}:rows:{}:", self.period, stage.key());
        let link = format!("{} || {} || {}", d.param(2), d.uuid_text("o.alliance_id"), d.param(3));
        let item = d.object(&[("name", "o.alliance_name".into()), ("link", link.clone())]);
        let vars = d.object(&[
            ("recipient_name", "p.display_name".into()),
            ("organization_name", "org.name".into()),
            ("unit_address", d.json_bool("p.id IS NULL")),
            ("alliances", d.json("l.alliances")),
            ("period", d.param(5)),
            ("deadline", d.param(6)),
            ("when", d.param(7)),
            ("overdue", d.boolean(stage.is_overdue())),
            ("link", format!("CASE WHEN l.n = 1 THEN l.one_link ELSE {} END", d.param(4))),
        ]);
        let sql = format!(
            "WITH owed AS MATERIALIZED (SELECT * FROM ({missing}) x WHERE {ours}), {pending}, \
             lists AS (SELECT o.organization_id, {agg} AS alliances, COUNT(*) AS n, MIN({link}) AS one_link FROM owed o \
                       WHERE o.organization_id IN (SELECT organization_id FROM pending) GROUP BY o.organization_id) \
             SELECT p.email AS to_address, p.id AS to_user_id, {vars} AS vars, p.dedupe_key FROM pending p \
             JOIN lists l ON l.organization_id = p.organization_id JOIN organizations org ON org.id = p.organization_id",
            missing = inline(d, &missing_rows_query(self.period)),
            ours = d.in_share("x.organization_id", share),
            pending = Self::pending(d, "SELECT organization_id FROM owed", share),
            agg = d.array_agg(&item, "o.alliance_id"),
            vars = d.json_text(&vars),
        );
        let rows = Selected { sql, values: self.values(&prefix, self.deadlines.member_rows.due) };
        Ok(outbox::enqueue_select(conn, "report_rows_reminder", rows, &prefix, self.now).await?)
    }

    /// Initiators: one message per user of an organisation with unsubmitted
    /// reports, each with the member units still missing — in one statement.
    async fn reports(&self, conn: &impl ConnectionTrait, stage: Stage, share: Share) -> anyhow::Result<u64> {
        let d = Dialect(conn.get_database_backend());
        let prefix = format!("chase:{}:report:{}:", self.period, stage.key());
        let link = format!("{} || {} || {}", d.param(2), d.uuid_text("o.alliance_id"), d.param(3));
        let item =
            d.object(&[("name", "o.alliance_name".into()), ("missing", d.json("COALESCE(miss.names, '[]')")), ("link", link.clone())]);
        let vars = d.object(&[
            ("recipient_name", "p.display_name".into()),
            ("unit_address", d.json_bool("p.id IS NULL")),
            ("reports", d.json("l.reports")),
            ("period", d.param(5)),
            ("deadline", d.param(6)),
            ("when", d.param(7)),
            ("overdue", d.boolean(stage.is_overdue())),
            ("year_end", d.boolean(self.period.is_year_end())),
            ("link", format!("CASE WHEN l.n = 1 THEN l.one_link ELSE {} END", d.param(4))),
        ]);
        let sql = format!(
            "WITH open AS MATERIALIZED (SELECT * FROM ({open}) x WHERE {ours}), {pending}, \
             missing AS (SELECT x.alliance_id, x.organization_id, org.name FROM ({missing}) x \
                         JOIN organizations org ON org.id = x.organization_id \
                         WHERE x.initiator_org_id IN (SELECT organization_id FROM pending)), \
             miss AS (SELECT alliance_id, {names} AS names FROM missing GROUP BY alliance_id), \
             lists AS (SELECT o.initiator_org_id, {agg} AS reports, COUNT(*) AS n, MIN({link}) AS one_link \
                       FROM open o LEFT JOIN miss ON miss.alliance_id = o.alliance_id \
                       WHERE o.initiator_org_id IN (SELECT organization_id FROM pending) GROUP BY o.initiator_org_id) \
             SELECT p.email AS to_address, p.id AS to_user_id, {vars} AS vars, p.dedupe_key FROM pending p \
             JOIN lists l ON l.initiator_org_id = p.organization_id",
            open = inline(d, &open_reports_query(self.period)),
            missing = inline(d, &missing_rows_query(self.period)),
            ours = d.in_share("x.initiator_org_id", share),
            pending = Self::pending(d, "SELECT initiator_org_id FROM open", share),
            names = d.array_agg("name", "organization_id"),
            agg = d.array_agg(&item, "o.alliance_id"),
            vars = d.json_text(&vars),
        );
        let rows = Selected { sql, values: self.values(&prefix, self.deadlines.report.due) };
        Ok(outbox::enqueue_select(conn, "report_reminder", rows, &prefix, self.now).await?)
    }

    /// Bureau users: one message each listing the reports 30 days overdue.
    async fn bureau(&self) -> anyhow::Result<(u64, Vec<Planned>)> {
        let db = &self.ctx.db;
        let users = bureau_users(db).await?;
        let seen = users.len() as u64;
        let prefix = format!("chase:{}:bureau:{}:", self.period, Stage::Overdue(30).key());
        let pending = not_yet_told(db, &prefix, users).await?;
        if pending.is_empty() {
            return Ok((seen, Vec::new()));
        }
        let due = self.deadlines.report.due;
        let open = open_reports(db, self.period, due, self.today, Scope::All).await?;
        if open.is_empty() {
            return Ok((seen, Vec::new()));
        }
        let shown = &open[..open.len().min(BUREAU_LIST)];
        let alliance_names =
            names::<alliance::Entity>(db, alliance::Column::Id, alliance::Column::Name, &shown.iter().map(|r| r.alliance_id).collect())
                .await?;
        let listed: Vec<_> = shown
            .iter()
            .map(|r| json!({"name": alliance_names.get(&r.alliance_id), "missing_rows": r.missing_rows, "link": self.report_link(r.alliance_id)}))
            .collect();
        let ids: Vec<Uuid> = open.iter().map(|r| r.alliance_id).collect();
        let vars = json!({
            "period": self.period.label_zh(),
            "deadline": due.to_string(),
            "days_overdue": (self.today - due).num_days(),
            "total": open.len(),
            "reports": listed,
            "more": open.len() - shown.len(),
            "link": self.overall_link(&ids, "/dashboard#overdue"),
        });
        let planned = pending
            .into_iter()
            .map(|(key, to)| {
                let mut vars = vars.clone();
                vars["recipient_name"] = json!(to.name);
                Planned { key, to, template: "report_overdue_bureau", vars }
            })
            .collect();
        Ok((seen, planned))
    }

    /// Queues the reminders of `who` at `stage` once per share
    /// (`JobContext::shares`; one on SQLite), all at once, each share in its
    /// own transaction; answers the messages queued.
    async fn in_shares(&self, who: Told, stage: Stage) -> anyhow::Result<u64> {
        let db = &self.ctx.db;
        let shares = Dialect(db.get_database_backend()).shares(self.ctx.shares);
        let counts = try_join_all(Share::all(shares).map(|share| async move {
            let txn = roomy(crate::db::begin_write(db).await?).await?;
            let n = match who {
                Told::MemberUnits => self.rows(&txn, stage, share).await?,
                Told::Initiators => self.reports(&txn, stage, share).await?,
            };
            txn.commit().await?;
            anyhow::Ok(n)
        }))
        .await?;
        Ok(counts.into_iter().sum())
    }

    /// Queues what the chase sends on `today` for this period and has not
    /// sent yet, one transaction per kind of message (a message and its
    /// notification land together); answers (recipients seen, messages queued).
    async fn queue(&self, calendar: &Calendar) -> anyhow::Result<(u64, u64)> {
        let db = &self.ctx.db;
        let (mut seen, mut queued) = (0, 0);
        if let Some(stage) = current_stage(self.deadlines.member_rows.due, self.today, calendar)? {
            let n = self.in_shares(Told::MemberUnits, stage).await?;
            (seen, queued) = (seen + n, queued + n);
        }
        if let Some(stage) = current_stage(self.deadlines.report.due, self.today, calendar)? {
            let n = self.in_shares(Told::Initiators, stage).await?;
            (seen, queued) = (seen + n, queued + n);
        }
        if escalation_due(self.deadlines.report.due, self.today, calendar)? {
            let (told, planned) = self.bureau().await?;
            let mails = planned
                .into_iter()
                .map(|p| OutgoingMail {
                    to_address: p.to.email,
                    to_user_id: Some(p.to.id),
                    template: p.template,
                    vars: p.vars,
                    dedupe_key: Some(p.key),
                })
                .collect();
            let txn = crate::db::begin_write(db).await?;
            let n = outbox::enqueue_many(&txn, mails, self.now).await? as u64;
            txn.commit().await?;
            (seen, queued) = (seen + told, queued + n);
        }
        Ok((seen, queued))
    }
}

/// On PostgreSQL, lets the transaction's hashes and sorts of a few hundred
/// thousand recipients stay in memory (the default 4 MB spills to disk) and
/// its statements use parallel workers.
async fn roomy(txn: DatabaseTransaction) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared("SET LOCAL work_mem = '64MB'").await?;
        // One big statement: parallel workers help it (the pool's connections
        // have none, `api::db::connect`).
        txn.execute_unprepared("SET LOCAL max_parallel_workers_per_gather = 2").await?;
        // Whole populations are joined: the planner's estimates for the
        // anti-joins (rows not handed in, keys not used) can be off by
        // thousands, and a nested loop chosen on such an estimate runs for
        // hours where a hash join takes a second.
        txn.execute_unprepared("SET LOCAL enable_nestloop = off").await?;
    }
    Ok(txn)
}

/// Renders `q` for the connected database with its values written in: they
/// are the registry's own (a period code, dates, status codes), never input.
pub(crate) fn inline(d: Dialect, q: &SelectStatement) -> String {
    match d.0 {
        DatabaseBackend::Postgres => q.to_string(PostgresQueryBuilder),
        _ => q.to_string(SqliteQueryBuilder),
    }
}

/// Runs the chase at `now`. `seen` counts the recipients due a message that
/// had not been told yet (and the bureau users at the escalation), `acted`
/// the messages queued.
///
/// # Errors
/// Database errors; calendar data missing for the current year.
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let db = &ctx.db;
    let today = now.with_timezone(&shanghai()).date_naive();
    let calendar = load_calendar(db, today.year() - 1, today.year() + 1).await?;
    let mut report = JobReport::default();
    // Reminders go out on working days only (DESIGN §8).
    if !calendar.is_working_day(today)? {
        return Ok(report);
    }
    for (period, deadlines) in owed_periods_on(db, ctx.report_rules, today).await? {
        let p = PeriodCtx { ctx, period, deadlines, today, now };
        // One period that cannot be chased (e.g. calendar data missing) is logged and skipped.
        match p.queue(&calendar).await {
            Ok((seen, queued)) => {
                report.seen += seen;
                report.acted += queued;
            }
            Err(e) => {
                tracing::warn!(%period, error = %format!("{e:#}"), "chase: period skipped");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_texts() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(when_text(d(7, 31), d(7, 24)), "距截止日期还有7天");
        assert_eq!(when_text(d(7, 31), d(7, 31)), "今天是截止日期");
        assert_eq!(when_text(d(7, 31), d(8, 3)), "已逾期3天");
    }
}
