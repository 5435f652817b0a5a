//! Helpers that read like the users' actions around an alliance filing.

use entities::OrgKind;
use serde_json::{Value, json};

use crate::{Session, TestApp};

/// A minimal valid PDF.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// One organisation taking part, with a signed-in user of it.
#[derive(Clone)]
pub struct Party {
    pub session: Session,
    pub org: Value,
}

impl Party {
    #[must_use]
    pub fn id(&self) -> &str {
        self.org["id"].as_str().unwrap_or_default()
    }
}

/// A draft filing: the initiator (a technical school), the lead enterprise,
/// two more enterprises, a training institution and a research institute.
pub struct Filing {
    pub id: String,
    pub initiator: Party,
    pub lead: Party,
    pub enterprises: Vec<Party>,
    pub training: Party,
    pub research: Party,
}

impl Filing {
    /// Every member, the initiator first.
    #[must_use]
    pub fn parties(&self) -> Vec<&Party> {
        let mut all = vec![&self.initiator, &self.lead];
        all.extend(self.enterprises.iter());
        all.push(&self.training);
        all.push(&self.research);
        all
    }

    #[must_use]
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/alliances/{}{rest}", self.id)
    }
}

/// A consistent 附件1 body with `total` staff.
#[must_use]
pub fn form_body(total: i64) -> Value {
    json!({
        "address": "广东省东莞市松山湖园区工业东路1号", "postcode": "523808", "email": "hr@example.dg.cn",
        "legal_representative": "陈大文", "contact_person": "林小红", "office_phone": "0769-22001100", "mobile": "13900769000",
        "fax": "0769-22001101",
        "total_staff": total, "management": total / 10, "title_senior": total / 20, "title_intermediate": total / 10, "title_junior": total / 10,
        "skill_senior_technician": total / 50, "skill_technician": total / 25, "skill_senior_worker": total / 10,
        "skill_intermediate_worker": total / 10, "skill_junior_worker": total / 10, "skill_special": total / 50,
        "general_workers": total / 2, "profile": "单位简介"
    })
}

impl TestApp {
    /// Uploads a small PDF as `s`; returns the document id.
    pub async fn upload_pdf(&self, s: &Session, name: &str) -> String {
        let part = reqwest::multipart::Part::bytes(PDF.to_vec()).file_name(name.to_string()).mime_str("application/pdf").expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        let resp = self.request(reqwest::Method::POST, "/api/v1/documents", Some(s)).multipart(form).send().await.expect("upload");
        assert_eq!(resp.status(), 201, "upload {name}");
        let body: Value = resp.json().await.expect("json");
        body["id"].as_str().expect("id").to_string()
    }

    pub async fn party(&self, kind: OrgKind) -> Party {
        let (session, org) = self.org_user(kind).await;
        Party { session, org }
    }

    /// The acceptance scenario's draft, with agreement, charter, licence and report.
    pub async fn file_alliance(&self) -> Filing {
        let initiator = self.party(OrgKind::TechnicalSchool).await;
        self.file_alliance_by(initiator).await
    }

    /// The same draft with `initiator` (of a kind that may initiate) filing it.
    pub async fn file_alliance_by(&self, initiator: Party) -> Filing {
        let lead = self.party(OrgKind::Enterprise).await;
        let enterprises = vec![self.party(OrgKind::Enterprise).await, self.party(OrgKind::Enterprise).await];
        let training = self.party(OrgKind::TrainingInstitution).await;
        let research = self.party(OrgKind::ResearchInstitute).await;
        let s = &initiator.session;
        let agreement = self.upload_pdf(s, "合作协议.pdf").await;
        let charter = self.upload_pdf(s, "联盟章程.pdf").await;
        let licence = self.upload_pdf(s, "法人登记证.pdf").await;
        let members: Vec<&str> = enterprises.iter().chain([&training, &research]).map(Party::id).collect();
        let (status, body) = self
            .post_json(
                "/api/v1/alliances",
                Some(s),
                &json!({
                    "name": "东莞市智能装备职业培训联盟", "industry": "智能装备制造", "industry_code": "C34",
                    "lead_organization_id": lead.id(), "member_organization_ids": members,
                    "agreement_document_id": agreement, "charter_document_id": charter, "licence_document_id": licence,
                    "report_text": "关于建立东莞市智能装备职业培训联盟的报告：联盟名称、成员单位组成……"
                }),
            )
            .await;
        assert_eq!(status, 201, "create draft: {body}");
        Filing { id: body["id"].as_str().expect("id").to_string(), initiator, lead, enterprises, training, research }
    }

    /// Every member fills its own form and signs the charter.
    pub async fn complete_filing(&self, f: &Filing) {
        for (i, p) in f.parties().iter().enumerate() {
            let total = 100 * (i64::try_from(i).unwrap_or(0) + 1);
            let (status, body) = self.put_json(&f.path(&format!("/members/{}/form", p.id())), Some(&p.session), &form_body(total)).await;
            assert_eq!(status, 200, "form of {}: {body}", p.org["name"]);
            let (status, body) = self.post_json(&f.path("/charter/sign"), Some(&p.session), &json!({})).await;
            assert_eq!(status, 200, "sign: {body}");
        }
    }

    /// A unit that joined after registration fills its 附件1 form and signs the
    /// current charter: its join is complete.
    pub async fn complete_join(&self, f: &Filing, p: &Party) {
        let (status, body) = self.put_json(&f.path(&format!("/members/{}/form", p.id())), Some(&p.session), &form_body(20)).await;
        assert_eq!(status, 200, "form of {}: {body}", p.org["name"]);
        let (status, body) = self.post_json(&f.path("/charter/sign"), Some(&p.session), &json!({})).await;
        assert_eq!(status, 200, "sign: {body}");
    }

    /// A complete filing, submitted and registered by bureau staff.
    pub async fn registered_alliance(&self) -> (Filing, Session) {
        let f = self.file_alliance().await;
        self.complete_filing(&f).await;
        let (status, body) = self.post_json(&f.path("/submit"), Some(&f.initiator.session), &json!({})).await;
        assert_eq!(status, 200, "submit: {body}");
        let staff = self.login("bureau_staff", None).await;
        let (status, body) = self.post_json(&f.path("/register"), Some(&staff), &json!({})).await;
        assert_eq!(status, 200, "register: {body}");
        (f, staff)
    }
}
