//! The report chase (DESIGN §8): on working days, remind member units whose
//! rows of a half-year report are missing and initiators whose report is not
//! submitted — at 30, 14, 7 and 1 days before the deadline, on the day, on
//! the first working day after it and then every 7 days
//! (`entities::chase::current_stage`); at 30 days overdue, tell the bureau.
//!
//! Each (recipient, report, stage) is sent at most once, ever: the outbox's
//! unique `dedupe_key` (`chase:<period>:<kind>:<stage>:<alliance>:<org>:<user>`)
//! enforces it. The keys already written for a (period, kind, stage) are read
//! in one query, so a second run on the same day does almost nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::{
    Role,
    chase::{Stage, current_stage, escalation_due},
    models::{alliance, organization, outbox_message, user},
    report::{
        Period,
        outstanding::{Outstanding, load_calendar, outstanding_on},
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

#[derive(Debug, Clone)]
struct Recipient {
    id: Uuid,
    name: String,
    email: String,
}

/// One message the chase wants to send.
struct Planned {
    key: String,
    to: Recipient,
    template: &'static str,
    vars: serde_json::Value,
}

async fn org_users(db: &impl ConnectionTrait, orgs: &HashSet<Uuid>) -> anyhow::Result<HashMap<Uuid, Vec<Recipient>>> {
    let mut out: HashMap<Uuid, Vec<Recipient>> = HashMap::new();
    let orgs: Vec<Uuid> = orgs.iter().copied().collect();
    for chunk in orgs.chunks(5000) {
        let users = user::Entity::find()
            .filter(user::Column::OrganizationId.is_in(chunk.to_vec()))
            .filter(user::Column::Role.eq(Role::OrgUser))
            .filter(user::Column::Disabled.eq(false))
            .filter(user::Column::Email.is_not_null())
            .all(db)
            .await?;
        for u in users {
            if let (Some(org), Some(email)) = (u.organization_id, u.email) {
                out.entry(org).or_default().push(Recipient { id: u.id, name: u.display_name, email });
            }
        }
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
        .filter_map(|u| u.email.map(|email| Recipient { id: u.id, name: u.display_name, email }))
        .collect())
}

/// Keys already written under `prefix`.
async fn sent_keys(db: &impl ConnectionTrait, prefix: &str) -> anyhow::Result<HashSet<String>> {
    let keys: Vec<Option<String>> = outbox_message::Entity::find()
        .select_only()
        .column(outbox_message::Column::DedupeKey)
        .filter(outbox_message::Column::DedupeKey.starts_with(prefix))
        .into_tuple()
        .all(db)
        .await?;
    Ok(keys.into_iter().flatten().collect())
}

async fn alliance_names(db: &impl ConnectionTrait, ids: &HashSet<Uuid>) -> anyhow::Result<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(5000) {
        let rows: Vec<(Uuid, String)> = alliance::Entity::find()
            .select_only()
            .column(alliance::Column::Id)
            .column(alliance::Column::Name)
            .filter(alliance::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

async fn org_names(db: &impl ConnectionTrait, ids: &HashSet<Uuid>) -> anyhow::Result<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(5000) {
        let rows: Vec<(Uuid, String)> = organization::Entity::find()
            .select_only()
            .column(organization::Column::Id)
            .column(organization::Column::Name)
            .filter(organization::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
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

/// What the chase would send on `today` for one period, minus what was sent.
async fn plan(
    ctx: &JobContext,
    o: &Outstanding,
    today: NaiveDate,
    calendar: &entities::calendar::Calendar,
) -> anyhow::Result<(u64, Vec<Planned>)> {
    let db = &ctx.db;
    let period: Period = o.period;
    let rows_due = o.deadlines.member_rows.due;
    let report_due = o.deadlines.report.due;
    let row_stage = current_stage(rows_due, today, calendar)?;
    let report_stage = current_stage(report_due, today, calendar)?;
    let escalate = escalation_due(report_due, today, calendar)?;
    let mut alliances: HashSet<Uuid> = o.open_reports.iter().map(|r| r.alliance_id).collect();
    alliances.extend(o.missing_rows.iter().map(|m| m.alliance_id));
    let mut orgs: HashSet<Uuid> = o.missing_rows.iter().map(|m| m.organization_id).collect();
    orgs.extend(o.open_reports.iter().map(|r| r.initiator_org_id));
    let names = alliance_names(db, &alliances).await?;
    let org_name = org_names(db, &orgs).await?;
    let users = org_users(db, &orgs).await?;
    let link = |a: Uuid| format!("{}/api/v1/alliances/{a}/reports/{period}", ctx.public_base_url);
    let mut seen = 0u64;
    let mut planned = Vec::new();
    let mut missing_by_alliance: HashMap<Uuid, Vec<String>> = HashMap::new();
    for m in &o.missing_rows {
        missing_by_alliance.entry(m.alliance_id).or_default().push(org_name.get(&m.organization_id).cloned().unwrap_or_default());
    }

    if let Some(stage) = row_stage {
        let prefix = format!("chase:{period}:rows:{}:", stage.key());
        let sent = sent_keys(db, &prefix).await?;
        for m in &o.missing_rows {
            seen += 1;
            for to in users.get(&m.organization_id).into_iter().flatten() {
                let key = format!("{prefix}{}:{}:{}", m.alliance_id, m.organization_id, to.id);
                if sent.contains(&key) {
                    continue;
                }
                planned.push(Planned {
                    key,
                    to: to.clone(),
                    template: "report_rows_reminder",
                    vars: json!({
                        "recipient_name": to.name,
                        "organization_name": org_name.get(&m.organization_id),
                        "alliance_name": names.get(&m.alliance_id),
                        "period": period.label_zh(),
                        "deadline": rows_due.to_string(),
                        "when": when_text(rows_due, today),
                        "overdue": stage.is_overdue(),
                        "link": link(m.alliance_id),
                    }),
                });
            }
        }
    }
    if let Some(stage) = report_stage {
        let prefix = format!("chase:{period}:report:{}:", stage.key());
        let sent = sent_keys(db, &prefix).await?;
        for r in &o.open_reports {
            seen += 1;
            for to in users.get(&r.initiator_org_id).into_iter().flatten() {
                let key = format!("{prefix}{}:{}:{}", r.alliance_id, r.initiator_org_id, to.id);
                if sent.contains(&key) {
                    continue;
                }
                planned.push(Planned {
                    key,
                    to: to.clone(),
                    template: "report_reminder",
                    vars: json!({
                        "recipient_name": to.name,
                        "alliance_name": names.get(&r.alliance_id),
                        "period": period.label_zh(),
                        "deadline": report_due.to_string(),
                        "when": when_text(report_due, today),
                        "overdue": stage.is_overdue(),
                        "missing": missing_by_alliance.get(&r.alliance_id).cloned().unwrap_or_default(),
                        "year_end": period.is_year_end(),
                        "link": link(r.alliance_id),
                    }),
                });
            }
        }
    }
    if escalate && !o.open_reports.is_empty() {
        let prefix = format!("chase:{period}:bureau:{}:", Stage::Overdue(30).key());
        let sent = sent_keys(db, &prefix).await?;
        for to in bureau_users(db).await? {
            for r in &o.open_reports {
                let key = format!("{prefix}{}:{}", r.alliance_id, to.id);
                if sent.contains(&key) {
                    continue;
                }
                planned.push(Planned {
                    key,
                    to: to.clone(),
                    template: "report_overdue_bureau",
                    vars: json!({
                        "recipient_name": to.name,
                        "alliance_name": names.get(&r.alliance_id),
                        "period": period.label_zh(),
                        "deadline": report_due.to_string(),
                        "days_overdue": (today - report_due).num_days(),
                        "missing_rows": r.missing_rows,
                        "link": link(r.alliance_id),
                    }),
                });
            }
        }
    }
    Ok((seen, planned))
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
    for o in outstanding_on(db, ctx.report_rules, today).await? {
        // One period that cannot be planned (e.g. calendar data missing) is logged and skipped.
        let (seen, planned) = match plan(ctx, &o, today, &calendar).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(period = %o.period, error = %e, "chase: period skipped");
                report.failed += 1;
                continue;
            }
        };
        report.seen += seen;
        // One transaction per batch: a message and its notification land together.
        for batch in planned.chunks(2000) {
            let mails: Vec<OutgoingMail> = batch
                .iter()
                .map(|p| OutgoingMail {
                    to_address: p.to.email.clone(),
                    to_user_id: Some(p.to.id),
                    template: p.template,
                    vars: p.vars.clone(),
                    dedupe_key: Some(p.key.clone()),
                })
                .collect();
            let txn = db.begin().await?;
            match outbox::enqueue_many(&txn, mails, now).await {
                Ok(n) => {
                    txn.commit().await?;
                    report.acted += n as u64;
                }
                Err(e) => {
                    tracing::warn!(period = %o.period, error = %e, "chase: a batch of reminders could not be queued");
                    report.failed += batch.len() as u64;
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
