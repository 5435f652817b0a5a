//! Schema changes keep what is stored. The migration that lets mail be
//! rendered at delivery rebuilds the outbox and notification tables on
//! SQLite; messages and notifications written before it are all there after
//! it, field for field, and still read and send as before. Notifications of
//! messages queued in bulk move onto the messages (and back when undone).
//! Writes that change member figures are noted by triggers.

use chrono::{TimeZone, Utc};
use entities::{
    Role,
    models::{notification, outbox_message, user},
};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, EntityTrait, Set, Statement, Value};
use uuid::Uuid;

#[tokio::test]
async fn mail_and_notifications_written_before_the_deferred_mail_migration_survive_it() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = tests::db::TestDatabase::create(&dir).await;
    let db = Database::connect(&test_db.url).await.unwrap();
    let before = Migrator::migrations().iter().position(|m| m.name() == "m20261128_000300_deferred_mail").unwrap();
    Migrator::up(&db, Some(u32::try_from(before).unwrap())).await.unwrap();

    let now = Utc.with_ymd_and_hms(2026, 7, 15, 1, 0, 0).unwrap();
    let user_id = Uuid::now_v7();
    user::ActiveModel {
        id: Set(user_id),
        username: Set("zhangsan".into()),
        email: Set(Some("zhangsan@example.dg.cn".into())),
        display_name: Set("张三".into()),
        role: Set(Role::OrgUser),
        organization_id: Set(None),
        password_hash: Set("x".into()),
        disabled: Set(false),
        failed_logins: Set(0),
        locked_until: Set(None),
        must_change_password: Set(false),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&db)
    .await
    .unwrap();
    let backend = db.get_database_backend();
    let (sent, pending, note) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for (id, key, sent_at) in [(sent, "k:sent", Some(now)), (pending, "k:pending", None)] {
        let values: Vec<Value> = vec![
            id.into(),
            "zhangsan@example.dg.cn".into(),
            user_id.into(),
            "test_message".into(),
            "【东莞市技能资源登记】测试邮件".into(),
            "张三您好：".into(),
            "<p>张三您好：</p>".into(),
            key.into(),
            now.into(),
            sent_at.into(),
        ];
        let sql = "INSERT INTO outbox (id, to_address, to_user_id, template, subject, body_text, body_html, dedupe_key, created_at, attempts, next_attempt_at, sent_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $9, $10)";
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    }
    let sql = "INSERT INTO notifications (id, user_id, kind, title, body, link, created_at) VALUES ($1, $2, 'test_message', '测试邮件', '张三您好：', '/docs', $3)";
    db.execute_raw(Statement::from_sql_and_values(backend, sql, vec![note.into(), user_id.into(), now.into()])).await.unwrap();

    Migrator::up(&db, None).await.unwrap();

    let messages = outbox_message::Entity::find().all(&db).await.unwrap();
    assert_eq!(messages.len(), 2);
    let m = outbox_message::Entity::find_by_id(sent).one(&db).await.unwrap().unwrap();
    assert_eq!(
        (m.subject.as_deref(), m.body_text.as_deref(), m.body_html.as_deref(), m.vars.as_deref()),
        (Some("【东莞市技能资源登记】测试邮件"), Some("张三您好："), Some("<p>张三您好：</p>"), None)
    );
    assert_eq!(
        (m.dedupe_key.as_deref(), m.to_user_id, m.attempts, m.sent_at.map(|t| t.timestamp())),
        (Some("k:sent"), Some(user_id), 1, Some(now.timestamp()))
    );
    // The pending one still sends as it was worded.
    let p = outbox_message::Entity::find_by_id(pending).one(&db).await.unwrap().unwrap();
    assert_eq!(jobs::outbox::content(&p).unwrap().subject, "【东莞市技能资源登记】测试邮件");
    let n = notification::Entity::find_by_id(note).one(&db).await.unwrap().unwrap();
    assert_eq!(
        (n.title.as_deref(), n.body.as_deref(), n.link.as_deref(), n.outbox_id),
        (Some("测试邮件"), Some("张三您好："), Some("/docs"), None)
    );
    // The dedupe keys are still unique.
    let again = "INSERT INTO outbox (id, to_address, template, dedupe_key, created_at, attempts, next_attempt_at) VALUES ($1, 'a@example.cn', 'test_message', 'k:sent', $2, 0, $2)";
    assert!(db.execute_raw(Statement::from_sql_and_values(backend, again, vec![Uuid::now_v7().into(), now.into()])).await.is_err());
}

/// Messages queued in bulk before they became their own notifications: their
/// notification rows (no text, `outbox_id` set) move onto them, read state
/// and all, and come back if the migration is undone.
#[tokio::test]
async fn bulk_mail_notifications_move_onto_their_messages_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = tests::db::TestDatabase::create(&dir).await;
    let db = Database::connect(&test_db.url).await.unwrap();
    let before = Migrator::migrations().iter().position(|m| m.name() == "m20261130_000100_mail_notifications").unwrap();
    Migrator::up(&db, Some(u32::try_from(before).unwrap())).await.unwrap();

    let now = Utc.with_ymd_and_hms(2026, 7, 15, 1, 0, 0).unwrap();
    let read_at = Utc.with_ymd_and_hms(2026, 7, 16, 2, 0, 0).unwrap();
    let user_id = Uuid::now_v7();
    let backend = db.get_database_backend();
    let sql = "INSERT INTO users (id, username, email, display_name, role, password_hash, disabled, failed_logins, must_change_password, created_at, updated_at) \
               VALUES ($1, 'lisi', 'lisi@example.dg.cn', '李四', 'org_user', 'x', $2, 0, $2, $3, $3)";
    db.execute_raw(Statement::from_sql_and_values(backend, sql, vec![user_id.into(), false.into(), now.into()])).await.unwrap();
    let vars = r#"{"recipient_name": "李四", "sent_by": "测试", "link": "http://127.0.0.1/docs"}"#;
    let (read, unread) = (Uuid::now_v7(), Uuid::now_v7());
    for (id, key, seen) in [(read, "k:read", Some(read_at)), (unread, "k:unread", None)] {
        let sql = "INSERT INTO outbox (id, to_address, to_user_id, template, vars, dedupe_key, created_at, attempts, next_attempt_at) \
                   VALUES ($1, 'lisi@example.dg.cn', $2, 'test_message', $3, $4, $5, 0, $5)";
        let values: Vec<Value> = vec![id.into(), user_id.into(), vars.into(), key.into(), now.into()];
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
        let sql =
            "INSERT INTO notifications (id, user_id, kind, outbox_id, created_at, read_at) VALUES ($1, $2, 'test_message', $3, $4, $5)";
        let values: Vec<Value> = vec![Uuid::now_v7().into(), user_id.into(), id.into(), now.into(), seen.into()];
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
    }
    let seconds = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.timestamp());

    Migrator::up(&db, Some(1)).await.unwrap();
    assert_eq!(notification::Entity::find().all(&db).await.unwrap().len(), 0, "no second row per message any more");
    for (id, seen) in [(read, Some(read_at)), (unread, None)] {
        let m = outbox_message::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
        assert!(m.in_app, "{id}");
        assert_eq!(seconds(m.read_at), seconds(seen), "{id}");
        let n = jobs::notify::from_message(&m);
        assert_eq!((n.title.as_deref(), n.link.as_deref()), (Some("【东莞市技能资源登记】测试邮件"), Some("http://127.0.0.1/docs")));
    }

    Migrator::down(&db, Some(1)).await.unwrap();
    let mut back: Vec<(Option<Uuid>, Option<i64>)> =
        notification::Entity::find().all(&db).await.unwrap().into_iter().map(|n| (n.outbox_id, seconds(n.read_at))).collect();
    back.sort();
    let mut expected = vec![(Some(read), Some(read_at.timestamp())), (Some(unread), None)];
    expected.sort();
    assert_eq!(back, expected);
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(notification::Entity::find().all(&db).await.unwrap().len(), 0);
}

/// `membership_changes` gains a row from each kind of write the dashboard's
/// member figures depend on, and none from others; undone, its triggers go
/// with it (writes still work) and come back with it.
#[tokio::test]
async fn membership_changes_are_noted_by_triggers_and_undone_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = tests::db::TestDatabase::create(&dir).await;
    let db = Database::connect(&test_db.url).await.unwrap();
    // Up to this migration only, so that `down(1)` below undoes it (later migrations exist).
    let upto = Migrator::migrations().iter().position(|m| m.name() == "m20261201_000100_membership_changes").unwrap() + 1;
    Migrator::up(&db, Some(u32::try_from(upto).unwrap())).await.unwrap();
    let backend = db.get_database_backend();
    let changes = || async {
        let row = db.query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM membership_changes")).await.unwrap().unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let now = Utc.with_ymd_and_hms(2026, 7, 15, 1, 0, 0).unwrap();
    let org = Uuid::now_v7();
    let sql = "INSERT INTO organizations (id, name, credit_code, kind, registered_in_dongguan, independent_legal_person, address, \
               postcode, email, legal_representative, contact_person, office_phone, mobile, created_at, updated_at) \
               VALUES ($1, '东莞测试企业', '91441900MA5TEST01X', 'enterprise', $2, $2, '东莞市南城区', '523000', 'hr@example.dg.cn', \
               '王五', '赵六', '0769-22220000', '13800000000', $3, $3)";
    db.execute_raw(Statement::from_sql_and_values(backend, sql, vec![org.into(), true.into(), now.into()])).await.unwrap();
    assert_eq!(changes().await, 0, "a new organisation is nobody's member yet");
    let set = |sql: &'static str| {
        let db = &db;
        async move { db.execute_raw(Statement::from_sql_and_values(backend, sql, vec![org.into()])).await.unwrap() }
    };
    set("UPDATE organizations SET name = '东莞测试企业有限公司' WHERE id = $1").await;
    assert_eq!(changes().await, 0, "a new name changes no figure");
    set("UPDATE organizations SET kind = 'other' WHERE id = $1").await;
    assert_eq!(changes().await, 1, "a new kind does");

    // Down to before this migration (later ones go down with it), then up again.
    let steps = Migrator::migrations().iter().rev().position(|m| m.name().contains("membership_changes")).unwrap() + 1;
    Migrator::down(&db, Some(u32::try_from(steps).unwrap())).await.unwrap();
    set("UPDATE organizations SET kind = 'enterprise' WHERE id = $1").await;
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(changes().await, 0, "a new table");
    set("UPDATE organizations SET kind = 'other' WHERE id = $1").await;
    assert_eq!(changes().await, 1, "and the triggers again");
}
