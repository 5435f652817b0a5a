//! `policy_validity` (DESIGN §8, 000 第二十六条): policy documents that expire
//! within 90 days (seed 000 on 2027-12-31: from 2027-10-02) and, from
//! 1 December, a missing calendar for next year (DESIGN §7: a year with no
//! data is an error, never a guess). Each bureau user is told once per policy
//! and expiry date, and once per missing calendar year: the outbox keys
//! `policy_validity:expiring:<policy>:<valid until>:<user>` and
//! `policy_validity:calendar:<year>:<user>` are the sent markers, so a daily
//! re-run sends nothing more. Expired policies are not announced (they show
//! as `expired` on `GET /policies`).

use chrono::{DateTime, Days, NaiveDate, Utc};
use entities::{
    models::{calendar_year, policy_document},
    policy::{PolicyState, calendar_year_due, policy_state},
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail},
    registry::{JobContext, JobReport},
    resource_mail::bureau_recipients,
};

fn governs_label(governs: Option<&str>) -> &'static str {
    match governs {
        Some("alliance_filing") => "职业培训联盟备案",
        Some("skill_resource") => "技能资源申报",
        _ => "事项",
    }
}

/// Policy documents in force whose last valid day is within 90 days, with the days left (soonest first).
///
/// # Errors
/// Database errors.
pub async fn expiring(db: &impl ConnectionTrait, today: NaiveDate) -> Result<Vec<(policy_document::Model, i64)>, DbErr> {
    let horizon = today.checked_add_days(Days::new(entities::policy::WARN_DAYS.unsigned_abs())).unwrap_or(today);
    Ok(policy_document::Entity::find()
        .filter(policy_document::Column::ValidUntil.gte(today))
        .filter(policy_document::Column::ValidUntil.lte(horizon))
        .order_by_asc(policy_document::Column::ValidUntil)
        .order_by_asc(policy_document::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| match policy_state(p.effective_from, p.valid_until, today) {
            PolicyState::ExpiresSoon { days_left } => Some((p, days_left)),
            _ => None,
        })
        .collect())
}

/// From 1 December: next year when its calendar is not entered.
///
/// # Errors
/// Database errors.
pub async fn missing_calendar_year(db: &impl ConnectionTrait, today: NaiveDate) -> Result<Option<i32>, DbErr> {
    match calendar_year_due(today) {
        Some(y) => Ok((calendar_year::Entity::find().filter(calendar_year::Column::Year.eq(y)).count(db).await? == 0).then_some(y)),
        None => Ok(None),
    }
}

/// # Errors
/// Database and rendering errors: the run's transaction rolls back whole and the next run tries again.
#[tracing::instrument(skip(ctx))]
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let today = now.with_timezone(&shanghai()).date_naive();
    let expiring = expiring(&ctx.db, today).await?;
    let missing_year = missing_calendar_year(&ctx.db, today).await?;
    let mut report = JobReport { seen: expiring.len() as u64 + u64::from(missing_year.is_some()), ..JobReport::default() };
    if report.seen == 0 {
        return Ok(report);
    }
    let base = ctx.public_base_url.trim_end_matches('/');
    let txn = crate::db::begin_write(&ctx.db).await?;
    for u in bureau_recipients(&txn).await? {
        let Some(email) = u.email.clone() else { continue };
        let mut mails = Vec::new();
        for (p, days_left) in &expiring {
            let until = p.valid_until.map(|d| d.to_string()).unwrap_or_default();
            mails.push(OutgoingMail {
                to_address: email.clone(),
                to_user_id: Some(u.id),
                template: "policy_expiring",
                vars: json!({
                    "recipient_name": u.display_name, "title": p.title, "number": p.number, "valid_until": until,
                    "days_left": days_left, "governs": governs_label(p.governs.as_deref()), "link": format!("{base}/api/v1/policies"),
                }),
                dedupe_key: Some(format!("policy_validity:expiring:{}:{until}:{}", p.id, u.id)),
            });
        }
        if let Some(year) = missing_year {
            mails.push(OutgoingMail {
                to_address: email.clone(),
                to_user_id: Some(u.id),
                template: "calendar_missing",
                vars: json!({"recipient_name": u.display_name, "year": year, "link": format!("{base}/api/v1/calendar/{year}")}),
                dedupe_key: Some(format!("policy_validity:calendar:{year}:{}", u.id)),
            });
        }
        for mail in mails {
            if outbox::enqueue(&txn, mail, now).await?.is_some() {
                report.acted += 1;
            }
        }
    }
    txn.commit().await?;
    Ok(report)
}
