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
//! once, ever. A run first finds who owes something (one `DISTINCT` query)
//! and which of their keys are used; only the recipients still to be told
//! are looked at in detail, so a second run on the same day reads a few
//! thousand ids, not every row.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    Role,
    calendar::Calendar,
    chase::{Stage, current_stage, escalation_due},
    models::{alliance, organization, outbox_message, user},
    report::{
        Deadlines, Period,
        outstanding::{CHUNK, Owing, Scope, load_calendar, missing_rows, open_reports, owed_periods_on, owing_organizations},
    },
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail},
    registry::{JobContext, JobReport},
};

/// At most this many reports are listed in one bureau message; the rest are counted.
const BUREAU_LIST: usize = 50;

#[derive(Debug, Clone)]
struct Recipient {
    id: Uuid,
    name: String,
    email: String,
    organization_id: Option<Uuid>,
}

/// One message the chase wants to send.
struct Planned {
    key: String,
    to: Recipient,
    template: &'static str,
    vars: serde_json::Value,
}

/// Active org_user accounts with an email of `orgs`.
async fn org_users(db: &impl ConnectionTrait, orgs: &[Uuid]) -> anyhow::Result<Vec<Recipient>> {
    let mut out = Vec::new();
    for chunk in orgs.chunks(CHUNK) {
        let users = user::Entity::find()
            .filter(user::Column::OrganizationId.is_in(chunk.to_vec()))
            .filter(user::Column::Role.eq(Role::OrgUser))
            .filter(user::Column::Disabled.eq(false))
            .filter(user::Column::Email.is_not_null())
            .all(db)
            .await?;
        out.extend(
            users.into_iter().filter_map(|u| {
                u.email.map(|email| Recipient { id: u.id, name: u.display_name, email, organization_id: u.organization_id })
            }),
        );
    }
    Ok(out)
}

async fn bureau_users(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Recipient>> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in([Role::BureauAdmin, Role::BureauStaff]))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Email.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.email.map(|email| Recipient { id: u.id, name: u.display_name, email, organization_id: None }))
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
}

impl PeriodCtx<'_> {
    fn report_link(&self, alliance: Uuid) -> String {
        format!("{}/api/v1/alliances/{alliance}/reports/{}", self.ctx.public_base_url, self.period)
    }

    /// The single report's link, or the list the recipient can reach them all from.
    fn overall_link(&self, alliances: &[Uuid], list: &str) -> String {
        match alliances {
            [one] => self.report_link(*one),
            _ => format!("{}{list}", self.ctx.public_base_url),
        }
    }

    /// Member units: one message per user of an organisation with missing rows.
    async fn rows(&self, stage: Stage) -> anyhow::Result<(u64, Vec<Planned>)> {
        let db = &self.ctx.db;
        let owing = owing_organizations(db, self.period, Owing::Rows).await?;
        let users = org_users(db, &owing).await?;
        let seen = users.len() as u64;
        let prefix = format!("chase:{}:rows:{}:", self.period, stage.key());
        let pending = not_yet_told(db, &prefix, users).await?;
        if pending.is_empty() {
            return Ok((seen, Vec::new()));
        }
        let orgs: Vec<Uuid> = pending.iter().filter_map(|(_, r)| r.organization_id).collect::<HashSet<_>>().into_iter().collect();
        let missing = missing_rows(db, self.period, Scope::Members(&orgs)).await?;
        let mut by_org: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for m in &missing {
            by_org.entry(m.organization_id).or_default().push(m.alliance_id);
        }
        let alliance_names =
            names::<alliance::Entity>(db, alliance::Column::Id, alliance::Column::Name, &missing.iter().map(|m| m.alliance_id).collect())
                .await?;
        let org_names =
            names::<organization::Entity>(db, organization::Column::Id, organization::Column::Name, &orgs.iter().copied().collect())
                .await?;
        let due = self.deadlines.member_rows.due;
        let planned = pending
            .into_iter()
            .filter_map(|(key, to)| {
                let org = to.organization_id?;
                let alliances = by_org.get(&org)?;
                let listed: Vec<_> =
                    alliances.iter().map(|a| json!({"name": alliance_names.get(a), "link": self.report_link(*a)})).collect();
                let vars = json!({
                    "recipient_name": to.name,
                    "organization_name": org_names.get(&org),
                    "alliances": listed,
                    "period": self.period.label_zh(),
                    "deadline": due.to_string(),
                    "when": when_text(due, self.today),
                    "overdue": stage.is_overdue(),
                    "link": self.overall_link(alliances, "/api/v1/alliances"),
                });
                Some(Planned { key, to, template: "report_rows_reminder", vars })
            })
            .collect();
        Ok((seen, planned))
    }

    /// Initiators: one message per user of an organisation with unsubmitted reports.
    async fn reports(&self, stage: Stage) -> anyhow::Result<(u64, Vec<Planned>)> {
        let db = &self.ctx.db;
        let owing = owing_organizations(db, self.period, Owing::Report).await?;
        let users = org_users(db, &owing).await?;
        let seen = users.len() as u64;
        let prefix = format!("chase:{}:report:{}:", self.period, stage.key());
        let pending = not_yet_told(db, &prefix, users).await?;
        if pending.is_empty() {
            return Ok((seen, Vec::new()));
        }
        let initiators: Vec<Uuid> = pending.iter().filter_map(|(_, r)| r.organization_id).collect::<HashSet<_>>().into_iter().collect();
        let due = self.deadlines.report.due;
        let open = open_reports(db, self.period, due, self.today, Scope::Initiators(&initiators)).await?;
        let missing = missing_rows(db, self.period, Scope::Initiators(&initiators)).await?;
        let alliance_names =
            names::<alliance::Entity>(db, alliance::Column::Id, alliance::Column::Name, &open.iter().map(|r| r.alliance_id).collect())
                .await?;
        let member_names = names::<organization::Entity>(
            db,
            organization::Column::Id,
            organization::Column::Name,
            &missing.iter().map(|m| m.organization_id).collect(),
        )
        .await?;
        let mut missing_by_alliance: HashMap<Uuid, Vec<&str>> = HashMap::new();
        for m in &missing {
            missing_by_alliance.entry(m.alliance_id).or_default().push(member_names.get(&m.organization_id).map_or("", String::as_str));
        }
        let mut by_initiator: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for r in &open {
            by_initiator.entry(r.initiator_org_id).or_default().push(r.alliance_id);
        }
        let planned = pending
            .into_iter()
            .filter_map(|(key, to)| {
                let alliances = by_initiator.get(&to.organization_id?)?;
                let listed: Vec<_> = alliances
                    .iter()
                    .map(|a| {
                        json!({
                            "name": alliance_names.get(a),
                            "missing": missing_by_alliance.get(a).cloned().unwrap_or_default(),
                            "link": self.report_link(*a),
                        })
                    })
                    .collect();
                let vars = json!({
                    "recipient_name": to.name,
                    "reports": listed,
                    "period": self.period.label_zh(),
                    "deadline": due.to_string(),
                    "when": when_text(due, self.today),
                    "overdue": stage.is_overdue(),
                    "year_end": self.period.is_year_end(),
                    "link": self.overall_link(alliances, "/api/v1/alliances"),
                });
                Some(Planned { key, to, template: "report_reminder", vars })
            })
            .collect();
        Ok((seen, planned))
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
            "link": self.overall_link(&ids, &format!("/api/v1/reports?period={}&status=overdue", self.period)),
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

    /// What the chase would send on `today` for this period, minus what was sent.
    async fn plan(&self, calendar: &Calendar) -> anyhow::Result<(u64, Vec<Planned>)> {
        let (mut seen, mut planned) = (0, Vec::new());
        let mut add = |(s, p): (u64, Vec<Planned>)| {
            seen += s;
            planned.extend(p);
        };
        if let Some(stage) = current_stage(self.deadlines.member_rows.due, self.today, calendar)? {
            add(self.rows(stage).await?);
        }
        if let Some(stage) = current_stage(self.deadlines.report.due, self.today, calendar)? {
            add(self.reports(stage).await?);
        }
        if escalation_due(self.deadlines.report.due, self.today, calendar)? {
            add(self.bureau().await?);
        }
        Ok((seen, planned))
    }
}

/// Runs the chase at `now`.
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
        let p = PeriodCtx { ctx, period, deadlines, today };
        // One period that cannot be planned (e.g. calendar data missing) is logged and skipped.
        let (seen, planned) = match p.plan(&calendar).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(%period, error = %e, "chase: period skipped");
                report.failed += 1;
                continue;
            }
        };
        report.seen += seen;
        // One transaction per batch: a message and its notification land together.
        let mut planned = planned.into_iter().peekable();
        while planned.peek().is_some() {
            let mails: Vec<OutgoingMail> = planned
                .by_ref()
                .take(2000)
                .map(|p| OutgoingMail {
                    to_address: p.to.email,
                    to_user_id: Some(p.to.id),
                    template: p.template,
                    vars: p.vars,
                    dedupe_key: Some(p.key),
                })
                .collect();
            let count = mails.len() as u64;
            let txn = db.begin().await?;
            match outbox::enqueue_many(&txn, mails, now).await {
                Ok(n) => {
                    txn.commit().await?;
                    report.acted += n as u64;
                }
                Err(e) => {
                    tracing::warn!(%period, error = %e, "chase: a batch of reminders could not be queued");
                    report.failed += count;
                }
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
