//! Acceptance 4: real credit codes are accepted; every single-character change
//! of them is refused with a Chinese message naming the field.

use entities::OrgKind;
use serde_json::json;
use tests::{org_body, spawn_app};

/// Published codes of well-known organisations (GB 32100-2015 valid).
const REAL_CODES: [&str; 4] = ["914403001922038216", "91440300708461136T", "91330100799655058B", "12100000400000624D"];

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

#[tokio::test]
async fn real_codes_are_accepted_and_every_single_character_change_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut refused = 0;
    for code in REAL_CODES {
        let before = tests::db::snapshot(&app.db).await;
        for (pos, original) in code.char_indices() {
            let replacements = CHARSET.chars().chain(['I', 'O', 'Z', 'S', 'V', 'a', 'x', '东', ' ']);
            for c in replacements.filter(|c| *c != original) {
                let mut changed: String = code.chars().collect();
                changed.replace_range(pos..=pos, &c.to_string());
                let mut body = org_body("东莞市测试公司", OrgKind::Enterprise);
                body["credit_code"] = json!(changed);
                let (status, problem) = app.post_json("/api/v1/organizations", Some(&admin), &body).await;
                assert_eq!(status, 422, "{changed} accepted? {problem}");
                let error = &problem["errors"][0];
                assert_eq!(error["field"], "credit_code", "{problem}");
                let message = error["message"].as_str().unwrap();
                assert!(message.contains("统一社会信用代码"), "{changed}: {message}");
                refused += 1;
            }
        }
        assert_eq!(tests::db::snapshot(&app.db).await, before, "nothing written for corrupted codes");
        let mut body = org_body("东莞市真实代码单位", OrgKind::Enterprise);
        body["credit_code"] = json!(code);
        let (status, org) = app.post_json("/api/v1/organizations", Some(&admin), &body).await;
        assert_eq!(status, 201, "{code}: {org}");
    }
    assert!(refused > 4 * 18 * 30, "{refused} corruptions tried");
}
