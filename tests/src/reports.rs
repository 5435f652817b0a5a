//! Helpers that read like the users' actions around half-year reports.

use serde_json::{Value, json};

use crate::{Session, TestApp, USER_PASSWORD, alliances::Filing};

/// The 附件2 and 附件3 counts of one member, in column order:
/// (total, management, title senior/intermediate/junior, skill senior
/// technician/technician/senior worker/intermediate worker/junior worker/special,
/// general workers) and (trainees, new occupations, special abilities,
/// members joined, trained senior technician … special, general workers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub basic: [i64; 12],
    pub progress: [i64; 11],
}

pub const BASIC_FIELDS: [&str; 12] = [
    "total_staff",
    "management",
    "title_senior",
    "title_intermediate",
    "title_junior",
    "skill_senior_technician",
    "skill_technician",
    "skill_senior_worker",
    "skill_intermediate_worker",
    "skill_junior_worker",
    "skill_special",
    "general_workers",
];

pub const PROGRESS_FIELDS: [&str; 11] = [
    "trainees",
    "new_occupations",
    "special_abilities",
    "members_joined",
    "trained_senior_technician",
    "trained_technician",
    "trained_senior_worker",
    "trained_intermediate_worker",
    "trained_junior_worker",
    "trained_special",
    "trained_general_workers",
];

impl Row {
    /// A consistent row derived from two numbers.
    #[must_use]
    pub fn simple(total: i64, trainees: i64) -> Self {
        Self {
            basic: [
                total,
                total / 10,
                total / 20,
                total / 10,
                total / 10,
                total / 50,
                total / 25,
                total / 10,
                total / 10,
                total / 10,
                total / 50,
                total / 2,
            ],
            progress: [
                trainees,
                1,
                1,
                0,
                trainees / 20,
                trainees / 10,
                trainees / 10,
                trainees / 5,
                trainees / 5,
                trainees / 20,
                trainees / 10,
            ],
        }
    }

    #[must_use]
    pub fn body(&self) -> Value {
        let basic: serde_json::Map<String, Value> =
            BASIC_FIELDS.iter().zip(self.basic).map(|(f, v)| ((*f).to_string(), json!(v))).collect();
        let progress: serde_json::Map<String, Value> =
            PROGRESS_FIELDS.iter().zip(self.progress).map(|(f, v)| ((*f).to_string(), json!(v))).collect();
        json!({"basic": basic, "progress": progress})
    }

    /// The row as read back from `{"basic": {...}, "progress": {...}}`.
    #[must_use]
    pub fn from_json(v: &Value) -> Self {
        let mut r = Self { basic: [0; 12], progress: [0; 11] };
        for (i, f) in BASIC_FIELDS.iter().enumerate() {
            r.basic[i] = v["basic"][f].as_i64().unwrap_or(-1);
        }
        for (i, f) in PROGRESS_FIELDS.iter().enumerate() {
            r.progress[i] = v["progress"][f].as_i64().unwrap_or(-1);
        }
        r
    }

    /// Column-wise sum.
    #[must_use]
    pub fn sum<'a>(rows: impl IntoIterator<Item = &'a Self>) -> Self {
        let mut out = Self { basic: [0; 12], progress: [0; 11] };
        for r in rows {
            for i in 0..12 {
                out.basic[i] += r.basic[i];
            }
            for i in 0..11 {
                out.progress[i] += r.progress[i];
            }
        }
        out
    }
}

/// `/api/v1/alliances/{id}/reports/{period}{rest}`.
#[must_use]
pub fn report_path(f: &Filing, period: &str, rest: &str) -> String {
    f.path(&format!("/reports/{period}{rest}"))
}

impl TestApp {
    /// A registered alliance of six members, registered at `at` (RFC 3339).
    pub async fn alliance_registered_at(&self, at: &str) -> (Filing, Session) {
        self.set_now(at).await;
        self.registered_alliance().await
    }

    /// Moves the clock and signs everyone in again (access tokens expire by the service clock).
    pub async fn travel(&self, at: &str, f: &mut Filing, staff: &mut Session) {
        self.set_now(at).await;
        for p in [&mut f.initiator, &mut f.lead, &mut f.training, &mut f.research].into_iter().chain(f.enterprises.iter_mut()) {
            p.session = self.login_as(&p.session.username, USER_PASSWORD).await;
        }
        *staff = self.login_as(&staff.username, USER_PASSWORD).await;
    }

    /// `s` fills the row of `org`; asserts success and returns the answer.
    pub async fn fill_row(&self, f: &Filing, period: &str, s: &Session, org: &str, row: &Row) -> Value {
        let (status, body) = self.put_json(&report_path(f, period, &format!("/rows/{org}")), Some(s), &row.body()).await;
        assert_eq!(status, 200, "fill row of {org}: {body}");
        body
    }

    /// Every member fills its own row with `Row::simple(100 * (i + 1), 10 * (i + 1))`; returns the rows in party order.
    pub async fn everyone_fills(&self, f: &Filing, period: &str) -> Vec<Row> {
        let mut rows = Vec::new();
        for (i, p) in f.parties().iter().enumerate() {
            let n = i64::try_from(i).unwrap_or(0) + 1;
            let row = Row::simple(100 * n, 10 * n);
            self.fill_row(f, period, &p.session, p.id(), &row).await;
            rows.push(row);
        }
        rows
    }

    /// The initiator writes the year-end summary of an H2 period.
    pub async fn write_summary(&self, f: &Filing, period: &str) {
        let (status, body) = self
            .put_json(
                &report_path(f, period, "/summary"),
                Some(&f.initiator.session),
                &json!({"summary_text": "2025年度联盟工作总结：开展培训、申报新职业……"}),
            )
            .await;
        assert_eq!(status, 200, "summary: {body}");
    }

    /// The initiator submits; returns (status, body).
    pub async fn submit_report(&self, f: &Filing, period: &str) -> (u16, Value) {
        self.post_json(&report_path(f, period, "/submit"), Some(&f.initiator.session), &json!({})).await
    }
}
