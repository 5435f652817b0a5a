//! Development projects of categories 4 and 5 (seed 000 第十四—二十条) set
//! up through the API: a developer, a project approved for development, its
//! agreement. Shared by the API tests and the browser tests.

use entities::OrgKind;
use serde_json::{Value, json};

use crate::{Session, TestApp};

/// A development project's applicant: the organisation and its user (re-login after the clock moves).
pub struct Developer {
    pub org_id: String,
    pub username: String,
}

impl Developer {
    pub async fn session(&self, app: &TestApp) -> Session {
        app.login_as(&self.username, crate::USER_PASSWORD).await
    }
}

pub async fn developer(app: &TestApp, kind: OrgKind, email: &str) -> Developer {
    let org = app.create_org(kind).await;
    let org_id = org["id"].as_str().expect("id").to_string();
    let admin = app.admin().await;
    let username = format!("dev{}", uuid::Uuid::new_v4().simple());
    let (status, body) = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &json!({"username": username, "display_name": "开发单位联系人", "email": email, "role": "org_user", "organization_id": org_id, "password": crate::USER_PASSWORD}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    Developer { org_id, username }
}

fn path(id: &str, tail: &str) -> String {
    format!("/api/v1/applications/{id}{tail}")
}

#[must_use]
pub fn body_for(call: &str, kind: &str) -> Value {
    match kind {
        "integrated_case_course" => json!({
            "call_id": call, "resource_kind": kind, "occupation_code": "6-18-01-01", "occupation_name": "车工",
            "levels": ["二级/技师"], "title": "精密零件加工工学一体化案例课程", "description": "以企业技改项目为载体。",
            "leader": {"name": "李工", "title_level": "deputy_senior", "skill_level": "none"},
            "team": [{"name": "甲", "role": "technician", "qualification": "技师"}, {"name": "乙", "role": "teacher", "qualification": "讲师"},
                     {"name": "丙", "role": "engineer", "qualification": "工程师"}],
            "funding_source": "学校自筹20万元"
        }),
        _ => json!({
            "call_id": call, "resource_kind": kind, "occupation_code": "6-25-04-08", "occupation_name": "工业机器人系统操作员",
            "levels": ["三级/高级工", "二级/技师"],
            "title": if kind == "theory_question_bank" { "工业机器人系统操作员理论题库" } else { "工业机器人系统操作员行业企业评价规范" },
            "description": "依据主要工作任务编制。",
            "team": [{"name": "甲", "role": "other", "qualification": "高级工程师"}],
            "funding_source": "企业自筹30万元"
        }),
    }
}

/// A project of `kind` approved for development (立项): submitted Monday 1 June
/// 2026, one expert recommends it, 公示 to 8 June, approved 9 June 09:00.
pub async fn approved(app: &TestApp, kind: &str, email: &str) -> (Developer, String) {
    app.set_now("2026-06-01T10:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let category = if kind == "integrated_case_course" { "skill_research" } else { "evaluation_resource" };
    let org_kind = if kind == "integrated_case_course" { OrgKind::VocationalCollege } else { OrgKind::Enterprise };
    let call = app.open_call(&staff, category).await;
    let dev = developer(app, org_kind, email).await;
    let (id, _) = app.submitted_application(&dev.session(app).await, &body_for(&call, kind)).await;
    let experts = app.experts(&staff, &[None]).await;
    app.draw_panel(&staff, &id, 1).await;
    let e = &experts[0].session;
    assert_eq!(app.post_json(&path(&id, "/declaration"), Some(e), &json!({"conflict": false})).await.0, 200);
    let (status, review) = app.post_json(&path(&id, "/reviews"), Some(e), &json!({"score": 88, "recommendation": "recommend"})).await;
    assert_eq!(status, 200, "{review}");
    let (status, notice) =
        app.post_json("/api/v1/notices", Some(&staff), &json!({"title": "拟立项公示", "body": "b", "application_ids": [id]})).await;
    assert_eq!(status, 201, "{notice}");
    app.set_now("2026-06-08T17:30:00+08:00").await;
    app.run_job("notice_close").await;
    app.set_now("2026-06-09T09:00:00+08:00").await;
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app.post_json(&path(&id, "/approve"), Some(&staff), &json!({})).await;
    assert_eq!((status, body["application"]["status"].as_str()), (200, Some("approved_for_development")), "{body}");
    (dev, id)
}

/// Bureau staff record the agreement, signed 10 June 2026.
pub async fn sign(app: &TestApp, id: &str, kind: &str, quantity: i64, due_on: &str) -> Value {
    let staff = app.login("bureau_staff", None).await;
    let (status, body) = app
        .post_json(
            &path(id, "/agreement"),
            Some(&staff),
            &json!({"signed_on": "2026-06-10", "due_on": due_on, "deliverables": [{"kind": kind, "quantity": quantity, "description": "开发成果"}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}
