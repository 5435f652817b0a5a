//! `weekly_digest` (DESIGN §8): Monday 09:00, one email to each bureau account
//! with an address, made of sections. Each section is a function returning its
//! rows; a later issue adds one (overdue reports, notices ending this week, …)
//! with one line in [`SECTIONS`]. Nothing is sent when every section is empty,
//! and a re-run in the same week sends nothing more (dedupe key per user and ISO week).

use chrono::{DateTime, Datelike, Utc};
use entities::{
    Role,
    models::{outbox_message, user},
};
use futures::future::BoxFuture;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::json;

use crate::{
    clock::shanghai,
    outbox::{self, OutgoingMail},
    registry::{JobContext, JobReport},
};

/// Rows shown per section; the rest is counted.
pub const ROWS_SHOWN: usize = 5;

/// One part of the digest.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: String,
    /// All matching items (may exceed `rows`).
    pub total: u64,
    /// The first few, one line each.
    pub rows: Vec<String>,
    /// `total` minus the rows shown.
    pub more: u64,
}

impl Section {
    #[must_use]
    pub fn new(title: impl Into<String>, total: u64, rows: Vec<String>) -> Self {
        let more = total.saturating_sub(rows.len() as u64);
        Self { title: title.into(), total, rows, more }
    }
}

pub type SectionFn = for<'a> fn(&'a JobContext, DateTime<Utc>) -> BoxFuture<'a, anyhow::Result<Section>>;

/// The sections, in order.
pub const SECTIONS: &[SectionFn] = &[
    |ctx, now| Box::pin(reports(ctx, now, ReportSection::Overdue)),
    |ctx, now| Box::pin(reports(ctx, now, ReportSection::DueSoon)),
    |ctx, now| Box::pin(reports(ctx, now, ReportSection::Returned)),
    |ctx, now| Box::pin(unreached_units(ctx, now)),
    |ctx, now| Box::pin(notices_ending(ctx, now)),
    |ctx, now| Box::pin(open_objections(ctx, now)),
    |ctx, now| Box::pin(overdue_agreements(ctx, now)),
    |ctx, now| Box::pin(reassessments_due(ctx, now)),
    |ctx, now| Box::pin(bans_ending(ctx, now)),
    |ctx, now| Box::pin(validity(ctx, now)),
    |ctx, now| Box::pin(dead_mail(ctx, now)),
];

/// 公示 notices still open that end within the next 7 days (DESIGN §8).
async fn notices_ending(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<Section> {
    use entities::{models::notice, resource::NoticeStatus};
    let q = notice::Entity::find()
        .filter(notice::Column::Status.eq(NoticeStatus::Open))
        .filter(notice::Column::EndsAt.lte(now + chrono::TimeDelta::days(7)));
    let total = q.clone().count(&ctx.db).await?;
    let rows = q
        .order_by_asc(notice::Column::EndsAt)
        .limit(ROWS_SHOWN as u64)
        .all(&ctx.db)
        .await?
        .iter()
        .map(|n| format!("{}（{}结束）", n.title, n.ends_at.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M")))
        .collect();
    Ok(Section::new("本周结束的公示", total, rows))
}

/// Development agreements past their due date, project still under way (DESIGN §8 validity).
async fn overdue_agreements(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<Section> {
    use entities::models::{application, development_agreement};
    use sea_orm::{JoinType, RelationTrait};
    let today = now.with_timezone(&shanghai()).date_naive();
    let q = development_agreement::Entity::find()
        .join(JoinType::InnerJoin, development_agreement::Relation::Application.def())
        .filter(development_agreement::Column::CompletedAt.is_null())
        .filter(development_agreement::Column::DueOn.lt(today))
        .filter(application::Column::Status.is_in(crate::agreement_overdue::UNDER_WAY));
    let total = q.clone().count(&ctx.db).await?;
    let rows = crate::agreement_overdue::overdue(&ctx.db, today, ROWS_SHOWN as u64)
        .await?
        .iter()
        .map(|(a, app)| format!("{}（协议完成期限{}，已逾期{}天）", app.title, a.due_on, (today - a.due_on).num_days()))
        .collect();
    Ok(Section::new("逾期未完成的开发项目", total, rows))
}

/// Objections not yet ruled on (DESIGN §8).
async fn open_objections(ctx: &JobContext, _now: DateTime<Utc>) -> anyhow::Result<Section> {
    use entities::{
        models::{application, objection},
        resource::ObjectionStatus,
    };
    let q = objection::Entity::find().filter(objection::Column::Status.eq(ObjectionStatus::Open));
    let total = q.clone().count(&ctx.db).await?;
    let rows = q
        .order_by_asc(objection::Column::CreatedAt)
        .limit(ROWS_SHOWN as u64)
        .find_also_related(application::Entity)
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|(o, a)| {
            let title = a.map(|a| a.title).unwrap_or_default();
            format!("对“{title}”的异议（{}收到）", o.created_at.with_timezone(&shanghai()).format("%Y-%m-%d"))
        })
        .collect();
    Ok(Section::new("待处理的公示异议", total, rows))
}

/// Published resources whose next assessment is due within 60 days or has come (000 第二十一条).
async fn reassessments_due(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<Section> {
    use entities::{models::resource, resource::operation::REMINDER_DAYS_BEFORE};
    let today = now.with_timezone(&shanghai()).date_naive();
    let horizon = today + chrono::TimeDelta::days(REMINDER_DAYS_BEFORE);
    let q = resource::Entity::find()
        .filter(resource::Column::RevokedOn.is_null())
        .filter(resource::Column::WithdrawnOn.is_null())
        .filter(resource::Column::NextAssessmentDue.lte(horizon));
    let total = q.clone().count(&ctx.db).await?;
    let rows = q
        .order_by_asc(resource::Column::NextAssessmentDue)
        .order_by_asc(resource::Column::Id)
        .limit(ROWS_SHOWN as u64)
        .all(&ctx.db)
        .await?
        .iter()
        .map(|r| {
            let due = r.next_assessment_due;
            let when =
                if due <= today { format!("{due}已到期") } else { format!("{due}到期，还有{}天", (due - today).num_days()) };
            format!("{}（{}，{when}）", r.title, r.publisher_name)
        })
        .collect();
    Ok(Section::new("到期或60天内到期评估的技能资源", total, rows))
}

/// Bans in force that end within 30 days (000 第二十二条).
async fn bans_ending(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<Section> {
    use entities::{
        dashboard::sql_ban_in_force,
        models::{organization, sanction},
    };
    let today = now.with_timezone(&shanghai()).date_naive();
    let q = sanction::Entity::find()
        .filter(sql_ban_in_force(today))
        .filter(sanction::Column::BanUntil.lte(today + chrono::TimeDelta::days(30)));
    let total = q.clone().count(&ctx.db).await?;
    let shown = q.order_by_asc(sanction::Column::BanUntil).order_by_asc(sanction::Column::Id).limit(ROWS_SHOWN as u64).all(&ctx.db).await?;
    let names: std::collections::HashMap<uuid::Uuid, String> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .column(organization::Column::Name)
        .filter(organization::Column::Id.is_in(shown.iter().map(|s| s.organization_id)))
        .into_tuple::<(uuid::Uuid, String)>()
        .all(&ctx.db)
        .await?
        .into_iter()
        .collect();
    let rows = shown
        .iter()
        .map(|s| {
            let until = s.ban_until.map(|d| d.to_string()).unwrap_or_default();
            format!("{}（{}，{until}起可重新申报）", names.get(&s.organization_id).cloned().unwrap_or_default(), s.credit_code)
        })
        .collect();
    Ok(Section::new("30天内期满的申报限制", total, rows))
}

/// Policy documents expiring within 90 days (000 第二十六条) and, from 1 December, next year's calendar missing.
async fn validity(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<Section> {
    use crate::policy_validity::{expiring, missing_calendar_year};
    let today = now.with_timezone(&shanghai()).date_naive();
    let mut rows: Vec<String> = expiring(&ctx.db, today)
        .await?
        .into_iter()
        .map(|(p, days_left)| {
            format!("《{}》有效期至{}，还有{days_left}天", p.title, p.valid_until.map(|d| d.to_string()).unwrap_or_default())
        })
        .collect();
    if let Some(year) = missing_calendar_year(&ctx.db, today).await? {
        rows.push(format!("{year}年工作日历尚未录入"));
    }
    let total = rows.len() as u64;
    rows.truncate(ROWS_SHOWN);
    Ok(Section::new("即将到期的政策文件与待录入的工作日历", total, rows))
}

/// Which unsubmitted half-year reports a section lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportSection {
    /// Past the report deadline.
    Overdue,
    /// Due within 14 days.
    DueSoon,
    /// Returned by the bureau and not yet resubmitted.
    Returned,
}

/// Half-year reports still open (`entities::report::outstanding`), filtered for one section.
async fn reports(ctx: &JobContext, now: DateTime<Utc>, which: ReportSection) -> anyhow::Result<Section> {
    use entities::{
        models::alliance,
        report::{Standing, outstanding::outstanding_on},
    };
    let today = now.with_timezone(&shanghai()).date_naive();
    let mut items: Vec<(uuid::Uuid, String, chrono::NaiveDate)> = Vec::new();
    for o in outstanding_on(&ctx.db, ctx.report_rules, today).await? {
        let due = o.deadlines.report.due;
        for r in &o.open_reports {
            let hit = match which {
                ReportSection::Overdue => due < today && r.standing != Standing::Returned,
                ReportSection::DueSoon => due >= today && (due - today).num_days() <= 14 && r.standing != Standing::Returned,
                ReportSection::Returned => r.standing == Standing::Returned,
            };
            if hit {
                items.push((r.alliance_id, o.period.label_zh(), due));
            }
        }
    }
    items.sort_by_key(|(_, _, due)| *due);
    let shown: Vec<uuid::Uuid> = items.iter().take(ROWS_SHOWN).map(|(id, _, _)| *id).collect();
    let names: std::collections::HashMap<uuid::Uuid, String> = alliance::Entity::find()
        .select_only()
        .column(alliance::Column::Id)
        .column(alliance::Column::Name)
        .filter(alliance::Column::Id.is_in(shown))
        .into_tuple::<(uuid::Uuid, String)>()
        .all(&ctx.db)
        .await?
        .into_iter()
        .collect();
    let rows = items
        .iter()
        .take(ROWS_SHOWN)
        .map(|(id, period, due)| {
            let name = names.get(id).cloned().unwrap_or_default();
            match which {
                ReportSection::Overdue => format!("{name}（{period}，截止{due}，已逾期{}天）", (today - *due).num_days()),
                ReportSection::DueSoon => format!("{name}（{period}，截止{due}，还有{}天）", (*due - today).num_days()),
                ReportSection::Returned => format!("{name}（{period}，已退回，截止{due}）"),
            }
        })
        .collect();
    let title = match which {
        ReportSection::Overdue => "逾期未报送的联盟半年度报送",
        ReportSection::DueSoon => "14天内到期的联盟半年度报送",
        ReportSection::Returned => "已退回尚未重新提交的联盟报送",
    };
    Ok(Section::new(title, items.len() as u64, rows))
}

/// Units owing a half-year row or report that the report chase cannot reach:
/// no active account with an e-mail, no e-mail on the organisation record nor
/// on any of its 附件1 forms (`entities::chase::reach`, issue 16 item 4). One
/// statement over every period owed today.
async fn unreached_units(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<Section> {
    use entities::report::outstanding::{missing_rows_query, open_reports_query, owed_periods_on};
    use sea_orm::{ConnectionTrait, Statement};

    use crate::{chase::inline, reach, sql::Dialect};
    const TITLE: &str = "无电子邮箱、无法发送报送提醒的单位";
    let today = now.with_timezone(&shanghai()).date_naive();
    let backend = ctx.db.get_database_backend();
    let d = Dialect(backend);
    let owing: Vec<String> = owed_periods_on(&ctx.db, ctx.report_rules, today)
        .await?
        .into_iter()
        .flat_map(|(period, _)| {
            [
                format!("SELECT m.organization_id FROM ({}) m", inline(d, &missing_rows_query(period))),
                format!("SELECT r.initiator_org_id FROM ({}) r", inline(d, &open_reports_query(period))),
            ]
        })
        .collect();
    if owing.is_empty() {
        return Ok(Section::new(TITLE, 0, Vec::new()));
    }
    let sql = format!(
        "SELECT org.name, org.credit_code, COUNT(*) OVER () AS total FROM organizations org \
         WHERE org.id IN ({owing}) AND NOT {account} AND {address} IS NULL ORDER BY org.name, org.id LIMIT {ROWS_SHOWN}",
        owing = owing.join(" UNION "),
        account = reach::has_account_address(d, "org.id"),
        address = reach::unit_address("org"),
    );
    let mut total = 0;
    let mut rows = Vec::new();
    for row in ctx.db.query_all_raw(Statement::from_string(backend, sql)).await? {
        let (name, code): (String, String) = (row.try_get("", "name")?, row.try_get("", "credit_code")?);
        total = u64::try_from(row.try_get::<i64>("", "total")?).unwrap_or(0);
        rows.push(format!("{name}（{code}）"));
    }
    Ok(Section::new(TITLE, total, rows))
}

/// Mail that could not be delivered after every retry.
async fn dead_mail(ctx: &JobContext, _now: DateTime<Utc>) -> anyhow::Result<Section> {
    let dead = outbox_message::Entity::find().filter(outbox_message::Column::DeadAt.is_not_null());
    let total = dead.clone().count(&ctx.db).await?;
    let oldest = dead.order_by_asc(outbox_message::Column::DeadAt).limit(ROWS_SHOWN as u64).all(&ctx.db).await?;
    let rows = oldest
        .iter()
        .map(|m| {
            let when = m.dead_at.map(|t| t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
            let subject = crate::outbox::content(m).map(|r| r.subject).unwrap_or_default();
            format!("{}：“{}”，{}起停止重试", m.to_address, subject, when)
        })
        .collect();
    Ok(Section::new("投递失败的邮件（已停止重试）", total, rows))
}

/// `2026年第24周`: the ISO week of `now` in Dongguan, also the dedupe period.
fn week_label(now: DateTime<Utc>) -> (String, String) {
    let week = now.with_timezone(&shanghai()).date_naive().iso_week();
    (format!("{}年第{}周", week.year(), week.week()), format!("{}-W{:02}", week.year(), week.week()))
}

/// # Errors
/// The recipients could not be read (a failing section or recipient is counted, not returned).
#[tracing::instrument(skip(ctx))]
pub async fn run(ctx: &JobContext, now: DateTime<Utc>) -> anyhow::Result<JobReport> {
    let mut report = JobReport::default();
    let mut sections = Vec::new();
    for section in SECTIONS {
        match section(ctx, now).await {
            Ok(s) if s.total > 0 => sections.push(s),
            Ok(_) => {}
            Err(e) => {
                report.failed += 1;
                tracing::warn!(error = %format!("{e:#}"), "digest section failed; left out");
            }
        }
    }
    if sections.is_empty() {
        return Ok(report);
    }
    let recipients = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::BureauStaff, Role::BureauAdmin]))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Email.is_not_null())
        .order_by_asc(user::Column::Id)
        .all(&ctx.db)
        .await?;
    let (week, week_key) = week_label(now);
    let link = format!("{}/api/v1/jobs", ctx.public_base_url.trim_end_matches('/'));
    for u in recipients {
        let Some(email) = u.email.clone().filter(|e| !e.is_empty()) else { continue };
        report.seen += 1;
        let mail = OutgoingMail {
            to_address: email,
            to_user_id: Some(u.id),
            template: "weekly_digest",
            vars: json!({"recipient_name": u.display_name, "week": week, "sections": sections, "link": link}),
            dedupe_key: Some(format!("weekly_digest:{}:{week_key}", u.id)),
        };
        let result = async {
            let txn = crate::db::begin_write(&ctx.db).await?;
            let id = outbox::enqueue(&txn, mail, now).await?;
            txn.commit().await?;
            Ok::<_, sea_orm::DbErr>(id)
        }
        .await;
        match result {
            Ok(Some(_)) => report.acted += 1,
            Ok(None) => {} // already sent this week
            Err(e) => {
                report.failed += 1;
                tracing::warn!(user = %u.id, error = %e, "weekly digest not queued; skipped");
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks_in_dongguan() {
        // Sunday 7 June 2026 17:00 UTC is Monday 8 June in Dongguan: ISO week 24.
        let now = DateTime::parse_from_rfc3339("2026-06-07T17:00:00Z").unwrap().to_utc();
        assert_eq!(week_label(now), ("2026年第24周".to_string(), "2026-W24".to_string()));
        let new_year = DateTime::parse_from_rfc3339("2027-01-01T09:00:00+08:00").unwrap().to_utc();
        assert_eq!(week_label(new_year).1, "2026-W53");
    }

    #[test]
    fn sections_count_what_they_do_not_show() {
        let s = Section::new("x", 7, vec!["a".into(), "b".into()]);
        assert_eq!(s.more, 5);
    }
}
