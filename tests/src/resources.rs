//! Helpers that read like the users' actions around skill resources
//! (seed 000): a call, applicants with e-mail, an expert pool, a complete
//! category-3 application, panel and scores.

use entities::OrgKind;
use serde_json::{Value, json};

use crate::{Session, TestApp, USER_PASSWORD, alliances::Party};

/// An applicant organisation and its user (with an e-mail address, so it receives mail).
pub struct Applicant {
    pub party: Party,
    pub email: String,
}

impl Applicant {
    #[must_use]
    pub fn id(&self) -> &str {
        self.party.id()
    }

    #[must_use]
    pub fn session(&self) -> &Session {
        &self.party.session
    }
}

/// An expert of the pool with its account.
pub struct Expert {
    pub id: String,
    pub session: Session,
}

impl TestApp {
    /// A call of `category` opened now by bureau staff, open for 30 days.
    pub async fn open_call(&self, staff: &Session, category: &str) -> String {
        let now = jobs::Clock::now(&self.clock);
        let (status, body) = self
            .post_json(
                "/api/v1/calls",
                Some(staff),
                &json!({
                    "category": category, "title": "2026年度东莞市技能培训资源认定征集公告", "description": "征集范围、申报条件、申报材料",
                    "opens_at": (now - chrono::TimeDelta::hours(1)).to_rfc3339(), "closes_at": (now + chrono::TimeDelta::days(30)).to_rfc3339()
                }),
            )
            .await;
        assert_eq!(status, 201, "call: {body}");
        body["id"].as_str().expect("id").to_string()
    }

    /// An org_user with an e-mail address for an existing organisation.
    pub async fn org_user_with_email(&self, org: &str, email: &str) -> Session {
        let admin = self.admin().await;
        let username = format!("u{}", uuid::Uuid::new_v4().simple());
        let (status, body) = self
            .post_json(
                "/api/v1/users",
                Some(&admin),
                &json!({"username": username, "display_name": "申报联系人", "email": email, "role": "org_user", "organization_id": org, "password": USER_PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "create user: {body}");
        self.login_as(&username, USER_PASSWORD).await
    }

    /// A new organisation of `kind` and its user with `email`.
    pub async fn applicant(&self, kind: OrgKind, email: &str) -> Applicant {
        let org = self.create_org(kind).await;
        let session = self.org_user_with_email(org["id"].as_str().expect("id"), email).await;
        Applicant { party: Party { session, org }, email: email.to_string() }
    }

    /// `n` experts in the pool, the i-th of organisation `orgs[i]` when given.
    pub async fn experts(&self, staff: &Session, orgs: &[Option<&str>]) -> Vec<Expert> {
        let mut out = Vec::new();
        for (i, org) in orgs.iter().enumerate() {
            let expert_type = ["method", "content", "practical"][i % 3];
            let session = self.login("expert", None).await;
            let (_, me) = self.get("/api/v1/me", Some(&session)).await;
            let (status, body) = self
                .post_json(
                    "/api/v1/experts",
                    Some(staff),
                    &json!({
                        "user_id": me["id"], "name": format!("专家{i}"), "specialty": "智能制造", "title": "高级工程师",
                        "organization_id": org, "organization_name": "东莞市某单位", "expert_type": expert_type
                    }),
                )
                .await;
            assert_eq!(status, 201, "expert: {body}");
            out.push(Expert { id: body["id"].as_str().expect("id").to_string(), session });
        }
        out
    }

    /// A complete category-3 application body (5 enterprises with usage reports, 1,200 trainees).
    pub async fn certification_body(&self, s: &Session, call: &str, title: &str) -> Value {
        let mut enterprises = Vec::new();
        for i in 0..5 {
            let doc = self.upload_pdf(s, &format!("使用报告{i}.pdf")).await;
            enterprises.push(json!({"name": format!("东莞市规上企业{i}有限公司"), "usage_report_document_id": doc}));
        }
        json!({
            "call_id": call, "resource_kind": "online_course", "occupation_code": "6-25-04-08", "occupation_name": "工业机器人系统操作员",
            "levels": ["四级/中级工", "三级/高级工"], "title": title, "description": "面向工业机器人操作与运维的线上课程，含20个模块。",
            "trainees_last_3_years": 1200, "ip_declared": true, "enterprises": enterprises
        })
    }

    /// Creates the application as `s`; answers its id.
    pub async fn draft_application(&self, s: &Session, body: &Value) -> String {
        let (status, created) = self.post_json("/api/v1/applications", Some(s), body).await;
        assert_eq!(status, 201, "draft: {created}");
        created["id"].as_str().expect("id").to_string()
    }

    /// Drafts and submits; answers (id, number).
    pub async fn submitted_application(&self, s: &Session, body: &Value) -> (String, String) {
        let id = self.draft_application(s, body).await;
        let (status, submitted) = self.post_json(&format!("/api/v1/applications/{id}/submit"), Some(s), &json!({})).await;
        assert_eq!(status, 200, "submit: {submitted}");
        (id, submitted["number"].as_str().expect("number").to_string())
    }

    /// Draws a panel; answers the seated expert ids.
    pub async fn draw_panel(&self, staff: &Session, app_id: &str, size: u32) -> Value {
        let (status, panel) = self.post_json(&format!("/api/v1/applications/{app_id}/panel"), Some(staff), &json!({"size": size})).await;
        assert_eq!(status, 200, "draw: {panel}");
        panel
    }

    /// Every drawn expert of `app_id` declares no conflict and scores `criteria[i]` (by seat order).
    pub async fn declare_and_score(&self, experts: &[Expert], panel: &Value, app_id: &str, criteria: &[[i64; 5]]) {
        let seated: Vec<&str> = panel["seats"]
            .as_array()
            .expect("seats")
            .iter()
            .filter(|s| s["status"] != "conflicted")
            .map(|s| s["expert_id"].as_str().expect("id"))
            .collect();
        assert_eq!(seated.len(), criteria.len(), "one score sheet per seat");
        for (expert_id, c) in seated.iter().zip(criteria) {
            let e = experts.iter().find(|e| e.id == *expert_id).expect("expert of the pool");
            let (status, body) =
                self.post_json(&format!("/api/v1/applications/{app_id}/declaration"), Some(&e.session), &json!({"conflict": false})).await;
            if status != 409 {
                assert_eq!(status, 200, "declare: {body}");
            }
            let (status, body) = self
                .post_json(
                    &format!("/api/v1/applications/{app_id}/reviews"),
                    Some(&e.session),
                    &json!({"criteria": {"industry_match": c[0], "wide_application": c[1], "content_fit": c[2], "flexible_mode": c[3], "social_benefit": c[4]}}),
                )
                .await;
            assert_eq!(status, 200, "review: {body}");
        }
    }

    /// New-occupation proposals (000 第七条) of new industry associations to a
    /// new call, one per occupation name, submitted now. Answers (id, number,
    /// applicant name) each.
    pub async fn occupation_proposals(&self, staff: &Session, names: &[&str]) -> Vec<(String, String, String)> {
        let call = self.open_call(staff, "new_occupation").await;
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let a = self.applicant(OrgKind::IndustryAssociation, &format!("proposal{i}@batch.dg.cn")).await;
            let body = json!({"call_id": call, "resource_kind": "new_occupation_proposal", "occupation_code": format!("4-04-05-9{i}"),
                              "occupation_name": name, "title": format!("新职业建议书：{name}"), "description": "从业人员约2000人。"});
            let (id, number) = self.submitted_application(a.session(), &body).await;
            out.push((id, number, a.party.org["name"].as_str().expect("name").to_string()));
        }
        out
    }

    /// Category-3 applications of new applicants, one per `(kind, title)`,
    /// submitted on Monday 1 June 2026, a 1-expert panel each, on one notice
    /// and through it: the clock is left at 17:31 on 8 June, every application
    /// `awaiting_approval`. Answers (applicant, application id) per item.
    pub async fn awaiting_approval(&self, items: &[(&str, &str)]) -> Vec<(Applicant, String)> {
        self.set_now("2026-06-01T10:00:00+08:00").await;
        let staff = self.login("bureau_staff", None).await;
        let call = self.open_call(&staff, "training_resource").await;
        self.experts(&staff, &[None]).await;
        let mut out = Vec::new();
        for (i, (kind, title)) in items.iter().enumerate() {
            let a = self.applicant(OrgKind::TrainingInstitution, &format!("applicant{i}@pay.dg.cn")).await;
            let mut body = self.certification_body(a.session(), &call, title).await;
            body["resource_kind"] = json!(kind);
            let (id, _) = self.submitted_application(a.session(), &body).await;
            self.draw_panel(&staff, &id, 1).await;
            out.push((a, id));
        }
        let ids: Vec<&str> = out.iter().map(|(_, id)| id.as_str()).collect();
        let (status, notice) =
            self.post_json("/api/v1/notices", Some(&staff), &json!({"title": "拟认定公示", "body": "公示", "application_ids": ids})).await;
        assert_eq!(status, 201, "notice: {notice}");
        self.set_now("2026-06-08T17:31:00+08:00").await;
        self.run_job("notice_close").await;
        out
    }
}
