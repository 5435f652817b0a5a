//! The mail outbox (DESIGN §8). Code that causes mail calls [`enqueue`] on the
//! same transaction as the event: the message is rendered then and there,
//! written with its dedupe key, and an in-app notification is created for the
//! recipient account. The `mail_delivery` job ([`crate::delivery`]) sends it.
//!
//! Jobs that queue many messages at once use [`enqueue_select`]: one
//! `INSERT … SELECT` writes a row per recipient with the template's variables
//! built by the database (JSON); each such row is also its recipient's in-app
//! notification (`in_app`). The text is rendered at delivery ([`content`]),
//! and the notification is worded from the message when listed
//! ([`crate::notify::from_message`]).

use chrono::{DateTime, TimeDelta, Utc};
use entities::models::outbox_message;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, TryInsertResult};
use uuid::Uuid;

use crate::{notify, templates};

/// A message to send.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to_address: String,
    /// The recipient's account, which also gets an in-app notification.
    pub to_user_id: Option<Uuid>,
    /// A folder under `jobs/templates/`.
    pub template: &'static str,
    /// Template variables. A string `link` also becomes the notification's link.
    pub vars: serde_json::Value,
    /// "At most once, ever": when a message with this key exists, nothing is written.
    pub dedupe_key: Option<String>,
}

/// Waits after the 1st, 2nd, … failed attempt. After the last one fails too the
/// message is dead: 6 attempts over about 14.6 hours.
pub const BACKOFF: [TimeDelta; 5] =
    [TimeDelta::minutes(1), TimeDelta::minutes(5), TimeDelta::minutes(30), TimeDelta::hours(2), TimeDelta::hours(12)];

/// What happens after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    Dead,
}

/// The rule: `attempts` counts the attempt that just failed.
#[must_use]
pub fn after_failure(attempts: i32, now: DateTime<Utc>) -> AfterFailure {
    usize::try_from(attempts)
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| BACKOFF.get(i))
        .map_or(AfterFailure::Dead, |wait| AfterFailure::RetryAt(now + *wait))
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Sent,
    Dead,
}

#[must_use]
pub fn status(m: &outbox_message::Model) -> Status {
    match (m.sent_at, m.dead_at) {
        (Some(_), _) => Status::Sent,
        (None, Some(_)) => Status::Dead,
        (None, None) => Status::Pending,
    }
}

/// Renders and writes `mail`, due at once; returns its id, or `None` when its
/// dedupe key was already used (then no notification is created either).
///
/// # Errors
/// Rendering errors (as `DbErr::Custom`, so the caller's transaction rolls
/// back) and database errors.
pub async fn enqueue(conn: &impl ConnectionTrait, mail: OutgoingMail, now: DateTime<Utc>) -> Result<Option<Uuid>, DbErr> {
    let rendered = templates::render(mail.template, &mail.vars)
        .map_err(|e| DbErr::Custom(format!("rendering mail template `{}`: {e:#}", mail.template)))?;
    let id = Uuid::now_v7();
    let row = outbox_message::ActiveModel {
        id: Set(id),
        to_address: Set(mail.to_address),
        to_user_id: Set(mail.to_user_id),
        template: Set(mail.template.to_string()),
        subject: Set(Some(notify::truncate(&rendered.subject, 300))),
        body_text: Set(Some(rendered.text.clone())),
        body_html: Set(Some(rendered.html)),
        vars: Set(None),
        dedupe_key: Set(mail.dedupe_key),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        dead_at: Set(None),
        last_error: Set(None),
        in_app: Set(false),
        read_at: Set(None),
    };
    // ON CONFLICT DO NOTHING: a duplicate key must not abort the caller's
    // PostgreSQL transaction the way a unique violation would.
    let inserted = outbox_message::Entity::insert(row)
        .on_conflict_do_nothing_on([outbox_message::Column::DedupeKey])
        .exec_without_returning(conn)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(None);
    }
    if let Some(user_id) = mail.to_user_id {
        let link = mail.vars.get("link").and_then(serde_json::Value::as_str);
        notify::create_for_mail(conn, user_id, mail.template, &rendered.subject, &rendered.text, link, id, now).await?;
    }
    Ok(Some(id))
}

/// [`enqueue`] for many messages at once: rendered first, then written in
/// multi-row inserts (`ON CONFLICT (dedupe_key) DO NOTHING RETURNING`), with
/// a notification for each message actually written. Answers how many were
/// written. For jobs that queue thousands of reminders in one run.
///
/// # Errors
/// Rendering errors (`DbErr::Custom`) and database errors.
pub async fn enqueue_many(conn: &impl ConnectionTrait, mails: Vec<OutgoingMail>, now: DateTime<Utc>) -> Result<usize, DbErr> {
    use sea_orm::sea_query::{OnConflict, Query};
    let mut written = 0;
    for chunk in mails.chunks(500) {
        let mut rendered = Vec::with_capacity(chunk.len());
        for mail in chunk {
            let r = templates::render(mail.template, &mail.vars)
                .map_err(|e| DbErr::Custom(format!("rendering mail template `{}`: {e:#}", mail.template)))?;
            rendered.push(r);
        }
        let mut insert = Query::insert();
        insert.into_table("outbox").columns([
            "id",
            "to_address",
            "to_user_id",
            "template",
            "subject",
            "body_text",
            "body_html",
            "dedupe_key",
            "created_at",
            "attempts",
            "next_attempt_at",
        ]);
        let mut by_key = std::collections::HashMap::with_capacity(chunk.len());
        for (mail, r) in chunk.iter().zip(&rendered) {
            let key = mail.dedupe_key.clone().unwrap_or_else(|| Uuid::now_v7().to_string());
            let id = Uuid::now_v7();
            insert.values_panic([
                id.into(),
                mail.to_address.clone().into(),
                mail.to_user_id.into(),
                mail.template.into(),
                notify::truncate(&r.subject, 300).into(),
                r.text.clone().into(),
                r.html.clone().into(),
                key.clone().into(),
                now.into(),
                0i32.into(),
                now.into(),
            ]);
            by_key.insert(key, (mail, r, id));
        }
        insert.on_conflict(OnConflict::column("dedupe_key").do_nothing().to_owned()).returning_col("dedupe_key");
        let inserted = conn.query_all(&insert).await?;
        let mut notes = Vec::with_capacity(inserted.len());
        for row in inserted {
            let key: String = row.try_get("", "dedupe_key")?;
            written += 1;
            if let Some((mail, r, outbox_id)) = by_key.get(&key)
                && let Some(user_id) = mail.to_user_id
            {
                let link = mail.vars.get("link").and_then(serde_json::Value::as_str).map(|l| notify::truncate(l, 500));
                notes.push(entities::models::notification::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(user_id),
                    kind: Set(mail.template.to_string()),
                    title: Set(Some(notify::truncate(&r.subject, 300))),
                    body: Set(Some(r.text.clone())),
                    link: Set(link),
                    outbox_id: Set(Some(*outbox_id)),
                    created_at: Set(now),
                    read_at: Set(None),
                });
            }
        }
        if !notes.is_empty() {
            entities::models::notification::Entity::insert_many(notes).exec_without_returning(conn).await?;
        }
    }
    Ok(written)
}

/// The message as it is (or was) sent: the text kept in the row, or else the
/// template rendered with the row's variables.
///
/// # Errors
/// Variables that are not JSON or do not fit the template (the message cannot be sent).
pub fn content(m: &outbox_message::Model) -> anyhow::Result<templates::Rendered> {
    if let (Some(subject), Some(text), Some(html)) = (&m.subject, &m.body_text, &m.body_html) {
        return Ok(templates::Rendered { subject: subject.clone(), text: text.clone(), html: html.clone() });
    }
    let vars: serde_json::Value = serde_json::from_str(m.vars.as_deref().unwrap_or("null"))
        .map_err(|e| anyhow::anyhow!("outbox message {}: its variables are not JSON: {e}", m.id))?;
    let mut rendered = templates::render(&m.template, &vars)
        .map_err(|e| anyhow::anyhow!("rendering mail template `{}` for message {}: {e:#}", m.template, m.id))?;
    rendered.subject = notify::truncate(&rendered.subject, 300);
    Ok(rendered)
}

/// Rows for [`enqueue_select`]: a `SELECT` answering `to_address`,
/// `to_user_id`, `vars` (JSON text) and `dedupe_key` per message, with its
/// bound values (numbered from 1, see [`crate::sql::Dialect::param`]).
#[derive(Debug, Clone)]
pub struct Selected {
    pub sql: String,
    pub values: Vec<sea_orm::Value>,
}

/// Queues one message of `template` per row of `rows` in the database
/// (`INSERT … SELECT … ON CONFLICT (dedupe_key) DO NOTHING`); a message to
/// an account is also its in-app notification (`in_app`, no second row).
/// Answers how many were written. Every
/// key must start with `key_prefix` (which ends in `:`): the new messages are
/// found again as that key range with `created_at = now`. One message is
/// rendered before returning, so variables that do not fit the template fail
/// the caller's transaction instead of the delivery.
///
/// # Errors
/// Database errors; a key prefix not ending in `:`; a message that does not render.
pub async fn enqueue_select(
    conn: &impl ConnectionTrait,
    template: &'static str,
    rows: Selected,
    key_prefix: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::Statement;
    let end = key_prefix
        .strip_suffix(':')
        .map(|p| format!("{p};"))
        .ok_or_else(|| DbErr::Custom(format!("outbox key prefix `{key_prefix}` must end in `:`")))?;
    let backend = conn.get_database_backend();
    let d = crate::sql::Dialect(backend);
    let n = rows.values.len();
    let (p_template, p_now) = (d.param(n + 1), d.param(n + 2));
    let mut values = rows.values;
    values.extend([template.into(), now.into()]);
    // `WHERE true`: SQLite reads `ON CONFLICT` after a bare `FROM` as a join constraint.
    let insert = format!(
        "INSERT INTO outbox (id, to_address, to_user_id, template, vars, dedupe_key, created_at, attempts, next_attempt_at, in_app) \
         SELECT {id}, q.to_address, q.to_user_id, {p_template}, q.vars, q.dedupe_key, {p_now}, 0, {p_now}, q.to_user_id IS NOT NULL \
         FROM ({sql}) q WHERE true ORDER BY q.dedupe_key ON CONFLICT (dedupe_key) DO NOTHING",
        id = d.new_uuid(),
        sql = rows.sql,
    );
    let written = conn.execute_raw(Statement::from_sql_and_values(backend, insert, values)).await?.rows_affected();
    if written == 0 {
        return Ok(0);
    }
    // One of the messages just written (their key range, this run's time,
    // this template) is rendered now: variables that do not fit the template
    // fail the run, not the delivery.
    let found = [template.into(), now.into(), key_prefix.into(), end.into()];
    let mine = format!(
        "ob.template = {} AND ob.created_at = {} AND ob.dedupe_key >= {} AND ob.dedupe_key < {}",
        d.param(1),
        d.param(2),
        d.param(3),
        d.param(4),
    );
    let sample = outbox_message::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, format!("SELECT * FROM outbox ob WHERE {mine} LIMIT 1"), found))
        .one(conn)
        .await?;
    if let Some(m) = sample {
        content(&m).map_err(|e| DbErr::Custom(format!("{e:#}")))?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_1m_5m_30m_2h_12h_then_dead() {
        let t0 = DateTime::parse_from_rfc3339("2026-06-01T09:00:00+08:00").unwrap().to_utc();
        let waits: Vec<Option<i64>> = (1..=7)
            .map(|attempts| match after_failure(attempts, t0) {
                AfterFailure::RetryAt(at) => Some((at - t0).num_minutes()),
                AfterFailure::Dead => None,
            })
            .collect();
        assert_eq!(waits, [Some(1), Some(5), Some(30), Some(120), Some(720), None, None]);
        assert_eq!(after_failure(0, t0), AfterFailure::Dead, "nonsense counts never retry forever");
    }

    #[test]
    fn attempts_happen_at_0_1_6_36_156_and_876_minutes() {
        let t0 = DateTime::parse_from_rfc3339("2026-06-01T09:00:00+08:00").unwrap().to_utc();
        let (mut at, mut attempts, mut times) = (t0, 0, vec![0]);
        while let AfterFailure::RetryAt(next) = {
            attempts += 1;
            after_failure(attempts, at)
        } {
            at = next;
            times.push((at - t0).num_minutes());
        }
        assert_eq!(times, [0, 1, 6, 36, 156, 876]);
    }
}
